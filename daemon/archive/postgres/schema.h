#pragma once
// The archive's schema on PostgreSQL: the migrations, one step per schema version, recorded
// in the one-row table schema_version. Private to winnow_archive.
#include <functional>
#include <string>

#include "daemon/archive/postgres/connection.h"

namespace winnow::archive::postgres {

// Runs its argument in one transaction, committing when it returns (Archive::transaction).
using RunInTransaction = std::function<void(const std::function<void()>&)>;

// The version the last migration step gives.
int schema_version();

// Brings the database (`where` names it in messages) up to this winnow's schema version,
// each step in its own `transaction` on `db` together with the version bump. Steps take a
// transaction-scoped advisory lock first, so instances starting together migrate once.
// Throws when the database's version is newer than this winnow knows.
void migrate(Connection& db, const std::string& where, const RunInTransaction& transaction);

// For a read-only session, which does not migrate: throws, saying what to do, when the
// database has another schema version than this winnow's (or none).
void require_current_version(Connection& db, const std::string& where);

}  // namespace winnow::archive::postgres
