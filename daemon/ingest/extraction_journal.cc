#include "daemon/ingest/extraction_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace winnow::ingest {
namespace {

// Which slot the calling thread writes: worker threads live as long as the process, so a
// number handed out once per thread is enough.
std::size_t thread_slot() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t slot = next.fetch_add(1);
  return std::min(slot, ExtractionJournal::kSlots - 1);
}

bool parse_hex(std::string_view s, std::uint64_t& out) {
  if (s.size() != 16) return false;
  out = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    out = out << 4 | std::uint64_t(d);
  }
  return true;
}

std::string hex(std::uint64_t key) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(key));
  return buffer;
}

}  // namespace

std::uint64_t ExtractionJournal::key(std::string_view url) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a: stable across builds, unlike std::hash
  for (unsigned char c : url) h = (h ^ c) * 1099511628211ull;
  return h | 1;  // never 0, which marks an empty slot
}

ExtractionJournal ExtractionJournal::open(const std::string& path, std::string& error) {
  ExtractionJournal journal;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return journal;
  }
  journal.fd_ = fd;
  std::string content;
  char buffer[1 << 16];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) content.append(buffer, std::size_t(n));
  const std::size_t slots_end = kSlots * kSlotBytes;
  std::uint64_t k = 0;
  for (std::size_t s = 0; s < kSlots && (s + 1) * kSlotBytes <= content.size(); ++s)
    if (parse_hex(std::string_view(content).substr(s * kSlotBytes, 16), k) && k != 0) {
      ++journal.failures_[k];
      ++journal.crashed_at_open_;
    }
  for (std::size_t i = std::min(slots_end, content.size()); i < content.size();) {
    std::size_t eol = content.find('\n', i);
    if (eol == std::string::npos) break;  // a line cut short by a crash
    std::string_view line(content.data() + i, eol - i);
    if (line.size() == 18 && line.starts_with("F ") && parse_hex(line.substr(2), k)) ++journal.failures_[k];
    i = eol + 1;
  }
  // Rewritten: empty slots, then one line per failure.
  std::string fresh(slots_end, ' ');
  for (std::size_t s = 0; s < kSlots; ++s) fresh[s * kSlotBytes + kSlotBytes - 1] = '\n';
  for (const auto& [key, count] : journal.failures_)
    for (int i = 0; i < count; ++i) fresh += "F " + hex(key) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, fresh.data(), fresh.size(), 0) != ssize_t(fresh.size()))
    error = path + ": " + std::strerror(errno);
  ::lseek(fd, 0, SEEK_END);
  return journal;
}

ExtractionJournal::ExtractionJournal(ExtractionJournal&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      failures_(std::move(other.failures_)),
      crashed_at_open_(other.crashed_at_open_) {}

ExtractionJournal& ExtractionJournal::operator=(ExtractionJournal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    failures_ = std::move(other.failures_);
    crashed_at_open_ = other.crashed_at_open_;
  }
  return *this;
}

ExtractionJournal::~ExtractionJournal() {
  if (fd_ >= 0) ::close(fd_);
}

int ExtractionJournal::failures(std::string_view url) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key(url));
  return it == failures_.end() ? 0 : it->second;
}

int ExtractionJournal::record_failure(std::string_view url) {
  const std::uint64_t k = key(url);
  std::lock_guard lock(mutex_);
  if (fd_ >= 0) {
    const std::string line = "F " + hex(k) + "\n";
    // Appended past the slots (the offset is at the end since open; only this writes there).
    [[maybe_unused]] ssize_t written = ::write(fd_, line.data(), line.size());
  }
  return ++failures_[k];
}

void ExtractionJournal::write_slot(std::size_t slot, std::uint64_t key) {
  if (fd_ < 0) return;
  const std::string text = key ? hex(key) : std::string(16, ' ');
  [[maybe_unused]] ssize_t written = ::pwrite(fd_, text.data(), text.size(), off_t(slot * kSlotBytes));
}

ExtractionJournal::Extracting::Extracting(ExtractionJournal& journal, std::string_view url)
    : journal_(journal), slot_(thread_slot()) {
  journal_.write_slot(slot_, key(url));
}

ExtractionJournal::Extracting::~Extracting() { journal_.write_slot(slot_, 0); }

}  // namespace winnow::ingest
