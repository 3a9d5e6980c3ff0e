#pragma once
// The stock wording of the pages that stand where an article should be, in English, German,
// French, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Japanese and Chinese, and the
// commonest of it in Swedish, Danish, Norwegian, Finnish, Czech, Turkish and Korean: what a
// bot check, an error page, a consent wall or a paywall says in its title and its text.
// Phrases are matched against fold_case()d text. Pure; any thread.
#include <span>
#include <string>
#include <string_view>

namespace winnow::parsers {

// `text` in small letters, by ICU's simple case mapping of each code point, so "Página",
// "Łódź", "À LIRE AUSSI" and "Страница" match phrases written in small letters; then simply
// case-folded, so that a Greek final sigma reads as any other ("Διαβάστε επίσης" matches
// "διαβάστε επίσησ", as the capitals "ΕΠΊΣΗΣ" do). Phrases are written folded. Bytes that
// are not UTF-8 pass as they are.
std::string fold_case(std::string_view text);

// The first phrase of `phrases` that `folded` contains, or empty.
std::string_view find_phrase(std::string_view folded, std::span<const std::string_view> phrases);

// True when "404" stands in `text` as a number of its own ("Error 404", "404 - Not found").
bool has_404(std::string_view text);

namespace phrases {

// Titles and headings of bot checks: "Just a moment...", "Checking your browser",
// "Verify you are human", "Access denied".
extern const std::span<const std::string_view> challenge_title;
// What a bot check says in its text ("Enable JavaScript and cookies to continue").
extern const std::span<const std::string_view> challenge_text;

// Titles and headings of error pages that name the error: "Page not found", "Seite nicht
// gefunden". Stronger than error_title_weak ("Error", "Oops").
extern const std::span<const std::string_view> error_title;
extern const std::span<const std::string_view> error_title_weak;
// What an error page says in its text ("The page you are looking for ...").
extern const std::span<const std::string_view> error_text;

// Titles and headings of consent pages ("Before you continue", "Your privacy").
extern const std::span<const std::string_view> consent_title;
// Words of consent notices: a block with two or more of them reads as one.
extern const std::span<const std::string_view> consent_words;

// Calls that cut an article short: "Subscribe to continue reading", "This article is for
// subscribers". paywall_call_weak ("Already a subscriber?") counts only at the cut.
extern const std::span<const std::string_view> paywall_call;
extern const std::span<const std::string_view> paywall_call_weak;

// Titles of search-result, tag and archive pages.
extern const std::span<const std::string_view> listing_title;
// What a search or tag page with nothing in it says ("Nothing found", "No results").
extern const std::span<const std::string_view> no_results;

}  // namespace phrases
}  // namespace winnow::parsers
