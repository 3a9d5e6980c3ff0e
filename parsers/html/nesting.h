#pragma once
// A guard in front of Gumbo. Gumbo's tree builder walks the stack of open elements for many
// tags, so a page nested 100,000 deep takes seconds (measured: 20 s for 100k <div>s).
// Pure; any thread.
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

// When `html` opens elements deeper than `max_depth`, returns a copy in which the start tags
// beyond that depth, and their end tags, are left out (their text stays). nullopt when the
// page is within bounds, which is every real page; one linear pass either way.
// The depth is estimated by a light tokenizer: void elements and elements whose end tag is
// optional (p, li, td, ...) do not count, raw-text elements (script, style, ...) are skipped.
std::optional<std::string> bound_nesting(std::string_view html, int max_depth);

}  // namespace winnow::parsers
