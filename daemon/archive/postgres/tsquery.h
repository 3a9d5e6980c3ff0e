#pragma once
// An FTS5 query (Archive::search's syntax, the one SQLite reads) as PostgreSQL tsquery
// text for to_tsquery('simple', ...), so that `winnow search` and the API mean the same on
// both back ends. Pure; any thread.
//
// Read as FTS5 reads it: "strings" and barewords, `+` joining phrases, a trailing `*` for
// a prefix, AND, OR and NOT (NOT binds tightest, then AND, implicit between neighbours,
// then OR), parentheses, and column filters `title:`, `text:`, `{title text}:`, `-title:`
// (the title is tsvector weight A, the text weight B). Differences: NEAR(a b, N) matches as
// a AND b, without the distance; `^` (first token) is refused. Every lexeme goes out quoted,
// so nothing in it is tsquery syntax.
#include <string>
#include <string_view>

namespace winnow::archive::postgres {

// The tsquery text; empty when the query holds no word to look for (it then matches
// nothing). Throws BadSearchQuery (archive.h) for what FTS5 would refuse, and for a NUL.
std::string tsquery_from_fts5(std::string_view fts5);

// A tsquery as the server writes it (tsquery's text output) made looser, for what a GIN index
// answers without reading rows: phrases (`<->`, `<N>`) become AND and weights (`:A`, `:AB`)
// go, prefixes (`:*`) stay. Every document the query matches, the loose one matches too. A
// query with a NOT is given back as it is (loosening under a NOT would narrow it).
std::string loose_tsquery(std::string_view tsquery);

}  // namespace winnow::archive::postgres
