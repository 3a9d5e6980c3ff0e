#pragma once
// A plain SQLite connection of a test's (or the bench's) own, beside the archive's: to see
// what the archive left on disk, or to watch it fill while winnowd writes (WAL lets a reader
// in beside the writer). Each query is its own short read transaction.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace winnow::testing {

class Probe {
 public:
  enum class Mode { read_write, read_only };

  // Throws std::runtime_error if `path` cannot be opened (it is never created).
  explicit Probe(const std::string& path, Mode mode = Mode::read_write);
  ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // The first column of the first row as an integer (0 without a row). Throws on bad SQL
  // (or a table not there yet).
  std::int64_t integer(const std::string& sql);
  // The same, but nullopt on any error (no table yet, busy) or without a row: for polling
  // an archive that winnowd may still be creating.
  std::optional<std::int64_t> find_integer(const std::string& sql);
  // Column `column` of the first row as text ("" without a row).
  std::string text(const std::string& sql, int column = 0);
  // The first column of every row, as text (NULL as "").
  std::vector<std::string> texts(const std::string& sql);
  void exec(const std::string& sql);

 private:
  struct DbClose {
    void operator()(sqlite3* db) const noexcept;
  };
  std::unique_ptr<sqlite3, DbClose> db_;
};

}  // namespace winnow::testing
