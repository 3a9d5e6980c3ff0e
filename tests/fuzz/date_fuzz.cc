// parse_date never crashes, and what it returns formats and parses back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace winnow::base;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto t = parse_date(text);
  if (!t) return 0;
  // Years 0000..9999 print as four digits and must read back; zones can push a parsed
  // instant just outside that range, where only formatting is exercised.
  constexpr UnixSeconds kYear0 = -62167219200;    // 0000-01-01T00:00:00Z
  constexpr UnixSeconds kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z
  const auto text_out = format_rfc3339(*t);
  if (*t < kYear0 || *t >= kYear10000) return 0;
  const auto back = parse_date(text_out);
  if (!back || *back != *t) std::abort();
  return 0;
}
