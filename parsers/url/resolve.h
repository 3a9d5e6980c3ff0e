#pragma once
// URL helpers over Boost.URL. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::parsers {

// `ref` resolved against `base` (RFC 3986). Returns `ref` unchanged when `base` is not an
// absolute URL, and an empty string when `ref` is not a URL reference at all.
std::string resolve_url(std::string_view base, std::string_view ref);

}  // namespace winnow::parsers
