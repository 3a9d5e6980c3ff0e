#include "parsers/charset/decode.h"

#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace winnow::parsers {
namespace {

// `utf8` in the encoding ICU calls `charset`; fails the test if some character has no
// representation there.
std::string encode(std::string_view utf8, const char* charset) {
  UErrorCode status = U_ZERO_ERROR;
  const auto utf8_length = static_cast<int32_t>(utf8.size());
  const int32_t length = ucnv_convert(charset, "UTF-8", nullptr, 0, utf8.data(), utf8_length, &status);
  BOOST_REQUIRE(status == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(status));
  std::string out(static_cast<std::size_t>(length), '\0');
  status = U_ZERO_ERROR;
  ucnv_convert(charset, "UTF-8", out.data(), length, utf8.data(), utf8_length, &status);
  BOOST_REQUIRE_MESSAGE(U_SUCCESS(status), u_errorName(status));
  // ICU substitutes unmappable characters silently: check the round trip instead.
  std::string back(utf8.size() * 2 + 16, '\0');
  status = U_ZERO_ERROR;
  const int32_t back_length = ucnv_convert("UTF-8", charset, back.data(), static_cast<int32_t>(back.size()),
                                           out.data(), length, &status);
  BOOST_REQUIRE(U_SUCCESS(status));
  back.resize(static_cast<std::size_t>(back_length));
  BOOST_REQUIRE_MESSAGE(back == utf8, "text not representable in " << charset);
  return out;
}

bool is_valid_utf8(std::string_view s) {
  int32_t i = 0;
  const auto length = static_cast<int32_t>(s.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(s.data(), i, length, c);
    if (c < 0) return false;
  }
  return true;
}

using namespace std::string_view_literals;

}  // namespace

BOOST_AUTO_TEST_SUITE(charset)

// --- where the encoding comes from -------------------------------------------------------

BOOST_AUTO_TEST_CASE(charset_parameter_is_parsed_leniently) {
  BOOST_TEST(charset_from_content_type("text/html; charset=UTF-8") == "UTF-8");
  BOOST_TEST(charset_from_content_type("text/html;charset=utf-8") == "utf-8");
  BOOST_TEST(charset_from_content_type("text/html; CHARSET=\"Shift_JIS\"") == "Shift_JIS");
  BOOST_TEST(charset_from_content_type("text/html; format=flowed; charset=koi8-r; q=1") == "koi8-r");
  BOOST_TEST(charset_from_content_type("text/html; charset = 'gbk' ") == "gbk");
  BOOST_TEST(charset_from_content_type("text/html; charset=\"we\\\"ird\"") == "we\"ird");
  BOOST_TEST(charset_from_content_type("text/html; charset=utf-8, text/html") == "utf-8");
  BOOST_TEST(charset_from_content_type("text/html; name=\"a;charset=x\"; charset=big5") == "big5");
  BOOST_TEST(charset_from_content_type("text/html; charset=") == "");
  BOOST_TEST(charset_from_content_type("text/html") == "");
  BOOST_TEST(charset_from_content_type("") == "");
}

// --- labels and encodings ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(unknown_label_converts_nothing) {
  BOOST_TEST(!convert_to_utf8("abc", "no-such-thing"));
  BOOST_TEST(!convert_to_utf8("abc", "replacement"));  // WHATWG's name, not a label of ours
  BOOST_TEST(!convert_to_utf8("abc", ""));
}

BOOST_AUTO_TEST_CASE(latin1_label_means_windows_1252) {
  for (const char* label :
       {"latin1", "ISO-8859-1", "iso_8859-1", "us-ascii", "ascii", "cp1252", " Windows-1252\t", "l1"}) {
    const auto page = convert_to_utf8("\x93hi\x94 caf\xE9", label);
    BOOST_TEST_REQUIRE(page.has_value(), label);
    BOOST_TEST(page->charset == "windows-1252", label);
    BOOST_TEST(page->utf8 == "“hi” café", label);
  }
}

BOOST_AUTO_TEST_CASE(windows_1252_undefined_bytes_are_c1_controls) {
  // WHATWG's windows-1252 maps 0x81, 0x8D, 0x8F, 0x90, 0x9D to the C1 controls, not to errors.
  const auto page = convert_to_utf8("\x81\x8D\x8F\x90\x9D", "windows-1252");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->utf8 == "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  BOOST_TEST(page->replaced == 0u);
}

BOOST_AUTO_TEST_CASE(iso_8859_2) {
  const auto page = convert_to_utf8("\xA3\xF3" "d\xBC, \xA9koda", "latin2");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->charset == "iso-8859-2");
  BOOST_TEST(page->utf8 == "Łódź, Škoda");
}

BOOST_AUTO_TEST_CASE(gbk_and_gb18030) {
  for (const char* label : {"gbk", "GB2312", "x-gbk", "chinese"}) {
    const auto page = convert_to_utf8("\xD6\xD0\xCE\xC4", label);
    BOOST_TEST_REQUIRE(page.has_value(), label);
    BOOST_TEST(page->charset == "gbk", label);
    BOOST_TEST(page->utf8 == "中文", label);
  }
  // gb18030 adds four-byte sequences for all of Unicode; 0x80 alone is the euro sign (WHATWG).
  const auto page = convert_to_utf8("\xD6\xD0\xA8\xA6\x94\x39\xFC\x36\xA2\xE3\x80", "GB18030");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->charset == "gb18030");
  BOOST_TEST(page->utf8 == "中é😀€€");
  BOOST_TEST(page->replaced == 0u);
}

BOOST_AUTO_TEST_CASE(shift_jis) {
  for (const char* label : {"Shift_JIS", "sjis", "x-sjis", "windows-31j", "ms_kanji"}) {
    const auto page = convert_to_utf8("\x93\xFA\x96\x7B\x8C\xEA C:\\", label);
    BOOST_TEST_REQUIRE(page.has_value(), label);
    BOOST_TEST(page->charset == "shift_jis", label);
    BOOST_TEST(page->utf8 == "日本語 C:\\", label);  // 0x5C is a backslash, as in browsers
  }
}

BOOST_AUTO_TEST_CASE(euc_jp_and_iso_2022_jp) {
  const auto euc = convert_to_utf8("\xC6\xFC\xCB\xDC\xB8\xEC", "EUC-JP");
  BOOST_TEST_REQUIRE(euc.has_value());
  BOOST_TEST(euc->utf8 == "日本語");
  const auto jis = convert_to_utf8("\x1B$BF|K\\8l\x1B(B!", "iso-2022-jp");
  BOOST_TEST_REQUIRE(jis.has_value());
  BOOST_TEST(jis->utf8 == "日本語!");
}

BOOST_AUTO_TEST_CASE(euc_kr) {
  for (const char* label : {"euc-kr", "ks_c_5601-1987", "korean", "windows-949"}) {
    // 0x8C63 is outside KS X 1001 but in Windows' Unified Hangul Code, which browsers decode.
    const auto page = convert_to_utf8("\xC7\xD1\xB1\xB9\xBE\xEE \x8C\x63", label);
    BOOST_TEST_REQUIRE(page.has_value(), label);
    BOOST_TEST(page->charset == "euc-kr", label);
    BOOST_TEST(page->utf8 == "한국어 똠", label);
  }
}

BOOST_AUTO_TEST_CASE(big5) {
  const auto page = convert_to_utf8("\xA4\xA4\xA4\xE5\xA3\xE1", "big5");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->charset == "big5");
  BOOST_TEST(page->utf8 == "中文€");
}

BOOST_AUTO_TEST_CASE(x_user_defined) {
  const auto page = convert_to_utf8("a\x80\xFF", "x-user-defined");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->utf8 == "a\uF780\uF7FF");
}

BOOST_AUTO_TEST_CASE(supplementary_characters_across_converter_chunks) {
  // Surrogate pairs land on every offset of ICU's output buffer, so some are split.
  std::string utf8 = "x";
  for (int i = 0; i < 20000; ++i) utf8 += i % 3 == 0 ? "😀" : "é";
  const auto page = convert_to_utf8(encode(utf8, "UTF-16LE"), "utf-16le");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->utf8 == utf8);
  BOOST_TEST(page->replaced == 0u);
}

// --- broken input ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(invalid_utf8_is_replaced) {
  // Maximal subparts: an overlong pair is two errors, a surrogate three, a cut sequence one.
  const auto page = convert_to_utf8("a\xFF" "b\xC0\xAF" "c\xED\xA0\x80" "d\xE2\x82" "e\xF0\x9F\x98" "f",
      "utf-8");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->utf8 == "a\uFFFD" "b\uFFFD\uFFFD" "c\uFFFD\uFFFD\uFFFD" "d\uFFFD" "e\uFFFD" "f");
  BOOST_TEST(page->replaced == 8u);
}

BOOST_AUTO_TEST_CASE(truncated_multibyte_at_end) {
  const auto utf8 = convert_to_utf8("abc\xE6\x97", "utf-8");
  BOOST_TEST_REQUIRE(utf8.has_value());
  BOOST_TEST(utf8->utf8 == "abc\uFFFD");
  BOOST_TEST(utf8->replaced == 1u);
  const auto sjis = convert_to_utf8("\x93\xFA\x96", "shift_jis");
  BOOST_TEST_REQUIRE(sjis.has_value());
  BOOST_TEST(sjis->utf8 == "日\uFFFD");
  BOOST_TEST(sjis->replaced == 1u);
  const auto gbk = convert_to_utf8("\xD6\xD0\xCE", "gbk");
  BOOST_TEST_REQUIRE(gbk.has_value());
  BOOST_TEST(gbk->utf8 == "中\uFFFD");
  const auto utf16 = convert_to_utf8("a\0b"sv, "utf-16le");
  BOOST_TEST_REQUIRE(utf16.has_value());
  BOOST_TEST(utf16->utf8 == "a\uFFFD");
  BOOST_TEST(utf16->replaced == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_sequences_in_legacy_encodings_are_counted) {
  // 0x85 0x20: a Shift_JIS lead byte without a valid trail; the space survives.
  const auto page = convert_to_utf8("\x93\xFA\x85 x\xA0", "shift_jis");
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(is_valid_utf8(page->utf8));
  BOOST_TEST(page->utf8.starts_with("日"));
  BOOST_TEST(page->utf8.find(" x") != std::string::npos);
  BOOST_TEST(page->replaced >= 1u);
}

// --- detection of whole pages ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(source_names) {
  BOOST_TEST(to_string(CharsetSource::bom) == "bom");
  BOOST_TEST(to_string(CharsetSource::content_type) == "content_type");
  BOOST_TEST(to_string(CharsetSource::meta) == "meta");
  BOOST_TEST(to_string(CharsetSource::detected) == "detected");
  BOOST_TEST(to_string(CharsetSource::fallback) == "fallback");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::parsers
