#pragma once
// Turns page bytes in any common encoding into UTF-8. Pure; any thread.
//
// Encodings are named by WHATWG Encoding Standard labels, which include the common IANA names.
// The ISO-2022-KR/CN and HZ labels, which WHATWG maps to "replacement" (a defence against script
// injection that browsers need and an extractor does not), name their real encodings here.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

// Where the encoding that was used came from, in the order they are tried.
// `meta` also covers an XML declaration (<?xml ... encoding="..."?>) at the very start.
enum class CharsetSource { bom, content_type, meta, detected, fallback };
std::string_view to_string(CharsetSource source);

struct DecodedPage {
  std::string utf8;           // valid UTF-8 without NUL characters (dropped, as HTML text does);
                              // invalid input sequences became U+FFFD
  std::string charset;        // lowercase WHATWG name of the encoding used, e.g. "windows-1252"
  CharsetSource source = CharsetSource::fallback;
  std::size_t replaced = 0;   // how many invalid sequences were replaced (dropped NULs not counted)
};

// Decodes an HTML page as browsers do (WHATWG "encoding sniffing"): a BOM first, then the
// charset of the HTTP Content-Type (may be empty), then a <meta charset> / <meta http-equiv>
// prescan of the head (the first KiB, then on until <body>, at most 64 KiB) or an XML
// declaration, then detection (valid or nearly valid UTF-8, else ICU's detector when
// confident), then windows-1252. Labels are mapped the WHATWG way (latin1 and ascii mean
// windows-1252, gb2312 means GBK, ...). A label that names an encoding we cannot convert is
// ignored and the next step is tried.
// Where we part from browsers, because wrong declarations are common and cost text:
// - Declared UTF-8 but not valid UTF-8: kept (with U+FFFD) when the well-formed multi-byte
//   characters are at least as many as the invalid sequences, the choice that garbles fewer
//   characters; otherwise the declaration is ignored and the encoding detected.
// - Declared a legacy encoding but the bytes are valid UTF-8 with at least one multi-byte
//   character: decoded as UTF-8 (source `detected`); legacy text is practically never valid
//   UTF-8 by chance, while servers defaulting to ISO-8859-1 are common.
// Empty input gives empty UTF-8 with charset "utf-8" and source `fallback`.
DecodedPage decode_html(std::string_view bytes, std::string_view content_type);

// Converts `bytes` from the encoding named by `label` to UTF-8, replacing invalid sequences
// with U+FFFD; a leading BOM of that same encoding is dropped. nullopt when the label names
// no encoding we can convert. `source` is `content_type`: the label is the caller's
// declaration.
std::optional<DecodedPage> convert_to_utf8(std::string_view bytes, std::string_view label);

// The charset parameter of a Content-Type value ("text/html; charset=UTF-8" -> "UTF-8"),
// unquoted; empty when absent.
std::string charset_from_content_type(std::string_view content_type);

}  // namespace winnow::parsers
