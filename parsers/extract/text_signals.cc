#include "parsers/extract/text_signals.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "base/ascii.h"
#include "base/utf8.h"
#include "parsers/extract/phrases.h"

namespace winnow::parsers {

// The last visible character of `text`, as a code point's first byte sequence.
bool ends_like_sentence(std::string_view text) {
  text = base::trim_right(text, " \n");
  if (text.empty()) return false;
  char c = text.back();
  if (c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == ')' || c == ':' || c == ';') return true;
  // ” ’ 。 ！ ？ » …, then ． 」 』 ） (CJK), ؟ ۔ (Arabic, Urdu), । ॥ (Devanagari), ։ (Armenian),
  // ። (Ethiopic)
  for (std::string_view tail : {"\xe2\x80\x9d", "\xe2\x80\x99", "\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f",
                                "\xc2\xbb", "\xe2\x80\xa6", "\xef\xbc\x8e", "\xe3\x80\x8d", "\xe3\x80\x8f",
                                "\xef\xbc\x89", "\xd8\x9f", "\xdb\x94", "\xe0\xa5\xa4", "\xe0\xa5\xa5", "\xd6\x89",
                                "\xe1\x8d\xa2"})
    if (text.ends_with(tail)) return true;
  return false;
}

// True when the text has a letter or digit: ASCII alphanumerics, or any non-ASCII code point
// outside the common punctuation and symbol blocks (U+2000-U+2BFF) and Latin-1 signs.
bool has_word_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) return true;
      continue;
    }
    if (c == 0xC2) {  // U+0080-U+00BF: Latin-1 signs (no-break space, «, », ©, ·)
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 1 < text.size()) {  // U+2000-U+2FFF: punctuation, arrows, shapes, bullets
      i += 2;
      continue;
    }
    if (c >= 0xC3) return true;
  }
  return false;
}

// Script text showing as text (a <script> tag the page broke): dense in code punctuation,
// which prose, even prose quoting a little code, is not. 12%: prose full of quotations
// stays under 5%.
bool looks_like_code(std::string_view text) {
  // Most blocks hold none of a statement's marks: no need to count anything.
  if (text.size() < 40 || text.find_first_of(";{=") == std::string_view::npos) return false;
  std::size_t code = 0, visible = 0;
  bool statement = false;
  for (char c : text) {
    if (c == ' ' || c == '\n') continue;
    ++visible;
    switch (c) {
      case '{': case '}': case '(': case ')': case ';': case '=': case '+': case '[': case ']':
      case '<': case '>': case '|': case '&': case '$': case '_': case '\\': case '"': case '/':
        ++code;
        statement = statement || c == ';' || c == '{' || c == '=';
        break;
      default: break;
    }
  }
  return visible >= 40 && statement && code * 100 >= visible * 12;
}

// Lowercase letters and digits only: the key for "the same text" and "the title".
std::string fold_key(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      out.push_back(char(c));  // keep non-ASCII bytes as they are
    } else if (std::isalnum(c)) {
      out.push_back(base::to_lower(char(c)));
    }
  }
  return out;
}

// "12 Sources", "3 min read", "45 comments".
bool is_counter_label(std::string_view text) {
  if (text.size() > 40 || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  std::string t = fold_case(text);
  std::size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == ',' || t[i] == '.')) ++i;
  std::string_view rest = base::trim_left(std::string_view(t).substr(i), " ");
  for (std::string_view unit : {"sources", "source", "comments", "comment", "shares", "views", "min read",
                                "minute read", "minutes read", "mins read", "likes", "replies", "photos", "images",
                                // fr, de, es, it, pt, nl, sv, pl, ru
                                "min de lecture", "minutes de lecture", "commentaires", "partages",
                                "min lesezeit", "min. lesezeit", "minuten lesezeit", "kommentare",
                                "min de lectura", "minutos de lectura", "comentarios", "min di lettura",
                                "minuti di lettura", "commenti", "min de leitura", "minutos de leitura",
                                "comentários", "min leestijd", "minuten leestijd", "reacties", "min läsning",
                                "kommentarer", "min czytania", "komentarzy", "komentarze", "мин чтения",
                                "мин. чтения", "минут чтения", "комментариев", "комментария", "комментарий",
                                // zh, ja, ko
                                "分钟阅读", "条评论", "則留言", "分で読めます", "件のコメント", "분 읽기", "개의 댓글"})
    if (rest == unit) return true;
  return false;
}

std::optional<SlideNumber> slide_number(std::string_view text) {
  auto number = [&](std::size_t& i) -> int {
    int n = 0, digits = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 4; ++i, ++digits)
      n = n * 10 + (text[i] - '0');
    return digits && (i == text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) ? n : -1;
  };
  std::size_t i = 0;
  const int index = number(i);
  if (index <= 0) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && text[i] == '/') {
    ++i;
  } else {  // "3 of 12": a short word between, in any language ("of", "de", "von", "из")
    const std::size_t word = i;
    while (i < text.size() && text[i] != ' ' && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == word || i - word > 6 || i == text.size()) return std::nullopt;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  const int count = number(i);
  if (count < index) return std::nullopt;
  return SlideNumber{index, count};
}

bool is_bare_url(std::string_view text) {
  std::string_view t = text.substr(0, 8);
  const bool scheme = base::iequals(t.substr(0, 7), "http://") || base::iequals(t, "https://");
  return scheme && text.size() > 10 && text.find_first_of(" \n") == std::string_view::npos;
}

// The dated line over a reader's comment: "Posted by: Jane, Leeds on 8:21pm Tue 1 Jan 08".
// ("Jane wrote:" introduces quotations in articles as often as comments.)
bool is_signature(std::string_view text) {
  if (text.size() > 160) return false;
  std::string t = base::to_lower(text);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n')) t.pop_back();
  bool dated = std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  for (std::string_view prefix : {"posted by", "submitted by", "comment by", "comment from", "reply from",
                                  "reply by", "response from"})
    if (t.starts_with(prefix)) return dated;
  return false;
}

// A numeric date: 05/10/2018, 5.10.18, 2018-10-05.
bool has_numeric_date(std::string_view t) {
  for (std::size_t i = 0; i + 5 < t.size(); ++i) {
    auto digits = [&](std::size_t at, int min, int max) {
      int n = 0;
      while (at + n < t.size() && n < max && t[at + n] >= '0' && t[at + n] <= '9') ++n;
      return n >= min ? n : 0;
    };
    int a = digits(i, 1, 4);
    if (!a || (i > 0 && t[i - 1] >= '0' && t[i - 1] <= '9')) continue;
    char sep = t[i + a];
    if (sep != '/' && sep != '.' && sep != '-') continue;
    int b = digits(i + a + 1, 1, 2);
    if (!b || t[i + a + 1 + b] != sep) continue;
    if (digits(i + a + 2 + b, 2, 4)) return true;
  }
  return false;
}

namespace {

// Month names as date lines write them, whole words; Russian and Polish in the genitive that
// dates take.
constexpr std::string_view kMonthNames[] = {
    // en
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july", "aug",
    "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
    // fr
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
    // de
    "januar", "jänner", "februar", "märz", "juni", "juli", "oktober", "dezember", "okt", "dez",
    // es, it, pt
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre",
    "noviembre", "diciembre", "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre",
    "dicembre", "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro",
    "dezembro",
    // nl
    "januari", "februari", "maart", "mei", "augustus",
    // ru, pl
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
    "декабря", "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
    "października", "listopada", "grudnia",
    // tr
    "ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık"};

// A word of `folded` is a month name of kMonthNames.
bool names_a_month(std::string_view folded) {
  std::size_t i = 0;
  while (i < folded.size()) {
    auto letter = [&](std::size_t at) {
      const auto c = static_cast<unsigned char>(folded[at]);
      return c >= 0x80 || std::isalpha(c);
    };
    while (i < folded.size() && !letter(i)) ++i;
    const std::size_t start = i;
    while (i < folded.size() && letter(i)) ++i;
    const std::string_view word = folded.substr(start, i - start);
    if (!word.empty() && std::find(std::begin(kMonthNames), std::end(kMonthNames), word) != std::end(kMonthNames))
      return true;
  }
  return false;
}

// A date with the unit characters of Chinese, Japanese and Korean: 2026年12月3日, 2026년 12월.
bool has_cjk_date(std::string_view t) {
  for (std::string_view year : {"\xe5\xb9\xb4", "\xeb\x85\x84"}) {  // 年 년
    for (std::size_t at = t.find(year); at != std::string_view::npos; at = t.find(year, at + 1)) {
      std::size_t digits = 0;
      while (digits < at && std::isdigit(static_cast<unsigned char>(t[at - digits - 1]))) ++digits;
      if (digits < 2 || digits > 4) continue;
      std::size_t i = at + year.size();
      while (i < t.size() && t[i] == ' ') ++i;
      std::size_t month = 0;
      while (i + month < t.size() && std::isdigit(static_cast<unsigned char>(t[i + month]))) ++month;
      if (month >= 1 && month <= 2) return true;
    }
  }
  return false;
}

}  // namespace

bool looks_like_byline(std::string_view text) {
  const std::string folded = fold_case(text.substr(0, 150));
  const std::string_view t = base::trim(folded, " ");
  // An author's or a publication line.
  for (std::string_view prefix : {"by ", "posted ", "published ", "updated ", "written by", "last updated",
                                  "curated by", "compiled by", "reported by", "edited by", "produced by",
                                  "publicado", "publi\xc3\xa9", "ver\xc3\xb6" "ffentlicht", "diterbitkan", "por ",
                                  "von ", "par ", "door ", "av ", "af ", "di ", "escrito por", "scritto da",
                                  "geschrieben von", "écrit par", "autor:", "autore:", "auteur :", "auteur:",
                                  "автор", "作者", "记者", "記者", "文／", "文/", "yazar:", "tác giả", "napisał",
                                  "kirjoittanut", "szerző:"})
    if (t.starts_with(prefix)) return true;
  // A reporter's name and title, as Korean, Chinese and Japanese papers sign.
  if (t.size() <= 60 && (t.ends_with("기자") || t.ends_with("记者") || t.ends_with("記者") || t.ends_with("特派員")))
    return true;
  // A date: numeric anywhere in the line; written out in a short one.
  if (has_numeric_date(t)) return true;
  const bool has_digit = std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto chars = std::count_if(t.begin(), t.end(), [](char c) { return !base::is_utf8_continuation(static_cast<unsigned char>(c)); });
  return has_digit && chars <= 60 && (has_cjk_date(t) || names_a_month(t));
}

// "Updated 11:21 pm CST, Tuesday, November 19, 2019" below the article, too.
bool looks_like_dateline_anywhere(std::string_view text) {
  std::string t = base::to_lower(text.substr(0, 80));
  bool stamped = t.starts_with("updated ") || t.starts_with("published ") || t.starts_with("posted on") ||
                 t.starts_with("last updated") || t.starts_with("first published");
  return stamped && std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace winnow::parsers
