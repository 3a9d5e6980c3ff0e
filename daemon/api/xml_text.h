#pragma once
// Text for the XML and HTML that the API writes by hand (Atom, article HTML): what XML 1.0
// may hold, escaped. The same escaping serves both, since HTML read by an HTML parser and
// XML read by an XML parser give back the same characters from it. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::api {

// `s` as XML 1.0 may hold it: invalid UTF-8 (overlong forms, surrogates, stray bytes)
// replaced by U+FFFD, and the characters XML 1.0 forbids dropped: the C0 controls but tab,
// LF and CR, and U+FFFE, U+FFFF. Everything a document carries goes through here, so that
// one bad byte in an archived page never breaks a whole feed.
std::string xml_chars(std::string_view s);

// Appends xml_chars(text), escaped for element content ('&', '<', '>'; CR as &#13; so that
// it survives end-of-line handling) or, with `in_attribute`, for an attribute value written
// between double quotes (also '"', and tab and LF as references, which attribute-value
// normalization would otherwise turn into spaces).
void append_escaped(std::string& out, std::string_view text, bool in_attribute);

// append_escaped into a new string.
std::string escaped(std::string_view text, bool in_attribute = false);

}  // namespace winnow::api
