#include "parsers/charset/decode.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace winnow::parsers {
namespace {

struct ConverterClose {
  void operator()(UConverter* converter) const noexcept { ucnv_close(converter); }
};
using Converter = std::unique_ptr<UConverter, ConverterClose>;

struct DetectorClose {
  void operator()(UCharsetDetector* detector) const noexcept { ucsdet_close(detector); }
};
using Detector = std::unique_ptr<UCharsetDetector, DetectorClose>;

// ------------------------------------------------------------------------------------------
// Encodings and their labels

// UTF-8 is most pages and must be fast, and x-user-defined is a one-liner: both are decoded
// here. ICU converts the rest.
enum class Decoder : unsigned char { utf8, x_user_defined, icu, icu_gb18030 };

struct Encoding {
  std::string_view name;  // lowercase WHATWG name
  Decoder decoder;
  const char* icu_name = nullptr;
};

// Sorted by name. The ICU converters are those closest to what browsers decode.
constexpr auto kEncodings = std::to_array<Encoding>({
    {"big5", Decoder::icu, "Big5-HKSCS"},  // WHATWG's Big5 includes the HKSCS characters
    {"euc-jp", Decoder::icu, "EUC-JP"},
    {"euc-kr", Decoder::icu, "windows-949"},  // WHATWG's EUC-KR is Windows' Unified Hangul Code
    {"gb18030", Decoder::icu_gb18030, "GB18030"},
    {"gbk", Decoder::icu_gb18030, "GB18030"},  // WHATWG decodes GBK with its gb18030 decoder
    {"hz-gb-2312", Decoder::icu, "HZ-GB-2312"},
    {"ibm866", Decoder::icu, "IBM866"},
    {"iso-2022-cn", Decoder::icu, "ISO-2022-CN"},
    {"iso-2022-cn-ext", Decoder::icu, "ISO-2022-CN-EXT"},
    {"iso-2022-jp", Decoder::icu, "ISO-2022-JP"},
    {"iso-2022-kr", Decoder::icu, "ISO-2022-KR"},
    {"iso-8859-10", Decoder::icu, "ISO-8859-10"},
    {"iso-8859-13", Decoder::icu, "ISO-8859-13"},
    {"iso-8859-14", Decoder::icu, "ISO-8859-14"},
    {"iso-8859-15", Decoder::icu, "ISO-8859-15"},
    {"iso-8859-16", Decoder::icu, "ISO-8859-16"},
    {"iso-8859-2", Decoder::icu, "ISO-8859-2"},
    {"iso-8859-3", Decoder::icu, "ISO-8859-3"},
    {"iso-8859-4", Decoder::icu, "ISO-8859-4"},
    {"iso-8859-5", Decoder::icu, "ISO-8859-5"},
    {"iso-8859-6", Decoder::icu, "ISO-8859-6"},
    {"iso-8859-7", Decoder::icu, "ISO-8859-7"},
    {"iso-8859-8", Decoder::icu, "ISO-8859-8"},
    {"iso-8859-8-i", Decoder::icu, "ISO-8859-8"},  // same bytes; "-i" only says logical order
    {"koi8-r", Decoder::icu, "KOI8-R"},
    {"koi8-u", Decoder::icu, "KOI8-U"},
    {"macintosh", Decoder::icu, "macintosh"},
    {"shift_jis", Decoder::icu, "windows-31j"},  // the Windows variant, as browsers decode it
    {"utf-16be", Decoder::icu, "UTF-16BE"},
    {"utf-16le", Decoder::icu, "UTF-16LE"},
    {"utf-8", Decoder::utf8},
    {"windows-1250", Decoder::icu, "windows-1250"},
    {"windows-1251", Decoder::icu, "windows-1251"},
    {"windows-1252", Decoder::icu, "windows-1252"},
    {"windows-1253", Decoder::icu, "windows-1253"},
    {"windows-1254", Decoder::icu, "windows-1254"},
    {"windows-1255", Decoder::icu, "windows-1255"},
    {"windows-1256", Decoder::icu, "windows-1256"},
    {"windows-1257", Decoder::icu, "windows-1257"},
    {"windows-1258", Decoder::icu, "windows-1258"},
    {"windows-874", Decoder::icu, "windows-874"},
    {"x-mac-cyrillic", Decoder::icu, "x-mac-cyrillic"},
    {"x-user-defined", Decoder::x_user_defined},
});

struct Label {
  std::string_view label;
  std::string_view encoding;
};

// The WHATWG Encoding Standard's labels, sorted; plus the ISO-2022-KR/CN and HZ labels, which
// it maps to "replacement" (see decode.h).
constexpr auto kLabels = std::to_array<Label>({
    {"866", "ibm866"}, {"ansi_x3.4-1968", "windows-1252"}, {"arabic", "iso-8859-6"},
    {"ascii", "windows-1252"}, {"asmo-708", "iso-8859-6"}, {"big5", "big5"}, {"big5-hkscs", "big5"},
    {"chinese", "gbk"}, {"cn-big5", "big5"}, {"cp1250", "windows-1250"}, {"cp1251", "windows-1251"},
    {"cp1252", "windows-1252"}, {"cp1253", "windows-1253"}, {"cp1254", "windows-1254"},
    {"cp1255", "windows-1255"}, {"cp1256", "windows-1256"}, {"cp1257", "windows-1257"},
    {"cp1258", "windows-1258"}, {"cp819", "windows-1252"}, {"cp866", "ibm866"}, {"csbig5", "big5"},
    {"cseuckr", "euc-kr"}, {"cseucpkdfmtjapanese", "euc-jp"}, {"csgb2312", "gbk"},
    {"csibm866", "ibm866"}, {"csiso2022jp", "iso-2022-jp"}, {"csiso2022kr", "iso-2022-kr"},
    {"csiso58gb231280", "gbk"}, {"csiso88596e", "iso-8859-6"}, {"csiso88596i", "iso-8859-6"},
    {"csiso88598e", "iso-8859-8"}, {"csiso88598i", "iso-8859-8-i"}, {"csisolatin1", "windows-1252"},
    {"csisolatin2", "iso-8859-2"}, {"csisolatin3", "iso-8859-3"}, {"csisolatin4", "iso-8859-4"},
    {"csisolatin5", "windows-1254"}, {"csisolatin6", "iso-8859-10"}, {"csisolatin9", "iso-8859-15"},
    {"csisolatinarabic", "iso-8859-6"}, {"csisolatincyrillic", "iso-8859-5"},
    {"csisolatingreek", "iso-8859-7"}, {"csisolatinhebrew", "iso-8859-8"}, {"cskoi8r", "koi8-r"},
    {"csksc56011987", "euc-kr"}, {"csmacintosh", "macintosh"}, {"csshiftjis", "shift_jis"},
    {"csunicode", "utf-16le"}, {"cyrillic", "iso-8859-5"}, {"dos-874", "windows-874"},
    {"ecma-114", "iso-8859-6"}, {"ecma-118", "iso-8859-7"}, {"elot_928", "iso-8859-7"},
    {"euc-jp", "euc-jp"}, {"euc-kr", "euc-kr"}, {"gb18030", "gb18030"}, {"gb2312", "gbk"},
    {"gb_2312", "gbk"}, {"gb_2312-80", "gbk"}, {"gbk", "gbk"}, {"greek", "iso-8859-7"},
    {"greek8", "iso-8859-7"}, {"hebrew", "iso-8859-8"}, {"hz-gb-2312", "hz-gb-2312"},
    {"ibm819", "windows-1252"}, {"ibm866", "ibm866"}, {"iso-10646-ucs-2", "utf-16le"},
    {"iso-2022-cn", "iso-2022-cn"}, {"iso-2022-cn-ext", "iso-2022-cn-ext"},
    {"iso-2022-jp", "iso-2022-jp"}, {"iso-2022-kr", "iso-2022-kr"}, {"iso-8859-1", "windows-1252"},
    {"iso-8859-10", "iso-8859-10"}, {"iso-8859-11", "windows-874"}, {"iso-8859-13", "iso-8859-13"},
    {"iso-8859-14", "iso-8859-14"}, {"iso-8859-15", "iso-8859-15"}, {"iso-8859-16", "iso-8859-16"},
    {"iso-8859-2", "iso-8859-2"}, {"iso-8859-3", "iso-8859-3"}, {"iso-8859-4", "iso-8859-4"},
    {"iso-8859-5", "iso-8859-5"}, {"iso-8859-6", "iso-8859-6"}, {"iso-8859-6-e", "iso-8859-6"},
    {"iso-8859-6-i", "iso-8859-6"}, {"iso-8859-7", "iso-8859-7"}, {"iso-8859-8", "iso-8859-8"},
    {"iso-8859-8-e", "iso-8859-8"}, {"iso-8859-8-i", "iso-8859-8-i"},
    {"iso-8859-9", "windows-1254"}, {"iso-ir-100", "windows-1252"}, {"iso-ir-101", "iso-8859-2"},
    {"iso-ir-109", "iso-8859-3"}, {"iso-ir-110", "iso-8859-4"}, {"iso-ir-126", "iso-8859-7"},
    {"iso-ir-127", "iso-8859-6"}, {"iso-ir-138", "iso-8859-8"}, {"iso-ir-144", "iso-8859-5"},
    {"iso-ir-148", "windows-1254"}, {"iso-ir-149", "euc-kr"}, {"iso-ir-157", "iso-8859-10"},
    {"iso-ir-58", "gbk"}, {"iso8859-1", "windows-1252"}, {"iso8859-10", "iso-8859-10"},
    {"iso8859-11", "windows-874"}, {"iso8859-13", "iso-8859-13"}, {"iso8859-14", "iso-8859-14"},
    {"iso8859-15", "iso-8859-15"}, {"iso8859-2", "iso-8859-2"}, {"iso8859-3", "iso-8859-3"},
    {"iso8859-4", "iso-8859-4"}, {"iso8859-5", "iso-8859-5"}, {"iso8859-6", "iso-8859-6"},
    {"iso8859-7", "iso-8859-7"}, {"iso8859-8", "iso-8859-8"}, {"iso8859-9", "windows-1254"},
    {"iso88591", "windows-1252"}, {"iso885910", "iso-8859-10"}, {"iso885911", "windows-874"},
    {"iso885913", "iso-8859-13"}, {"iso885914", "iso-8859-14"}, {"iso885915", "iso-8859-15"},
    {"iso88592", "iso-8859-2"}, {"iso88593", "iso-8859-3"}, {"iso88594", "iso-8859-4"},
    {"iso88595", "iso-8859-5"}, {"iso88596", "iso-8859-6"}, {"iso88597", "iso-8859-7"},
    {"iso88598", "iso-8859-8"}, {"iso88599", "windows-1254"}, {"iso_8859-1", "windows-1252"},
    {"iso_8859-15", "iso-8859-15"}, {"iso_8859-1:1987", "windows-1252"},
    {"iso_8859-2", "iso-8859-2"}, {"iso_8859-2:1987", "iso-8859-2"}, {"iso_8859-3", "iso-8859-3"},
    {"iso_8859-3:1988", "iso-8859-3"}, {"iso_8859-4", "iso-8859-4"},
    {"iso_8859-4:1988", "iso-8859-4"}, {"iso_8859-5", "iso-8859-5"},
    {"iso_8859-5:1988", "iso-8859-5"}, {"iso_8859-6", "iso-8859-6"},
    {"iso_8859-6:1987", "iso-8859-6"}, {"iso_8859-7", "iso-8859-7"},
    {"iso_8859-7:1987", "iso-8859-7"}, {"iso_8859-8", "iso-8859-8"},
    {"iso_8859-8:1988", "iso-8859-8"}, {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"}, {"koi", "koi8-r"}, {"koi8", "koi8-r"},
    {"koi8-r", "koi8-r"}, {"koi8-ru", "koi8-u"}, {"koi8-u", "koi8-u"}, {"koi8_r", "koi8-r"},
    {"korean", "euc-kr"}, {"ks_c_5601-1987", "euc-kr"}, {"ks_c_5601-1989", "euc-kr"},
    {"ksc5601", "euc-kr"}, {"ksc_5601", "euc-kr"}, {"l1", "windows-1252"}, {"l2", "iso-8859-2"},
    {"l3", "iso-8859-3"}, {"l4", "iso-8859-4"}, {"l5", "windows-1254"}, {"l6", "iso-8859-10"},
    {"l9", "iso-8859-15"}, {"latin1", "windows-1252"}, {"latin2", "iso-8859-2"},
    {"latin3", "iso-8859-3"}, {"latin4", "iso-8859-4"}, {"latin5", "windows-1254"},
    {"latin6", "iso-8859-10"}, {"logical", "iso-8859-8-i"}, {"mac", "macintosh"},
    {"macintosh", "macintosh"}, {"ms932", "shift_jis"}, {"ms_kanji", "shift_jis"},
    {"shift-jis", "shift_jis"}, {"shift_jis", "shift_jis"}, {"sjis", "shift_jis"},
    {"sun_eu_greek", "iso-8859-7"}, {"tis-620", "windows-874"}, {"ucs-2", "utf-16le"},
    {"unicode", "utf-16le"}, {"unicode-1-1-utf-8", "utf-8"}, {"unicode11utf8", "utf-8"},
    {"unicode20utf8", "utf-8"}, {"unicodefeff", "utf-16le"}, {"unicodefffe", "utf-16be"},
    {"us-ascii", "windows-1252"}, {"utf-16", "utf-16le"}, {"utf-16be", "utf-16be"},
    {"utf-16le", "utf-16le"}, {"utf-8", "utf-8"}, {"utf8", "utf-8"}, {"visual", "iso-8859-8"},
    {"windows-1250", "windows-1250"}, {"windows-1251", "windows-1251"},
    {"windows-1252", "windows-1252"}, {"windows-1253", "windows-1253"},
    {"windows-1254", "windows-1254"}, {"windows-1255", "windows-1255"},
    {"windows-1256", "windows-1256"}, {"windows-1257", "windows-1257"},
    {"windows-1258", "windows-1258"}, {"windows-31j", "shift_jis"}, {"windows-874", "windows-874"},
    {"windows-949", "euc-kr"}, {"x-cp1250", "windows-1250"}, {"x-cp1251", "windows-1251"},
    {"x-cp1252", "windows-1252"}, {"x-cp1253", "windows-1253"}, {"x-cp1254", "windows-1254"},
    {"x-cp1255", "windows-1255"}, {"x-cp1256", "windows-1256"}, {"x-cp1257", "windows-1257"},
    {"x-cp1258", "windows-1258"}, {"x-euc-jp", "euc-jp"}, {"x-gbk", "gbk"},
    {"x-mac-cyrillic", "x-mac-cyrillic"}, {"x-mac-roman", "macintosh"},
    {"x-mac-ukrainian", "x-mac-cyrillic"}, {"x-sjis", "shift_jis"}, {"x-unicode20utf8", "utf-8"},
    {"x-user-defined", "x-user-defined"}, {"x-x-big5", "big5"},
});

constexpr bool every_label_names_an_encoding() {
  for (const Label& label : kLabels) {
    if (!std::ranges::binary_search(kEncodings, label.encoding, {}, &Encoding::name)) return false;
  }
  return true;
}
static_assert(std::ranges::is_sorted(kEncodings, {}, &Encoding::name));
static_assert(std::ranges::is_sorted(kLabels, {}, &Label::label));
static_assert(every_label_names_an_encoding());

constexpr const Encoding& encoding_named(std::string_view name) {
  const auto* it = std::ranges::lower_bound(kEncodings, name, {}, &Encoding::name);
  assert(it != kEncodings.end() && it->name == name);
  return *it;
}

constexpr const Encoding& kUtf8 = encoding_named("utf-8");
constexpr const Encoding& kWindows1252 = encoding_named("windows-1252");

bool is_ascii_space(char c) {
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}
bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim_ascii_space(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) { return ascii_lower(x) == y; });
}

// Whether `s` has `lower` (lowercase ASCII) at `pos`, ignoring ASCII case.
bool has_at(std::string_view s, std::size_t pos, std::string_view lower) {
  return pos <= s.size() && iequals(s.substr(pos, lower.size()), lower);
}

// Where `lower` (lowercase ASCII) next occurs in `s` at or after `pos`, ignoring ASCII case.
std::size_t ifind(std::string_view s, std::string_view lower, std::size_t pos) {
  if (pos > s.size()) return std::string_view::npos;
  auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(), lower.begin(), lower.end(),
                        [](char x, char y) { return ascii_lower(x) == y; });
  return it == s.end() ? std::string_view::npos : static_cast<std::size_t>(it - s.begin());
}

// WHATWG "get an encoding": nullptr for an unknown label.
const Encoding* encoding_for_label(std::string_view label) {
  label = trim_ascii_space(label);
  constexpr std::size_t kLongestLabel = 19;  // "cseucpkdfmtjapanese"
  if (label.empty() || label.size() > kLongestLabel) return nullptr;
  std::array<char, kLongestLabel> lower{};
  std::ranges::transform(label, lower.begin(), ascii_lower);
  std::string_view key(lower.data(), label.size());
  const auto* it = std::ranges::lower_bound(kLabels, key, {}, &Label::label);
  if (it == kLabels.end() || it->label != key) return nullptr;
  return &encoding_named(it->encoding);
}

bool can_decode(const Encoding& encoding) {
  if (encoding.icu_name == nullptr) return true;
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(encoding.icu_name, &status));
  return U_SUCCESS(status);
}

// An encoding a label names and that we can convert from; else nullptr.
const Encoding* usable_encoding(std::string_view label) {
  const Encoding* encoding = encoding_for_label(label);
  return encoding && can_decode(*encoding) ? encoding : nullptr;
}

bool is_utf16(const Encoding& encoding) {
  return encoding.name == "utf-16le" || encoding.name == "utf-16be";
}

// ------------------------------------------------------------------------------------------
// UTF-8

struct Decoded {
  std::string utf8;
  std::size_t replaced = 0;
};

constexpr char kReplacementUtf8[] = "\xEF\xBF\xBD";

// Whether all 8 bytes of `word` are ASCII and none is NUL.
bool is_plain_ascii(std::uint64_t word) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  return ((word | ((word - kOnes) & ~word)) & kHighBits) == 0;
}

// Skips bytes in 0x01..0x7F eight at a time.
const unsigned char* skip_plain_ascii(const unsigned char* p, const unsigned char* end) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (!is_plain_ascii(word)) break;
    p += 8;
  }
  return p;
}

// The length of the well-formed UTF-8 sequence that starts with the non-ASCII byte at `p`,
// or minus the length of its maximal ill-formed prefix, which becomes one U+FFFD (Unicode's
// "maximal subpart" practice, which the WHATWG UTF-8 decoder follows).
int utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned char lead = *p;
  int trail_count = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the first trail byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    trail_count = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    trail_count = 2;
    if (lead == 0xE0) low = 0xA0;        // overlong
    if (lead == 0xED) high = 0x9F;       // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    trail_count = 3;
    if (lead == 0xF0) low = 0x90;        // overlong
    if (lead == 0xF4) high = 0x8F;       // above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i <= trail_count; ++i) {
    if (end - p <= i || p[i] < low || p[i] > high) return -i;
    low = 0x80;
    high = 0xBF;
  }
  return trail_count + 1;
}

struct Utf8Stats {
  std::size_t invalid = 0;    // ill-formed sequences
  std::size_t multibyte = 0;  // well-formed non-ASCII characters
  bool has_nul = false;
};

Utf8Stats scan_utf8(std::string_view bytes, bool stop_at_invalid) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  Utf8Stats stats;
  while (p != end) {
    p = skip_plain_ascii(p, end);
    if (p == end) break;
    if (*p < 0x80) {
      stats.has_nul |= *p == 0;
      ++p;
      continue;
    }
    const int length = utf8_sequence(p, end);
    if (length > 0) {
      ++stats.multibyte;
      p += length;
    } else {
      ++stats.invalid;
      if (stop_at_invalid) break;
      p += -length;
    }
  }
  return stats;
}

// Decide between a damaged UTF-8 page and a page in another encoding: reading a legacy page
// as UTF-8 loses about one character per invalid sequence, reading a UTF-8 page as a legacy
// encoding garbles every multi-byte character. Pick the smaller loss.
bool is_mostly_utf8(const Utf8Stats& stats) {
  return stats.invalid == 0 || stats.multibyte >= stats.invalid;
}

Decoded decode_utf8(std::string_view bytes, const Utf8Stats& stats) {
  if (stats.invalid == 0 && !stats.has_nul) return {std::string(bytes), 0};
  Decoded out;
  out.utf8.reserve(bytes.size() + 2 * stats.invalid);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  const auto* run = p;  // start of the bytes still to copy as they are
  auto flush = [&] {
    out.utf8.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
  };
  while (p != end) {
    p = skip_plain_ascii(p, end);
    if (p == end) break;
    if (*p < 0x80) {
      if (*p == 0) {
        flush();
        run = p + 1;
      }
      ++p;
      continue;
    }
    const int length = utf8_sequence(p, end);
    if (length > 0) {
      p += length;
      continue;
    }
    flush();
    out.utf8 += kReplacementUtf8;
    ++out.replaced;
    p += -length;
    run = p;
  }
  flush();
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// WHATWG x-user-defined: ASCII, and bytes 0x80..0xFF to U+F780..U+F7FF.
Decoded decode_x_user_defined(std::string_view bytes) {
  Decoded out;
  out.utf8.reserve(bytes.size());
  for (char byte : bytes) {
    const auto b = static_cast<unsigned char>(byte);
    if (b == 0) continue;
    append_utf8(out.utf8, b < 0x80 ? char32_t{b} : char32_t{0xF700u + b});
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// ICU conversion

struct ToUnicodeState {
  std::size_t replaced = 0;
  bool euro_at_0x80 = false;  // the WHATWG gb18030 decoder reads a lone 0x80 as U+20AC
};

// ICU calls this for each invalid or unmappable sequence. Must not throw (a C callback).
void on_invalid_bytes(const void* context, UConverterToUnicodeArgs* args, const char* bytes,
                      int32_t length, UConverterCallbackReason reason, UErrorCode* status) noexcept {
  if (reason != UCNV_UNASSIGNED && reason != UCNV_ILLEGAL && reason != UCNV_IRREGULAR) return;
  // The context is our own non-const ToUnicodeState; ICU only passes it through as const.
  auto* state = static_cast<ToUnicodeState*>(const_cast<void*>(context));
  UChar replacement = 0xFFFD;
  if (state->euro_at_0x80 && length == 1 && static_cast<unsigned char>(bytes[0]) == 0x80) {
    replacement = 0x20AC;
  } else {
    ++state->replaced;
  }
  *status = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &replacement, 1, 0, status);
}

// Appends ICU's UTF-16 output as UTF-8, dropping NULs. A supplementary character may be split
// between two chunks: its lead surrogate waits for the next one.
class Utf16ToUtf8 {
 public:
  explicit Utf16ToUtf8(Decoded& out) : out_(out) {}

  void append(const UChar* p, const UChar* end) {
    constexpr std::size_t kBufferBytes = 3 * kChunkUnits + 4;
    std::array<char, kBufferBytes> buffer;
    assert(static_cast<std::size_t>(end - p) <= kChunkUnits);
    char* w = buffer.data();
    if (lead_ != 0 && p != end) {
      if (is_trail(*p)) {
        w = put(w, combine(lead_, *p));
        ++p;
      } else {
        w = put_replacement(w);
      }
      lead_ = 0;
    }
    while (p != end) {
      const char16_t u = *p++;
      if (u < 0x80) {
        *w = static_cast<char>(u);
        w += u != 0;  // NULs are dropped
      } else if (u < 0xD800 || u > 0xDFFF) {
        w = put(w, u);
      } else if (u <= 0xDBFF && p != end && is_trail(*p)) {
        w = put(w, combine(u, *p));
        ++p;
      } else if (u <= 0xDBFF && p == end) {
        lead_ = u;
      } else {
        w = put_replacement(w);
      }
    }
    out_.utf8.append(buffer.data(), static_cast<std::size_t>(w - buffer.data()));
  }

  void finish() {
    if (lead_ == 0) return;
    out_.utf8 += kReplacementUtf8;
    ++out_.replaced;
    lead_ = 0;
  }

  static constexpr std::size_t kChunkUnits = 8192;

 private:
  static bool is_trail(char16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }
  static char32_t combine(char16_t lead, char16_t trail) {
    return 0x10000 + ((char32_t{lead} - 0xD800) << 10) + (char32_t{trail} - 0xDC00);
  }
  static char* put(char* w, char32_t c) {
    if (c < 0x800) {
      *w++ = static_cast<char>(0xC0 | (c >> 6));
    } else if (c < 0x10000) {
      *w++ = static_cast<char>(0xE0 | (c >> 12));
      *w++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    } else {
      *w++ = static_cast<char>(0xF0 | (c >> 18));
      *w++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      *w++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    }
    *w++ = static_cast<char>(0x80 | (c & 0x3F));
    return w;
  }
  char* put_replacement(char* w) {
    ++out_.replaced;
    return put(w, 0xFFFD);
  }

  Decoded& out_;
  char16_t lead_ = 0;
};

std::optional<Decoded> decode_with_icu(std::string_view bytes, const Encoding& encoding) {
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(encoding.icu_name, &status));
  if (U_FAILURE(status)) return std::nullopt;
  ToUnicodeState state{.euro_at_0x80 = encoding.decoder == Decoder::icu_gb18030};
  ucnv_setToUCallBack(converter.get(), on_invalid_bytes, &state, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return std::nullopt;

  Decoded out;
  out.utf8.reserve(bytes.size() + bytes.size() / 2);
  Utf16ToUtf8 writer(out);
  std::array<UChar, Utf16ToUtf8::kChunkUnits> units;
  const char* source = bytes.data();
  const char* const source_end = source + bytes.size();
  do {
    UChar* target = units.data();
    status = U_ZERO_ERROR;
    ucnv_toUnicode(converter.get(), &target, units.data() + units.size(), &source, source_end,
                   nullptr, /*flush=*/true, &status);
    writer.append(units.data(), target);
  } while (status == U_BUFFER_OVERFLOW_ERROR);
  // The callback turns every bad sequence into text, so nothing else can fail.
  assert(U_SUCCESS(status));
  writer.finish();
  out.replaced += state.replaced;
  return out;
}

std::optional<Decoded> decode_as(std::string_view bytes, const Encoding& encoding) {
  switch (encoding.decoder) {
    case Decoder::utf8:
      return decode_utf8(bytes, scan_utf8(bytes, /*stop_at_invalid=*/false));
    case Decoder::x_user_defined:
      return decode_x_user_defined(bytes);
    case Decoder::icu:
    case Decoder::icu_gb18030:
      if (bytes.empty()) return Decoded{};
      return decode_with_icu(bytes, encoding);
  }
  return std::nullopt;
}

DecodedPage make_page(Decoded decoded, const Encoding& encoding, CharsetSource source) {
  return {std::move(decoded.utf8), std::string(encoding.name), source, decoded.replaced};
}

struct Bom {
  const Encoding* encoding;
  std::size_t length;
};

std::optional<Bom> sniff_bom(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return Bom{&kUtf8, 3};
  if (bytes.starts_with("\xFE\xFF")) return Bom{&encoding_named("utf-16be"), 2};
  if (bytes.starts_with("\xFF\xFE")) return Bom{&encoding_named("utf-16le"), 2};
  return std::nullopt;
}

// ------------------------------------------------------------------------------------------
// Declarations in the page

// WHATWG: a <meta> or XML declaration cannot mean UTF-16 (the bytes were read as ASCII to find
// it), and x-user-defined there means windows-1252.
const Encoding* as_in_page_encoding(const Encoding* encoding) {
  if (encoding && is_utf16(*encoding)) return &kUtf8;
  if (encoding && encoding->decoder == Decoder::x_user_defined) return &kWindows1252;
  return encoding;
}

// WHATWG "extracting a character encoding from a meta element", for the content attribute
// of <meta http-equiv=Content-Type content="text/html; charset=...">.
const Encoding* encoding_from_meta_content(std::string_view content) {
  std::size_t pos = 0;
  for (;;) {
    pos = ifind(content, "charset", pos);
    if (pos == std::string_view::npos) return nullptr;
    pos += 7;
    while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
    if (pos < content.size() && content[pos] == '=') break;
  }
  ++pos;
  while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
  if (pos == content.size()) return nullptr;
  const char quote = content[pos];
  if (quote == '"' || quote == '\'') {
    const std::size_t close = content.find(quote, pos + 1);
    if (close == std::string_view::npos) return nullptr;
    return usable_encoding(content.substr(pos + 1, close - pos - 1));
  }
  std::size_t stop = pos;
  while (stop < content.size() && !is_ascii_space(content[stop]) && content[stop] != ';') ++stop;
  return usable_encoding(content.substr(pos, stop - pos));
}

// The WHATWG prescan (HTML "prescan a byte stream to determine its encoding") for
// <meta charset> and <meta http-equiv=Content-Type>. Browsers keep looking past the first KiB
// while in the head, and real pages put long scripts and styles before the <meta>, so we scan
// on until <body>, up to kMaxBytes.
class MetaPrescan {
 public:
  explicit MetaPrescan(std::string_view bytes) : s_(bytes.substr(0, kMaxBytes)) {}

  const Encoding* run() {
    while (pos_ < s_.size()) {
      if (seen_body_ && pos_ >= kUnconditionalBytes) return nullptr;
      if (has_at(s_, pos_, "<!--")) {
        // The "--" of "<!--" may also end it: "<!-->" is a whole comment.
        const std::size_t end = s_.find("-->", pos_ + 2);
        if (end == std::string_view::npos) return nullptr;
        pos_ = end + 3;
      } else if (has_at(s_, pos_, "<meta") && pos_ + 5 < s_.size() &&
                 (is_ascii_space(s_[pos_ + 5]) || s_[pos_ + 5] == '/')) {
        pos_ += 6;
        if (const Encoding* encoding = meta_element()) return encoding;
        ++pos_;
      } else if (is_tag_start()) {
        seen_body_ |= is_body_tag();
        while (pos_ < s_.size() && !is_ascii_space(s_[pos_]) && s_[pos_] != '>') ++pos_;
        Attribute ignored;
        while (next_attribute(ignored)) {
        }
        ++pos_;
      } else if (has_at(s_, pos_, "<!") || has_at(s_, pos_, "</") || has_at(s_, pos_, "<?")) {
        const std::size_t end = s_.find('>', pos_ + 2);
        if (end == std::string_view::npos) return nullptr;
        pos_ = end + 1;
      } else {
        ++pos_;
      }
    }
    return nullptr;
  }

 private:
  static constexpr std::size_t kUnconditionalBytes = 1024;  // the HTML standard's prescan length
  static constexpr std::size_t kMaxBytes = 64 * 1024;

  struct Attribute {
    std::string name;
    std::string value;
  };

  // "<" or "</" then an ASCII letter.
  bool is_tag_start() const {
    if (s_[pos_] != '<') return false;
    std::size_t next = pos_ + 1;
    if (next < s_.size() && s_[next] == '/') ++next;
    return next < s_.size() && is_ascii_alpha(s_[next]);
  }

  bool is_body_tag() const {
    if (!has_at(s_, pos_, "<body") || pos_ + 5 >= s_.size()) return false;
    const char after = s_[pos_ + 5];
    return is_ascii_space(after) || after == '>' || after == '/';
  }

  // The attributes of a <meta>, then its encoding if it declares one we can use.
  const Encoding* meta_element() {
    bool seen_http_equiv = false, seen_content = false, seen_charset = false;
    bool got_pragma = false;
    enum class NeedPragma { unknown, yes, no } need_pragma = NeedPragma::unknown;
    enum class Charset { none, found, failure } charset_state = Charset::none;
    const Encoding* charset = nullptr;
    Attribute attr;
    while (next_attribute(attr)) {
      if (attr.name == "http-equiv") {
        if (std::exchange(seen_http_equiv, true)) continue;
        if (attr.value == "content-type") got_pragma = true;
      } else if (attr.name == "content") {
        if (std::exchange(seen_content, true)) continue;
        if (charset_state != Charset::none) continue;
        if (const Encoding* encoding = encoding_from_meta_content(attr.value)) {
          charset = encoding;
          charset_state = Charset::found;
          need_pragma = NeedPragma::yes;
        }
      } else if (attr.name == "charset") {
        if (std::exchange(seen_charset, true)) continue;
        charset = usable_encoding(attr.value);
        charset_state = charset ? Charset::found : Charset::failure;
        need_pragma = NeedPragma::no;
      }
    }
    if (pos_ >= s_.size()) return nullptr;  // cut off inside the tag
    if (need_pragma == NeedPragma::unknown || charset_state != Charset::found) return nullptr;
    if (need_pragma == NeedPragma::yes && !got_pragma) return nullptr;
    return as_in_page_encoding(charset);
  }

  // HTML "get an attribute": false at the end of the tag (pos_ at its '>') or of the input.
  // Names and values come lowercased, as the prescan compares them.
  bool next_attribute(Attribute& attr) {
    attr.name.clear();
    attr.value.clear();
    while (pos_ < s_.size() && (is_ascii_space(s_[pos_]) || s_[pos_] == '/')) ++pos_;
    if (pos_ >= s_.size() || s_[pos_] == '>') return false;
    // The name.
    for (;; ++pos_) {
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      if (c == '=' && !attr.name.empty()) break;
      if (is_ascii_space(c)) {
        while (pos_ < s_.size() && is_ascii_space(s_[pos_])) ++pos_;
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] != '=') return true;  // no value
        break;
      }
      if (c == '/' || c == '>') return true;
      attr.name += ascii_lower(c);
    }
    ++pos_;  // the '='
    while (pos_ < s_.size() && is_ascii_space(s_[pos_])) ++pos_;
    if (pos_ >= s_.size()) return false;
    // The value.
    const char first = s_[pos_];
    if (first == '"' || first == '\'') {
      const std::size_t close = s_.find(first, pos_ + 1);
      if (close == std::string_view::npos) {
        pos_ = s_.size();
        return false;
      }
      for (std::size_t i = pos_ + 1; i < close; ++i) attr.value += ascii_lower(s_[i]);
      pos_ = close + 1;
      return true;
    }
    if (first == '>') return true;
    for (; pos_ < s_.size(); ++pos_) {
      const char c = s_[pos_];
      if (is_ascii_space(c) || c == '>') return true;
      attr.value += ascii_lower(c);
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool seen_body_ = false;
};

// HTML "get an XML encoding": <?xml version="1.0" encoding="..."?> at the very start.
const Encoding* encoding_from_xml_declaration(std::string_view bytes) {
  if (!bytes.starts_with("<?xml")) return nullptr;
  constexpr std::size_t kMaxDeclarationBytes = 1024;
  const std::size_t end = bytes.substr(0, kMaxDeclarationBytes).find('>');
  if (end == std::string_view::npos) return nullptr;
  const std::string_view declaration = bytes.substr(0, end);
  std::size_t pos = declaration.find("encoding");
  if (pos == std::string_view::npos) return nullptr;
  pos += 8;
  while (pos < declaration.size() && is_ascii_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || declaration[pos] != '=') return nullptr;
  ++pos;
  while (pos < declaration.size() && is_ascii_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) return nullptr;
  const std::size_t close = declaration.find(declaration[pos], pos + 1);
  if (close == std::string_view::npos) return nullptr;
  return as_in_page_encoding(usable_encoding(declaration.substr(pos + 1, close - pos - 1)));
}

// ------------------------------------------------------------------------------------------
// Detection

// Where the markup starting with the '<' at `pos` ends (just past it), or `pos` when this '<'
// is text. Script and style bodies count as markup: they are not in the page's language.
std::size_t markup_end(std::string_view s, std::size_t pos) {
  const auto past = [&](std::size_t found, std::size_t length) {
    return found == std::string_view::npos ? s.size() : found + length;
  };
  if (has_at(s, pos, "<!--")) return past(s.find("-->", pos + 4), 3);
  for (std::string_view raw_text : {std::string_view("script"), std::string_view("style")}) {
    const std::size_t after = pos + 1 + raw_text.size();
    if (has_at(s, pos + 1, raw_text) && after < s.size() &&
        (is_ascii_space(s[after]) || s[after] == '>' || s[after] == '/')) {
      const std::size_t close = ifind(s, raw_text == "script" ? "</script" : "</style", after);
      if (close == std::string_view::npos) return s.size();
      return past(s.find('>', close), 1);
    }
  }
  if (pos + 1 < s.size()) {
    const char next = s[pos + 1];
    if (is_ascii_alpha(next) || next == '/' || next == '!' || next == '?') {
      return past(s.find('>', pos + 1), 1);
    }
  }
  return pos;
}

// What ICU's detector reads: the page's text without markup, whitespace runs collapsed, so that
// the letters it counts are the language's. The raw start when the text has no non-ASCII byte
// (e.g. the only ones are in attributes).
std::string detection_sample(std::string_view bytes) {
  // 32 KiB of text is thousands of words, plenty for the detector's n-gram statistics; the
  // cap on the input bounds the work on pages that are nearly all markup.
  constexpr std::size_t kSampleBytes = 32 * 1024;
  constexpr std::size_t kMaxScanBytes = 1024 * 1024;
  const std::string_view s = bytes.substr(0, kMaxScanBytes);
  std::string sample;
  sample.reserve(kSampleBytes);
  bool space_pending = false;
  bool has_non_ascii = false;
  std::size_t pos = 0;
  while (pos < s.size() && sample.size() < kSampleBytes) {
    const char c = s[pos];
    if (c == '<') {
      const std::size_t end = markup_end(s, pos);
      if (end != pos) {
        pos = end;
        space_pending = true;
        continue;
      }
    }
    ++pos;
    if (is_ascii_space(c)) {
      space_pending = true;
      continue;
    }
    if (space_pending && !sample.empty()) sample += ' ';
    space_pending = false;
    sample += c;
    has_non_ascii |= static_cast<unsigned char>(c) >= 0x80;
  }
  if (!has_non_ascii) return std::string(s.substr(0, kSampleBytes));
  return sample;
}

// ICU's best guess, if it is confident enough and names an encoding we decode other than
// UTF-8 (only asked once the bytes turned out not to be UTF-8).
const Encoding* detect_with_icu(std::string_view bytes) {
  // ICU's confidence for real text in the right encoding was 50..100 on a few KB of Russian,
  // Japanese, Chinese, Korean, Polish, Greek, French and German (ICU 72, 2026-11); its guesses
  // from too little evidence, like UTF-16 without a BOM, come at 10.
  constexpr int32_t kMinConfidence = 25;
  const std::string sample = detection_sample(bytes);
  UErrorCode status = U_ZERO_ERROR;
  Detector detector(ucsdet_open(&status));
  if (U_FAILURE(status)) return nullptr;
  ucsdet_setText(detector.get(), sample.data(), static_cast<int32_t>(sample.size()), &status);
  int32_t count = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(detector.get(), &count, &status);
  if (U_FAILURE(status)) return nullptr;
  for (int32_t i = 0; i < count; ++i) {  // best first
    const int32_t confidence = ucsdet_getConfidence(matches[i], &status);
    const char* name = ucsdet_getName(matches[i], &status);
    if (U_FAILURE(status) || confidence < kMinConfidence) return nullptr;
    const Encoding* encoding = usable_encoding(name);
    if (encoding && encoding != &kUtf8) return encoding;
  }
  return nullptr;
}

// ISO-2022-JP/KR/CN are 7-bit and so valid UTF-8: only their escape sequences (ESC $ B, ...)
// tell them from ASCII. An ESC is rare in pure-ASCII pages otherwise.
bool may_be_iso_2022(std::string_view bytes, const Utf8Stats& stats) {
  return stats.invalid == 0 && stats.multibyte == 0 && bytes.find('\x1B') != std::string_view::npos;
}

DecodedPage detect_and_decode(std::string_view bytes, const Utf8Stats& stats) {
  if (may_be_iso_2022(bytes, stats)) {
    const Encoding* encoding = detect_with_icu(bytes);
    if (encoding && encoding->name.starts_with("iso-2022-")) {
      if (auto decoded = decode_as(bytes, *encoding)) {
        return make_page(std::move(*decoded), *encoding, CharsetSource::detected);
      }
    }
  }
  // Legacy CJK text forms well-formed UTF-8 by chance: 0.13 (Big5) to 0.35 (EUC-JP) such
  // sequences per invalid one on news paragraphs. Without a declaration to lean on, UTF-8 needs
  // a clear margin before the detector is skipped, and is its second choice.
  if (stats.invalid == 0 || stats.multibyte >= 2 * stats.invalid) {
    return make_page(decode_utf8(bytes, stats), kUtf8, CharsetSource::detected);
  }
  if (const Encoding* encoding = detect_with_icu(bytes)) {
    if (auto decoded = decode_as(bytes, *encoding)) {
      return make_page(std::move(*decoded), *encoding, CharsetSource::detected);
    }
  }
  if (is_mostly_utf8(stats)) return make_page(decode_utf8(bytes, stats), kUtf8, CharsetSource::detected);
  auto decoded = decode_as(bytes, kWindows1252);
  assert(decoded);
  return make_page(std::move(*decoded), kWindows1252, CharsetSource::fallback);
}

}  // namespace

std::string_view to_string(CharsetSource source) {
  switch (source) {
    case CharsetSource::bom: return "bom";
    case CharsetSource::content_type: return "content_type";
    case CharsetSource::meta: return "meta";
    case CharsetSource::detected: return "detected";
    case CharsetSource::fallback: return "fallback";
  }
  return "unknown";
}

DecodedPage decode_html(std::string_view bytes, std::string_view content_type) {
  if (bytes.empty()) return {"", std::string(kUtf8.name), CharsetSource::fallback, 0};
  if (const auto bom = sniff_bom(bytes)) {
    if (auto decoded = decode_as(bytes.substr(bom->length), *bom->encoding)) {
      return make_page(std::move(*decoded), *bom->encoding, CharsetSource::bom);
    }
  }

  CharsetSource source = CharsetSource::content_type;
  const Encoding* declared = usable_encoding(charset_from_content_type(content_type));
  if (declared == nullptr) {
    source = CharsetSource::meta;
    declared = MetaPrescan(bytes).run();
    if (declared == nullptr) declared = encoding_from_xml_declaration(bytes);
  }

  if (declared == &kUtf8) {
    const Utf8Stats stats = scan_utf8(bytes, /*stop_at_invalid=*/false);
    if (is_mostly_utf8(stats)) return make_page(decode_utf8(bytes, stats), kUtf8, source);
    return detect_and_decode(bytes, stats);
  }
  if (declared != nullptr) {
    if (!is_utf16(*declared)) {
      const Utf8Stats stats = scan_utf8(bytes, /*stop_at_invalid=*/true);
      if (stats.invalid == 0 && stats.multibyte > 0) {
        return make_page(decode_utf8(bytes, stats), kUtf8, CharsetSource::detected);
      }
    }
    if (auto decoded = decode_as(bytes, *declared)) {
      return make_page(std::move(*decoded), *declared, source);
    }
  }
  return detect_and_decode(bytes, scan_utf8(bytes, /*stop_at_invalid=*/false));
}

std::optional<DecodedPage> convert_to_utf8(std::string_view bytes, std::string_view label) {
  const Encoding* encoding = encoding_for_label(label);
  if (encoding == nullptr) return std::nullopt;
  if (const auto bom = sniff_bom(bytes); bom && bom->encoding == encoding) {
    bytes.remove_prefix(bom->length);
  }
  auto decoded = decode_as(bytes, *encoding);
  if (!decoded) return std::nullopt;
  return make_page(std::move(*decoded), *encoding, CharsetSource::content_type);
}

std::string charset_from_content_type(std::string_view content_type) {
  // Parameters are `;`-separated `name=value`; the media type before them has no `=` and is
  // skipped like a parameter without a value. Lenient, as servers are: any case, spaces around
  // `=`, a quoted string with backslash escapes, single quotes, and an unquoted value cut at a
  // space or comma (headers joined by a proxy: "utf-8, text/html").
  const std::string_view ct = content_type;
  const std::size_t size = ct.size();
  std::size_t pos = 0;
  while (pos < size) {
    while (pos < size && (ct[pos] == ' ' || ct[pos] == '\t' || ct[pos] == ';')) ++pos;
    const std::size_t name_start = pos;
    while (pos < size && ct[pos] != '=' && ct[pos] != ';') ++pos;
    const std::string_view name = trim_ascii_space(ct.substr(name_start, pos - name_start));
    if (pos >= size || ct[pos] == ';') continue;
    ++pos;  // the '='
    while (pos < size && (ct[pos] == ' ' || ct[pos] == '\t')) ++pos;
    std::string value;
    if (pos < size && (ct[pos] == '"' || ct[pos] == '\'')) {
      const char quote = ct[pos++];
      for (; pos < size && ct[pos] != quote; ++pos) {
        if (ct[pos] == '\\' && quote == '"' && pos + 1 < size) ++pos;
        value += ct[pos];
      }
      pos = std::min(ct.find(';', pos), size);
    } else {
      const std::size_t value_start = pos;
      while (pos < size && ct[pos] != ';' && ct[pos] != ',' && !is_ascii_space(ct[pos])) ++pos;
      value = ct.substr(value_start, pos - value_start);
      pos = std::min(ct.find(';', pos), size);
    }
    if (iequals(name, "charset") && !value.empty()) return value;
  }
  return {};
}

}  // namespace winnow::parsers
