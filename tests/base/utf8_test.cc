#include "base/utf8.h"

#include <boost/test/unit_test.hpp>

namespace winnow::base {
namespace {

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(utf8_validation_and_repair) {
  BOOST_TEST(is_valid_utf8("plain \u00e9 \u2603 \U0001F600"));
  BOOST_TEST(!is_valid_utf8("\xC3\x28"));
  BOOST_TEST(!is_valid_utf8("\xED\xA0\x80"));  // a surrogate
  BOOST_TEST(!is_valid_utf8("\xC0\xAF"));      // overlong
  BOOST_TEST(valid_utf8("a\xFF" "b") == "a\uFFFD" "b");
  BOOST_TEST(valid_utf8("\xE2\x82") == "\uFFFD\uFFFD");
}

BOOST_AUTO_TEST_CASE(sequence_lengths_follow_unicode_well_formedness) {
  BOOST_TEST(utf8_sequence_length("a", 0) == 1);
  BOOST_TEST(utf8_sequence_length("\xC3\xA9", 0) == 2);
  BOOST_TEST(utf8_sequence_length("\xE2\x98\x83", 0) == 3);
  BOOST_TEST(utf8_sequence_length("\xF0\x9F\x98\x80", 0) == 4);
  BOOST_TEST(utf8_sequence_length("\xF4\x90\x80\x80", 0) == 0);  // past U+10FFFF
  BOOST_TEST(utf8_sequence_length("\xE0\x80\xAF", 0) == 0);      // overlong
  BOOST_TEST(utf8_sequence_length("\xC3", 0) == 0);              // cut short
  BOOST_TEST(utf8_sequence_length("\xA9", 0) == 0);              // a continuation byte
  BOOST_TEST(utf8_sequence_length("x\xC3\xA9", 1) == 2);
}

BOOST_AUTO_TEST_CASE(decode_steps_skip_maximal_ill_formed_prefixes) {
  BOOST_TEST(utf8_decode_step("a", 0) == 1);
  BOOST_TEST(utf8_decode_step("\xE2\x98\x83", 0) == 3);
  BOOST_TEST(utf8_decode_step("\xF0\x9F\x98\x80", 0) == 4);
  // Each ill-formed prefix is one U+FFFD, as in Unicode's table 3-8 and the WHATWG decoder.
  BOOST_TEST(utf8_decode_step("\xFF", 0) == -1);
  BOOST_TEST(utf8_decode_step("\xC0\xAF", 0) == -1);          // C0 never starts a sequence
  BOOST_TEST(utf8_decode_step("\xE2\x82", 0) == -2);          // cut short by the end
  BOOST_TEST(utf8_decode_step("\xE2\x82x", 0) == -2);         // cut short by an ASCII byte
  BOOST_TEST(utf8_decode_step("\xE0\x80\xAF", 0) == -1);      // overlong: E0 needs A0..BF
  BOOST_TEST(utf8_decode_step("\xED\xA0\x80", 0) == -1);      // a surrogate: ED needs 80..9F
  BOOST_TEST(utf8_decode_step("\xF0\x9F\x98", 0) == -3);
  BOOST_TEST(utf8_decode_step("\xF4\x90\x80\x80", 0) == -1);  // past U+10FFFF
  BOOST_TEST(utf8_decode_step("x\xC3\xA9", 1) == 2);
}

BOOST_AUTO_TEST_CASE(lead_bytes_announce_lengths_without_checking) {
  BOOST_TEST(utf8_lead_length('a') == 1u);
  BOOST_TEST(utf8_lead_length(0xA9) == 1u);  // a stray continuation counts as one byte
  BOOST_TEST(utf8_lead_length(0xC3) == 2u);
  BOOST_TEST(utf8_lead_length(0xE2) == 3u);
  BOOST_TEST(utf8_lead_length(0xF0) == 4u);
  BOOST_TEST(is_utf8_continuation(0x80));
  BOOST_TEST(is_utf8_continuation(0xBF));
  BOOST_TEST(!is_utf8_continuation(0xC0));
  BOOST_TEST(!is_utf8_continuation('a'));
}

BOOST_AUTO_TEST_CASE(code_points_encode_and_read_back) {
  std::string out;
  for (char32_t c : {U'a', U'\u00e9', U'\u20ac', U'\U0001F600', U'\U0010FFFF'}) append_utf8(out, c);
  BOOST_TEST(out == "a\u00e9\u20ac\U0001F600\U0010FFFF");
  BOOST_TEST(is_valid_utf8(out));
  char buffer[4];
  BOOST_TEST(std::string_view(buffer, encode_utf8(U'\u07ff', buffer)) == "\u07ff");
  BOOST_TEST(std::string_view(buffer, encode_utf8(U'\uffff', buffer)) == "\uffff");
  BOOST_TEST(std::string_view(buffer, encode_utf8(U'\U00010000', buffer)) == "\U00010000");
  BOOST_TEST(std::string_view(kReplacementUtf8) == "\ufffd");
}

BOOST_AUTO_TEST_CASE(controls_a_terminal_acts_on_become_replacement_characters) {
  const std::string r(kReplacementUtf8);
  BOOST_TEST(without_controls("a\x1b[31mred\x1b[0m") == "a" + r + "[31mred" + r + "[0m");
  BOOST_TEST(without_controls("\x1b]0;pwned\x07 title") == r + "]0;pwned" + r + " title");
  BOOST_TEST(without_controls("csi \xc2\x9b" "2J, del \x7f, cr \r") == "csi " + r + "2J, del " + r + ", cr " + r);
  // Tab and newline stay; so does what merely looks close: U+00A0, U+00E9, U+2028.
  BOOST_TEST(without_controls("a\tb\nc \xc2\xa0\xc3\xa9\xe2\x80\xa8") == "a\tb\nc \xc2\xa0\xc3\xa9\xe2\x80\xa8");
  // Broken UTF-8 is repaired as valid_utf8() does, the lone C1 lead included.
  BOOST_TEST(without_controls("x\xff\xc2") == "x" + r + r);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::base
