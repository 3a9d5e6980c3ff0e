#include "parsers/extract/text_signals.h"

#include <boost/test/unit_test.hpp>

using namespace winnow::parsers;

BOOST_AUTO_TEST_SUITE(text_signals)

BOOST_AUTO_TEST_CASE(sentences_end_in_any_script) {
  BOOST_TEST(ends_like_sentence("The council voted on Monday."));
  BOOST_TEST(ends_like_sentence("“It is over,” she said.”  "));
  BOOST_TEST(ends_like_sentence("東京は晴れでした。"));
  BOOST_TEST(ends_like_sentence("Что дальше?"));
  BOOST_TEST(ends_like_sentence("هل انتهى؟"));
  BOOST_TEST(ends_like_sentence("परिषद ने मतदान किया।"));
  BOOST_TEST(ends_like_sentence("「終わった」"));
  BOOST_TEST(!ends_like_sentence("Most read"));
  BOOST_TEST(!ends_like_sentence(""));
}

BOOST_AUTO_TEST_CASE(word_characters_are_letters_or_digits_of_any_script) {
  BOOST_TEST(has_word_character("a"));
  BOOST_TEST(has_word_character("2019"));
  BOOST_TEST(has_word_character("Ümlaut"));
  BOOST_TEST(has_word_character("記事"));
  BOOST_TEST(!has_word_character(" • | » © "));
  BOOST_TEST(!has_word_character("—"));
}

BOOST_AUTO_TEST_CASE(script_text_is_code_and_prose_quoting_code_is_not) {
  BOOST_TEST(looks_like_code("var _hbEC=0,_hbE=new Array;function _hbEvent(a,b){b=_hbE[_hbEC++]=new Object();}"));
  BOOST_TEST(looks_like_code("hbx.acct=\"DM570217JBWA\";//ACCOUNT hbx.pn=\"Planet Rugby\";//PAGE NAME"));
  BOOST_TEST(!looks_like_code("\"We need to get people back to work,\" Weinstein was quoted as saying on Friday."));
  BOOST_TEST(!looks_like_code("Call setTimeout(fn, 0) when the queue is empty; the browser runs it after the frame."));
  BOOST_TEST(!looks_like_code("x=1;"));  // too short to tell
}

BOOST_AUTO_TEST_CASE(fold_key_keeps_letters_and_digits_only) {
  BOOST_TEST(fold_key("Council expands bus network | City Times") == "councilexpandsbusnetworkcitytimes");
  BOOST_TEST(fold_key("Ça va, 2024!") == "\xc3\x87" "ava2024");
}

BOOST_AUTO_TEST_CASE(counters_bylines_and_datelines) {
  BOOST_TEST(is_counter_label("12 Sources"));
  BOOST_TEST(is_counter_label("3 min read"));
  BOOST_TEST(!is_counter_label("12 angry men"));
  for (std::string_view label : {"4 min de lecture", "3 Min. Lesezeit", "12 comentarios", "5 мин чтения", "3 分钟阅读",
                                 "2 分で読めます", "7 Kommentare"})
    BOOST_TEST(is_counter_label(label), label);
  BOOST_TEST(slide_number("12/50 Rogue trader freed")->index == 12);
  BOOST_TEST(slide_number("12/50 Rogue trader freed")->count == 50);
  BOOST_TEST(slide_number("3 of 12")->count == 12);
  BOOST_TEST(slide_number("4 de 20 Le port")->index == 4);
  for (std::string_view line : {"0/5 nothing", "7/5 past the count", "5 min read", "2 more stations", "Page 1/5", "1/"})
    BOOST_TEST(!slide_number(line), line);
  BOOST_TEST(has_numeric_date("on 05/10/2018 at noon"));
  BOOST_TEST(has_numeric_date("2018-10-05"));
  BOOST_TEST(!has_numeric_date("version 1.2 released"));
  BOOST_TEST(looks_like_byline("By Jane Doe"));
  BOOST_TEST(looks_like_byline("Nov 19, 2019"));
  BOOST_TEST(!looks_like_byline("Byzantine art returns to the museum"));
  // Other languages: author lines, written dates, CJK dates.
  for (std::string_view line : {"Von Anna Schmidt", "Par Jean Dupont", "Door Piet de Vries", "Автор: Иван Петров",
                                "记者 张伟", "홍길동 기자", "3. Dezember 2026, 10:32 Uhr", "3 декабря 2026",
                                "12 de diciembre de 2026", "3 grudnia 2026", "2026年12月3日 10:32", "2026년 12월 3일"})
    BOOST_TEST(looks_like_byline(line), line);
  for (std::string_view line : {"Ein Tag im Dezember", "Mayor says 2 more stations", "Maison 2 vient d'ouvrir",
                                "Der Marsch der 1000"})
    BOOST_TEST(!looks_like_byline(line), line);
  BOOST_TEST(looks_like_dateline_anywhere("Updated 11:21 pm CST, Tuesday, November 19, 2019"));
  BOOST_TEST(!looks_like_dateline_anywhere("Updated guidance is expected soon"));
}

BOOST_AUTO_TEST_CASE(comment_signatures_are_dated) {
  BOOST_TEST(is_signature("Posted by: tom3465, farnworth on 8:21pm Tue 1 Jan 08"));
  BOOST_TEST(is_signature("Submitted by Anna on 3 March 2020"));
  BOOST_TEST(!is_signature("Posted by the editors"));  // no date: a byline, not a comment
  BOOST_TEST(!is_signature("Makali wrote:"));
}

BOOST_AUTO_TEST_SUITE_END()
