#pragma once
// Splitting one fuzz input into the parts a target feeds to the code under test. Header-only.
#include <string_view>

namespace winnow::fuzzing {

// The bytes before the first '\n' (all of `input` when there is none), removed from `input`
// with the '\n'. Targets whose parser takes two strings read the first this way, so that a
// seed stays a readable text file.
inline std::string_view take_line(std::string_view& input) {
  const auto eol = input.find('\n');
  const std::string_view line = input.substr(0, eol);
  input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  return line;
}

}  // namespace winnow::fuzzing
