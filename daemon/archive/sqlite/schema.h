#pragma once
// The archive's schema on SQLite: the connection settings (PRAGMAs) and the migrations,
// one step per schema version, recorded in PRAGMA user_version. Private to winnow_archive.
#include <functional>
#include <string>

#include "daemon/archive/sqlite/handles.h"

namespace winnow::archive::sqlite {

// Runs its argument in one transaction, committing when it returns (Archive::transaction).
using RunInTransaction = std::function<void(const std::function<void()>&)>;

// Sets what each connection needs before its first use: foreign keys, the page size of a new
// file, WAL mode, synchronous and cache size. Throws when the file at `path` (for messages)
// cannot be put in WAL mode.
void configure(sqlite3* db, const std::string& path);

// Brings the database at `path` (for messages) up to this winnow's schema version, each step
// in its own `transaction` on `db` together with the user_version bump; takes no write lock
// when the file is up to date. Throws when the file's version is newer than this winnow knows.
void migrate(sqlite3* db, const std::string& path, const RunInTransaction& transaction);

// For a read-only connection, which neither configures nor migrates: throws, saying what to
// do, when the file at `path` has another schema version than this winnow's.
void require_current_version(sqlite3* db, const std::string& path);

}  // namespace winnow::archive::sqlite
