#pragma once
// What a person types into a search box, as an FTS5 query that means just that. Raw FTS5
// syntax reads "self-reliance" as a column filter and fails; "OR", "NOT", "*", "^" and ":"
// are operators; an unbalanced quote is an error. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::archive {

// Each word (split on whitespace) and each "quoted phrase" of `plain` becomes an FTS5 string
// ("..." with '"' doubled), all of them required, so nothing in `plain` is read as syntax.
// An unclosed quote runs to the end. Empty when `plain` has no word.
std::string fts5_from_plain(std::string_view plain);

}  // namespace winnow::archive
