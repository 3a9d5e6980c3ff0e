#include "daemon/log.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace winnow::log {
namespace {

std::atomic<int> g_level{int(LogLevel::info)};

void append_value(std::string& line, std::string_view value) {
  bool quote = value.empty() || value.find_first_of(" \"=\t") != std::string_view::npos;
  if (quote) line.push_back('"');
  for (char c : value) {
    if (c == '\n') line += "\\n";
    else if (c == '\r') line += "\\r";
    else if (c == '"' && quote) line += "\\\"";
    else line.push_back(c);
  }
  if (quote) line.push_back('"');
}

// True when stderr is the journal's stream: JOURNAL_STREAM ("DEV:INODE") names the file
// systemd connected it to, and stderr is still that file (not redirected by a child's
// shell). The systemd.exec(5) convention.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

std::string_view level_word(LogLevel level) {
  switch (level) {
    case LogLevel::error: return "error: ";
    case LogLevel::warning: return "warning: ";
    case LogLevel::info: return "";
    case LogLevel::debug: return "debug: ";
  }
  return "";
}

}  // namespace

std::string describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

void set_level(LogLevel level) { g_level = int(level); }
bool enabled(LogLevel level) { return int(level) <= g_level.load(std::memory_order_relaxed); }

void write(LogLevel level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  static const bool journal = stderr_is_journal();
  std::string line;
  if (journal) line.append("<").append(std::to_string(int(level))).append(">");
  else line.append(level_word(level));
  line.append(message);
  for (const Field& f : fields) {
    line.push_back(' ');
    line.append(f.key);
    line.push_back('=');
    append_value(line, f.value.size() > 300 ? std::string_view(f.value).substr(0, 300) : std::string_view(f.value));
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace winnow::log
