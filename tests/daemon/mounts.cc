#include "tests/daemon/mounts.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "tests/daemon/temp_dir.h"

namespace winnow::testing {

Mount Mount::tmpfs(const std::filesystem::path& dir, const std::string& size) {
  Mount m(dir);
  std::filesystem::create_directories(dir);
  m.mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  if (!m.mounted_) m.failed();
  return m;
}

Mount Mount::read_only_bind(const std::filesystem::path& source, const std::filesystem::path& dir) {
  Mount m(dir);
  std::filesystem::create_directories(dir);
  m.mounted_ = ::mount(source.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0;
  if (!m.mounted_) {
    m.failed();
    return m;
  }
  // A bind mount is made read-only by a remount of its own.
  if (::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) m.failed();
  return m;
}

void Mount::failed() { error_ = std::strerror(errno); }

Mount::~Mount() {
  if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
}

Mount::Mount(Mount&& other) noexcept
    : dir_(std::move(other.dir_)), mounted_(other.mounted_), error_(std::move(other.error_)) {
  other.mounted_ = false;
}

bool Mount::resize(const std::string& size) {
  return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
}

bool may_mount(std::string& why) {
  TempDir dir("winnow-mount-check");
  Mount m = Mount::tmpfs(dir.path() / "fs", "1m");
  if (!m.mounted()) why = "mounting a tmpfs is not permitted here (" + m.error() + ")";
  return m.mounted();
}

}  // namespace winnow::testing
