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

// A news page around `article_html`: head with a script and a style, English navigation.
std::string news_page(std::string_view lang, std::string_view title, std::string_view article_html) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"";
  page += lang;
  page += "\">\n<head>\n<title>";
  page += title;
  page +=
      "</title>\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<script>\n"
      "  window.dataLayer = window.dataLayer || [];\n"
      "  function gtag() { dataLayer.push(arguments); }\n"
      "  gtag('js', new Date()); gtag('config', 'UA-000000-1');\n"
      "</script>\n"
      "<style>\n"
      "  body { font-family: Georgia, serif; margin: 0 auto; max-width: 42em; }\n"
      "  nav a { padding: 0 .5em; color: #333; } .byline { color: #777; }\n"
      "</style>\n"
      "</head>\n<body>\n"
      "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/city\">City</a>"
      " <a href=\"/sport\">Sport</a> <a href=\"/about\">About us</a></nav>\n"
      "<article>\n<h1>";
  page += title;
  page += "</h1>\n<p class=\"byline\">2024-03-11 09:30</p>\n";
  page += article_html;
  page +=
      "</article>\n"
      "<footer><p>(c) 2024 City News. <a href=\"/privacy\">Privacy</a></p></footer>\n"
      "</body>\n</html>\n";
  return page;
}

std::string paragraphs(std::string_view text) {
  std::string html;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) html.append("<p>").append(text.substr(start, end - start)).append("</p>\n");
    start = end + 1;
  }
  return html;
}

constexpr std::string_view kRussianText =
    "Городская администрация в понедельник представила новый план развития общественного транспорта, "
    "который рассчитан на ближайшие пять лет. По словам заместителя мэра, главная задача состоит в том, "
    "чтобы сократить время поездки из спальных районов в центр города и сделать автобусы и трамваи удобнее "
    "для пожилых людей и родителей с детскими колясками.\n"
    "В первую очередь власти собираются обновить подвижной состав. До конца следующего года на линии выйдут "
    "сто двадцать новых низкопольных автобусов, а также сорок трамваев с кондиционерами и бесплатным "
    "доступом в интернет. Старые машины, которым больше двадцати лет, будут постепенно списаны.\n"
    "Кроме того, планируется открыть три выделенные полосы на главных улицах. Эксперты считают, что это "
    "позволит увеличить среднюю скорость движения автобусов почти вдвое, однако автомобилисты уже выразили "
    "недовольство: по их мнению, пробки на соседних улицах только вырастут.\n"
    "Отдельное внимание в программе уделено остановкам. Каждая из них получит электронное табло с точным "
    "временем прибытия, навес от дождя и скамейки. На некоторых остановках установят зарядные устройства "
    "для телефонов, работающие от солнечных батарей.\n"
    "Финансирование проекта будет разделено между городским бюджетом и федеральной программой. Общая "
    "стоимость работ оценивается в несколько миллиардов рублей. Представители оппозиции в городской думе "
    "заявили, что цифры в документе занижены, и потребовали провести независимую экспертизу.\n"
    "Жители, с которыми поговорили наши корреспонденты, в целом поддерживают идею, но сомневаются, что "
    "обещания будут выполнены в срок. «Нам уже много раз обещали новые трамваи, а ездим мы всё на тех же», "
    "— рассказала пенсионерка Мария Ивановна, которая каждый день добирается до поликлиники с двумя "
    "пересадками.\n"
    "Общественные слушания по проекту пройдут в следующем месяце во всех районах города. Предложения можно "
    "будет также оставить на официальном сайте администрации до конца весны.\n";

constexpr std::string_view kJapaneseText =
    "東京都は月曜日、来年度から始まる新しい防災計画の概要を発表した。大きな地震や豪雨による被害を減らすため、"
    "避難所の数を増やし、高齢者や障害のある人が安全に避難できる仕組みを整えるという。\n"
    "計画によると、都内の小中学校や公民館など約三百か所を新たに避難所として指定する。各避難所には非常用の発電機"
    "や飲料水、毛布などを備え、少なくとも三日間は生活できるようにする方針だ。\n"
    "また、スマートフォンのアプリを使って、住民が近くの避難所の混雑状況をすぐに確認できるようにする。外国人の"
    "住民や観光客のために、案内は英語や中国語、韓国語など十か国語で表示される予定である。\n"
    "専門家は、計画の方向性を評価する一方で、実際に災害が起きたときに職員が足りなくなるおそれがあると指摘して"
    "いる。地域の住民が日ごろから訓練に参加し、お互いに助け合う体制を作ることが大切だという。\n"
    "都の担当者は「一人でも多くの命を守るために、できることから早く進めたい」と話した。計画の詳しい内容は、"
    "来月までに都のホームページで公開される。\n"
    "区役所では今月から、住民向けの説明会を順番に開く。説明会では、家庭で準備しておくべき食料や水の量、家具の"
    "固定の方法なども紹介される。参加は無料で、事前の申し込みは必要ない。\n"
    "昨年の調査では、家具を固定している家庭は全体の半分に満たなかった。都はこの割合を五年以内に八割まで引き上げ"
    "る目標を掲げており、固定具の購入費用の一部を補助する制度も新しく設ける。\n"
    "このほか、大雨のときに川の水位を知らせるカメラを増やし、映像をインターネットで見られるようにする。これまで"
    "は一部の川にしかなかったが、三年後には都内のすべての主な川に設置する計画だ。\n"
    "防災に詳しい大学の教授は「行政の準備だけでは限界がある。一人一人が自分の住む地域の危険を知っておくことが、"
    "いざというときに役に立つ」と話している。\n";

constexpr std::string_view kChineseText =
    "本市教育部门昨天公布了新学年的招生计划，今年全市公办小学将新增学位约八千个，以缓解部分新建住宅区入学难的"
    "问题。相关负责人表示，新增学位主要集中在城市东部和南部，那里近年来人口增长较快。\n"
    "根据计划，今年将有五所新学校投入使用，另外还有十多所学校完成了扩建工程。新学校均配备了图书馆、实验室和室内"
    "体育馆，教室里也安装了新的多媒体设备。\n"
    "为了让家长及时了解报名信息，教育部门开通了网上报名系统。家长可以在手机上查询学区划分、提交材料，并随时查看"
    "审核结果。工作人员提醒，报名时间为下个月一日至十五日，逾期将不再受理。\n"
    "一些家长对记者说，他们最关心的是学校之间的教学质量差距。对此，负责人回答说，今后将继续推进优秀教师在不同"
    "学校之间交流，并加大对新学校的支持力度，争取让每个孩子都能在家门口上好学。\n"
    "专家认为，随着城市规模不断扩大，教育资源的规划必须与住房建设同步进行。只有提前做好预测，才能避免学位紧张的"
    "情况反复出现。\n"
    "此外，今年秋季起，全市小学还将推广课后服务，学生可以在放学后留在学校参加体育、艺术和科技等活动，方便双职工"
    "家庭接送孩子。\n"
    "据了解，教育部门还计划在未来三年内再建设十二所中小学，并对二十所老旧校舍进行改造。届时，全市义务教育阶段的"
    "学位总数将比现在增加约三万个，基本满足新增人口的入学需求。\n"
    "针对部分家长担心的校车和交通安全问题，交警部门表示，开学前将在学校周边增设标志和减速设施，上下学高峰期间"
    "还会安排警力和志愿者在路口维持秩序。\n"
    "不少市民在网上留言，希望新学校能尽快开放运动场地，在周末和假期供附近居民使用。教育部门回应说，将在确保安全"
    "的前提下逐步推进，具体办法另行公布。\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(charset)

// --- where the encoding comes from -------------------------------------------------------

BOOST_AUTO_TEST_CASE(utf8_bom_wins_over_meta) {
  const auto page = decode_html("\xEF\xBB\xBF<meta charset=windows-1251><p>caf\xC3\xA9</p>",
                                "text/html; charset=iso-8859-1");
  BOOST_TEST(page.utf8 == "<meta charset=windows-1251><p>café</p>");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "bom");
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(content_type_charset_is_used) {
  const auto page = decode_html("<p>\xCF\xF0\xE8\xE2\xE5\xF2</p>", "text/html; charset=windows-1251");
  BOOST_TEST(page.utf8 == "<p>Привет</p>");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "content_type");
}

BOOST_AUTO_TEST_CASE(content_type_wins_over_meta) {
  const auto page = decode_html("<meta charset=\"koi8-r\"><p>\xCF\xF0\xE8\xE2\xE5\xF2</p>",
      "text/html;charset=CP1251");
  BOOST_TEST(page.utf8 == "<meta charset=\"koi8-r\"><p>Привет</p>");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "content_type");
}

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

BOOST_AUTO_TEST_CASE(unknown_label_falls_through) {
  const auto page = decode_html("<meta charset=no-such-thing><meta charset=windows-1251>"
                                "<p>\xCF\xF0\xE8\xE2\xE5\xF2</p>",
                                "text/html; charset=x-bogus");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8.find("<p>Привет</p>") != std::string::npos);

  const auto nothing_known = decode_html("<meta charset=utf-9><p>caf\xC3\xA9</p>",
      "text/html; charset=bogus");
  BOOST_TEST(nothing_known.charset == "utf-8");
  BOOST_TEST(to_string(nothing_known.source) == "detected");
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

BOOST_AUTO_TEST_CASE(windows_1252_smart_quotes_decode) {
  const auto declared = decode_html("<p>\x93quoted\x94 \x96 caf\xE9 \x80""5</p>",
      "text/html; charset=iso-8859-1");
  BOOST_TEST(declared.utf8 == "<p>“quoted” – café €5</p>");
  BOOST_TEST(declared.replaced == 0u);
  // Undeclared: not UTF-8, so detected as windows-1252 or fallen back to it.
  const auto undeclared = decode_html("<p>He said \x93it\x92s fine\x94 \x97 at the caf\xE9.</p>", "");
  BOOST_TEST(undeclared.charset == "windows-1252");
  BOOST_TEST(undeclared.utf8 == "<p>He said “it’s fine” — at the café.</p>");
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

BOOST_AUTO_TEST_CASE(koi8_r_detected) {
  // KOI8-R has no typographic quotes and dashes.
  std::string text(kRussianText);
  for (auto [from, to] :
       {std::pair{"«"sv, "\""sv}, std::pair{"»"sv, "\""sv}, std::pair{"—"sv, "-"sv}}) {
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  }
  const std::string utf8 = news_page("ru", "Новый план развития транспорта", paragraphs(text));
  const auto page = decode_html(encode(utf8, "KOI8-R"), "");
  BOOST_TEST(page.charset == "koi8-r");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == utf8);
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

BOOST_AUTO_TEST_CASE(iso_2022_jp_detected) {
  // 7-bit, so valid UTF-8 byte for byte: only the escape sequences give it away.
  const std::string utf8 = news_page("ja", "防災計画", paragraphs(kJapaneseText));
  const auto page = decode_html(encode(utf8, "ISO-2022-JP"), "");
  BOOST_TEST(page.charset == "iso-2022-jp");
  BOOST_TEST(page.utf8 == utf8);
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

BOOST_AUTO_TEST_CASE(utf16le_with_bom) {
  const auto page = decode_html("\xFF\xFE<\0p\0>\0\xE9\0=\xD8\0\xDE"sv, "text/html; charset=windows-1252");
  BOOST_TEST(page.charset == "utf-16le");
  BOOST_TEST(to_string(page.source) == "bom");
  BOOST_TEST(page.utf8 == "<p>é😀");
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(utf16be_with_bom) {
  const auto page = decode_html("\xFE\xFF\0<\0p\0>\0\xE9"sv, "");
  BOOST_TEST(page.charset == "utf-16be");
  BOOST_TEST(page.utf8 == "<p>é");
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

BOOST_AUTO_TEST_CASE(declared_utf8_with_a_few_bad_bytes_stays_utf8) {
  const auto page = decode_html("<meta charset=utf-8><p>Zürich – café \x96 naïve</p>", "");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8 == "<meta charset=utf-8><p>Zürich – café \uFFFD naïve</p>");
  BOOST_TEST(page.replaced == 1u);
}

BOOST_AUTO_TEST_CASE(undeclared_utf8_with_a_bad_byte_is_utf8) {
  const auto page = decode_html("<p>Zürich – café \x96 naïve</p>", "");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == "<p>Zürich – café \uFFFD naïve</p>");
  BOOST_TEST(page.replaced == 1u);
}

BOOST_AUTO_TEST_CASE(declared_utf8_that_is_windows_1252_is_detected) {
  const auto page = decode_html("<meta charset=\"UTF-8\"><p>\x93" "Caf\xE9 cr\xE8me\x94, she said.</p>",
      "text/html");
  BOOST_TEST(page.charset == "windows-1252");
  BOOST_TEST(to_string(page.source) != "meta");
  BOOST_TEST(page.utf8 == "<meta charset=\"UTF-8\"><p>“Café crème”, she said.</p>");
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(declared_legacy_but_valid_utf8_is_utf8) {
  const auto page = decode_html("<p>caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D</p>",
      "text/html; charset=ISO-8859-1");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == "<p>café “quoted”</p>");
  // Pure ASCII keeps the declaration: it decodes the same either way.
  BOOST_TEST(decode_html("<p>plain</p>", "text/html; charset=ISO-8859-1").charset == "windows-1252");
}

BOOST_AUTO_TEST_CASE(binary_input_gives_valid_utf8) {
  std::string bytes(256 * 1024, '\0');
  std::uint32_t state = 12345;
  for (char& b : bytes) {
    state = state * 1664525u + 1013904223u;  // Numerical Recipes LCG
    b = static_cast<char>(state >> 24);
  }
  const auto page = decode_html(bytes, "");
  BOOST_TEST(is_valid_utf8(page.utf8));
  BOOST_TEST(page.utf8.find('\0') == std::string::npos);
  for (const char* label : {"utf-8", "windows-1252", "shift_jis", "gbk", "gb18030", "big5", "euc-jp",
                            "iso-2022-jp", "euc-kr", "utf-16le", "utf-16be", "koi8-r", "iso-8859-8",
                            "x-user-defined", "hz-gb-2312"}) {
    const auto converted = convert_to_utf8(bytes, label);
    BOOST_TEST_REQUIRE(converted.has_value(), label);
    BOOST_TEST(is_valid_utf8(converted->utf8), label);
    BOOST_TEST(converted->utf8.find('\0') == std::string::npos, label);
  }
}

BOOST_AUTO_TEST_CASE(nul_bytes) {
  // Dropped, as the HTML tokenizer drops them from text; not counted as replacements.
  const auto utf8 = decode_html("a\0b\0\xC3\xA9"sv, "");
  BOOST_TEST(utf8.utf8 == "abé");
  BOOST_TEST(utf8.replaced == 0u);
  const auto legacy = decode_html("caf\xE9\0!"sv, "text/html; charset=windows-1252");
  BOOST_TEST(legacy.utf8 == "café!");
  const auto utf16 = decode_html("\xFF\xFE" "a\0\0\0b\0"sv, "");
  BOOST_TEST(utf16.utf8 == "ab");
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

BOOST_AUTO_TEST_CASE(empty_input) {
  const auto page = decode_html("", "text/html; charset=shift_jis");
  BOOST_TEST(page.utf8 == "");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(page.replaced == 0u);
  const auto converted = convert_to_utf8("", "shift_jis");
  BOOST_TEST_REQUIRE(converted.has_value());
  BOOST_TEST(converted->utf8 == "");
}

// --- detection of whole pages ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ascii_page_is_utf8) {
  const auto page = decode_html("<html><body><p>Hello</p></body></html>", "");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "detected");
}

BOOST_AUTO_TEST_CASE(undeclared_utf8_page_is_utf8) {
  const std::string utf8 = news_page("ru", "Новый план", paragraphs(kRussianText));
  const auto page = decode_html(utf8, "text/html");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == utf8);
}

BOOST_AUTO_TEST_CASE(russian_windows_1251_page_detected) {
  const std::string utf8 = news_page("ru", "Новый план развития транспорта", paragraphs(kRussianText));
  const std::string bytes = encode(utf8, "windows-1251");
  BOOST_TEST(bytes.size() > 2000u);
  const auto page = decode_html(bytes, "text/html");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == utf8);
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(japanese_shift_jis_page_detected) {
  const std::string utf8 = news_page("ja", "東京都が新しい防災計画", paragraphs(kJapaneseText));
  const std::string bytes = encode(utf8, "Shift_JIS");
  BOOST_TEST(bytes.size() > 2000u);
  const auto page = decode_html(bytes, "");
  BOOST_TEST(page.charset == "shift_jis");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == utf8);
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(chinese_gbk_page_detected) {
  const std::string utf8 = news_page("zh", "新学年招生计划公布", paragraphs(kChineseText));
  const std::string bytes = encode(utf8, "GBK");
  BOOST_TEST(bytes.size() > 2000u);
  const auto page = decode_html(bytes, "");
  // ICU names GBK text GB18030, its superset; both decode it the same.
  BOOST_TEST(page.charset == "gb18030");
  BOOST_TEST(to_string(page.source) == "detected");
  BOOST_TEST(page.utf8 == utf8);
  BOOST_TEST(page.replaced == 0u);
}

BOOST_AUTO_TEST_CASE(source_names) {
  BOOST_TEST(to_string(CharsetSource::bom) == "bom");
  BOOST_TEST(to_string(CharsetSource::content_type) == "content_type");
  BOOST_TEST(to_string(CharsetSource::meta) == "meta");
  BOOST_TEST(to_string(CharsetSource::detected) == "detected");
  BOOST_TEST(to_string(CharsetSource::fallback) == "fallback");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::parsers
