#include "parsers/charset/decode.h"

#include <unicode/ucsdet.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <utility>

#include "base/ascii.h"
#include "parsers/charset/convert.h"
#include "parsers/charset/labels.h"
#include "parsers/charset/prescan.h"
#include "parsers/charset/utf.h"

// The order of the sniffing steps and the detection are here; labels.cc names the encodings,
// prescan.cc reads the page's own declaration, convert.cc and utf.cc convert.
namespace winnow::parsers {
namespace {

using charset::decode_as;
using charset::decode_utf8;
using charset::Decoded;
using charset::Encoding;
using charset::is_mostly_utf8;
using charset::kUtf8;
using charset::kWindows1252;
using charset::scan_utf8;
using charset::usable_encoding;
using charset::Utf8Stats;

struct DetectorClose {
  void operator()(UCharsetDetector* detector) const noexcept { ucsdet_close(detector); }
};
using Detector = std::unique_ptr<UCharsetDetector, DetectorClose>;

DecodedPage make_page(Decoded decoded, const Encoding& encoding, CharsetSource source) {
  return {std::move(decoded.utf8), std::string(encoding.name), source, decoded.replaced};
}

struct Bom {
  const Encoding* encoding;
  std::size_t length;
};

std::optional<Bom> sniff_bom(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return Bom{&kUtf8, 3};
  if (bytes.starts_with("\xFE\xFF")) return Bom{&charset::encoding_named("utf-16be"), 2};
  if (bytes.starts_with("\xFF\xFE")) return Bom{&charset::encoding_named("utf-16le"), 2};
  return std::nullopt;
}

// ------------------------------------------------------------------------------------------
// Detection

// Where the markup starting with the '<' at `pos` ends (just past it), or `pos` when this '<'
// is text. Script and style bodies count as markup: they are not in the page's language.
std::size_t markup_end(std::string_view s, std::size_t pos) {
  const auto past = [&](std::size_t found, std::size_t length) {
    return found == std::string_view::npos ? s.size() : found + length;
  };
  if (base::istarts_with(s.substr(pos), "<!--")) return past(s.find("-->", pos + 4), 3);
  for (std::string_view raw_text : {std::string_view("script"), std::string_view("style")}) {
    const std::size_t after = pos + 1 + raw_text.size();
    if (base::istarts_with(s.substr(pos + 1), raw_text) && after < s.size() &&
        (base::is_html_space(s[after]) || s[after] == '>' || s[after] == '/')) {
      const std::size_t close = base::ifind(s, raw_text == "script" ? "</script" : "</style", after);
      if (close == std::string_view::npos) return s.size();
      return past(s.find('>', close), 1);
    }
  }
  if (pos + 1 < s.size()) {
    const char next = s[pos + 1];
    if (base::is_ascii_alpha(next) || next == '/' || next == '!' || next == '?') {
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
    if (base::is_html_space(c)) {
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
    declared = charset::encoding_declared_in_page(bytes);
  }

  if (declared == &kUtf8) {
    const Utf8Stats stats = scan_utf8(bytes, /*stop_at_invalid=*/false);
    if (is_mostly_utf8(stats)) return make_page(decode_utf8(bytes, stats), kUtf8, source);
    return detect_and_decode(bytes, stats);
  }
  if (declared != nullptr) {
    if (!charset::is_utf16(*declared)) {
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
  const Encoding* encoding = charset::encoding_for_label(label);
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
    const std::string_view name = base::trim(ct.substr(name_start, pos - name_start), base::kHtmlSpace);
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
      while (pos < size && ct[pos] != ';' && ct[pos] != ',' && !base::is_html_space(ct[pos])) ++pos;
      value = ct.substr(value_start, pos - value_start);
      pos = std::min(ct.find(';', pos), size);
    }
    if (base::iequals(name, "charset") && !value.empty()) return value;
  }
  return {};
}

}  // namespace winnow::parsers
