#pragma once
// A directory of its own under the system temp dir for a test or a benchmark run, removed
// with everything in it when the TempDir goes (unless kept, to look at afterwards).
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

}  // namespace winnow::testing
