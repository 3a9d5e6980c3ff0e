#pragma once
// Mounts for the tests that need a file system of a given kind: a small tmpfs that fills up,
// a read-only bind mount. Mounting needs CAP_SYS_ADMIN (root in a container, usually): a
// test checks mounted() and is skipped with a message without it.
#include <filesystem>
#include <string>

namespace winnow::testing {

class Mount {
 public:
  // A tmpfs of `size` ("2m", "512k") at `dir`, created if missing.
  static Mount tmpfs(const std::filesystem::path& dir, const std::string& size);
  // `source` seen read-only at `dir`, created if missing.
  static Mount read_only_bind(const std::filesystem::path& source, const std::filesystem::path& dir);

  // Unmounts (lazily, so an open file does not keep it).
  ~Mount();
  Mount(Mount&& other) noexcept;
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  Mount& operator=(Mount&&) = delete;

  bool mounted() const { return mounted_; }
  // Why mounting failed (strerror), when it did.
  const std::string& error() const { return error_; }
  // A tmpfs's new size; false when it cannot be changed.
  bool resize(const std::string& size);

 private:
  explicit Mount(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void failed();

  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Whether this process may mount a tmpfs; when not, `why` says so.
bool may_mount(std::string& why);

}  // namespace winnow::testing
