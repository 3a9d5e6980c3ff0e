#pragma once
// A directory of its own under the system temp dir for a test or a benchmark run, removed
// with everything in it when the TempDir goes (unless kept, to look at afterwards); and
// reading a file of it back.
#include <filesystem>
#include <string>

namespace winnow::testing {

class TempDir {
 public:
  // `prefix` names the directory: /tmp/PREFIX-XXXXXX. Throws std::runtime_error if it
  // cannot be made.
  explicit TempDir(const std::string& prefix = "winnow-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Leaves the directory in place when the TempDir goes.
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

// The whole content of the file at `path` (empty when it cannot be read): a command's output,
// a log, an archive file to compare.
std::string read_file(const std::filesystem::path& path);

}  // namespace winnow::testing
