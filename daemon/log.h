#pragma once
// One line per event on stderr, message then key=value. When stderr is the journal
// (JOURNAL_STREAM names it, as systemd sets it), each line starts with the priority prefix
// journald reads and strips:
//   <4>fetch failed url=https://example.com/feed status=503 retry_in_s=120
// anywhere else (a terminal, a file, a pipe) with the level in words, and nothing for info:
//   warning: fetch failed url=https://example.com/feed status=503 retry_in_s=120
// Any thread; each line is written with one call, so lines never interleave.
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "daemon/config.h"

namespace winnow::log {

void set_level(LogLevel level);
bool enabled(LogLevel level);

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number>>>
  Field(std::string_view k, Number v) : key(k), value(format(v)) {}

 private:
  template <typename Number>
  static std::string format(Number v) {
    if constexpr (std::is_floating_point_v<Number>) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.3g", double(v));
      return buffer;
    } else {
      return std::to_string(v);
    }
  }
};

// What an exception says, for a log line: its what(), or that it is no std::exception.
std::string describe(const std::exception_ptr& error);

// Values with spaces, quotes or '=' are quoted; newlines are escaped.
void write(LogLevel level, std::string_view message, std::initializer_list<Field> fields = {});

inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(LogLevel::error, m, f); }
inline void warning(std::string_view m, std::initializer_list<Field> f = {}) { write(LogLevel::warning, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(LogLevel::info, m, f); }
inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  if (enabled(LogLevel::debug)) write(LogLevel::debug, m, f);
}

}  // namespace winnow::log
