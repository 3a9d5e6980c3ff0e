#include "daemon/log.h"

#include <atomic>
#include <cstdio>

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
  std::string line = "<";
  line.append(std::to_string(int(level))).append(">");
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
