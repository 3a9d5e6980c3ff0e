#include "parsers/extract/noise.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/ascii.h"
#include "parsers/extract/phrases.h"
#include "parsers/extract/text_signals.h"
#include "parsers/html/document.h"

namespace winnow::parsers {
namespace {

using namespace std::string_view_literals;

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return text.starts_with(p); });
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return text.find(n) != std::string_view::npos; });
}

bool equals_any(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

// Splits class and id values into lowercase words: "article__share-bar" -> article, share, bar;
// "relatedStories" -> related, stories. Also keeps the whole lowercased value for compounds.
struct AttributeWords {
  std::vector<std::string> words;
  std::string joined;  // all values lowercased, separated by spaces

  bool has(std::string_view w) const { return std::find(words.begin(), words.end(), w) != words.end(); }
  bool has_prefix(std::string_view p) const {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return w.starts_with(p); });
  }
  bool joined_has(std::string_view s) const { return joined.find(s) != std::string::npos; }
};

void add_words(std::string_view value, AttributeWords& out) {
  std::string word;
  auto push = [&] {
    if (!word.empty()) out.words.push_back(std::move(word));
    word.clear();
  };
  char prev = 0;
  for (char c : value) {
    bool alpha = base::is_ascii_alpha(c);
    bool digit = base::is_ascii_digit(c);
    if (!alpha && !digit) {
      push();
    } else {
      if (c >= 'A' && c <= 'Z' && prev >= 'a' && prev <= 'z') push();  // camelCase
      word.push_back(base::to_lower(c));
    }
    out.joined.push_back(base::to_lower(c));
    prev = c;
  }
  push();
  out.joined.push_back(' ');
}

// True for an id made from a heading or a title ("sharing-with-a-single-developer", as
// documentation generators and Markdown renderers write them): four or more words, one of
// them a function word. Its words name the section's topic, not its role on the page.
bool is_title_slug(std::string_view id) {
  int words = 0;
  bool function_word = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= id.size(); ++i) {
    if (i < id.size() && id[i] != '-' && id[i] != '_') continue;
    std::string_view word = id.substr(start, i - start);
    if (!word.empty()) {
      ++words;
      if (equals_any(word, {"a", "an", "the", "of", "with", "and", "or", "for", "to", "in", "on", "into", "from",
                            "is", "are", "how", "what", "why", "when", "your", "you", "our", "we", "it"}))
        function_word = true;
    }
    start = i + 1;
  }
  return words >= 4 && function_word;
}

// The class and id values of an element, each whitespace-separated token on its own.
std::vector<std::string_view> attribute_tokens(std::string_view class_value, std::string_view id_value) {
  std::vector<std::string_view> tokens;
  if (is_title_slug(id_value)) id_value = {};
  for (std::string_view value : {class_value, id_value}) {
    if (value.size() > 400) value = value.substr(0, 400);
    while (!value.empty()) {
      std::size_t start = value.find_first_not_of(" \t\n\r\f");
      if (start == std::string_view::npos) break;
      value.remove_prefix(start);
      std::size_t end = std::min(value.find_first_of(" \t\n\r\f"), value.size());
      tokens.push_back(value.substr(0, end));
      value.remove_prefix(end);
    }
  }
  return tokens;
}

std::optional<Removal> removal_by_words(const AttributeWords& w) {
  if (w.words.empty()) return std::nullopt;
  // Most specific first: a "related-share" bar is a share bar.
  if (w.has("cookie") || w.has("cookies") || w.has("consent") || w.has("gdpr") || w.has("cmp"))
    return Removal::cookie_banner;
  if (w.has("comment") || w.has("comments") || w.has("disqus") || w.has("respond") ||
      w.has("commentlist") || w.joined_has("comment-list") || w.has("replies"))
    return Removal::comments;
  if (w.has("newsletter") || w.has("subscribe") || w.has("subscription") || w.has("signup") ||
      w.joined_has("sign-up") || w.has("optin") || w.has("mailchimp"))
    return Removal::newsletter;
  // Embedded posts ("social-media-embed", "twitter-tweet") quote what the article discusses.
  const bool embed = w.has("embed") || w.has("embedded") || w.has("tweet") || w.joined_has("instagram-media");
  if (!embed && (w.has("share") || w.has("sharing") || w.has("social") || w.has("sharebar") || w.has("addthis") ||
      w.has("sharethis") || w.has("shares") || w.has("socials") || w.has("sociallinks")))
    return Removal::share;
  if (w.has("ad") || w.has("ads") || w.has("adv") || w.has_prefix("advert") || w.has("adslot") ||
      w.has("adunit") || w.has("dfp") || w.has("gpt") || w.has_prefix("sponsor") || w.has("promo") ||
      w.has("promoted") || w.has("outbrain") || w.has("taboola") || w.has("adsbygoogle") ||
      w.has("commercial") || w.has("banner") || w.has("teaser") || w.has("mpu") || w.has("leaderboard"))
    return Removal::advertisement;
  if (w.joined_has("mostread") || w.joined_has("most-read") || w.joined_has("most_read") ||
      w.joined_has("mostpopular") || w.joined_has("most-popular") || w.has("popular") || w.has("trending") ||
      w.joined_has("mostviewed") || w.joined_has("most-viewed"))
    return Removal::most_read;
  if (w.has("related") || w.has("relatedposts") || w.has("recommended") || w.has("recommendations") ||
      w.has("recirc") || w.has("recirculation") || w.joined_has("read-more") || w.joined_has("readmore") ||
      w.joined_has("see-also") || w.joined_has("morestories") || w.joined_has("more-stories") ||
      w.has("sidebar") || w.has("widget") || w.has("rail") || w.has("aside") || w.has("suggested") ||
      w.has("poll") || w.has("polls"))
    return Removal::related;
  if (w.has("nav") || w.has("navbar") || w.has("navigation") || w.has("menu") || w.has("breadcrumb") ||
      w.has("breadcrumbs") || w.has("pagination") || w.has("pager") || w.has("skip") || w.has("toc"))
    return Removal::navigation;
  if (w.has("footer") || w.has("colophon")) return Removal::footer;
  if (w.has("bio") || w.has("biography") || w.joined_has("authorbio") || w.joined_has("author-bio") ||
      w.joined_has("about-author") || w.joined_has("author-box") || w.joined_has("authorbox") ||
      w.joined_has("author-info"))
    return Removal::author_bio;
  if (w.has("disclaimer") || w.has("copyright")) return Removal::disclaimer;
  if (w.has("loading") || w.has("loader") || w.has("spinner") || w.has("skeleton")) return Removal::loading;
  if (w.has("caption") || w.has("credit") || w.has("credits") || w.joined_has("wp-caption-text"))
    return Removal::caption;
  if (w.has("tags") || w.has("tagcloud") || w.has("tag") || w.has("topics") || w.has("keywords"))
    return Removal::tags;
  if (w.has("byline") || w.has("dateline") || w.has("timestamp") || w.has("author") || w.has("meta") ||
      w.has("published") || w.has("posted"))
    return Removal::byline;
  if (w.joined_has("sr-only") || w.joined_has("screen-reader") || w.joined_has("visually-hidden") ||
      w.joined_has("visuallyhidden") || w.has("hidden") || w.has("offscreen") || w.has("modal") ||
      w.has("popup") || w.has("lightbox"))
    return Removal::boilerplate;
  return std::nullopt;
}

// Class/id words saying "this is the article": such an element is never noise by its words.
bool names_content(const AttributeWords& w) {
  return w.has("article") || w.has("content") || w.has("body") || w.has("entry") || w.has("story") ||
         w.has("post") || w.has("main") || w.has("text") || w.has("prose") || w.has("richtext");
}

// "Jane Doe is a Special Correspondent for Reuters covering ...": a name of two to four
// capitalised words, "is a/an/the", and a newsroom role in the first sentence.
bool looks_like_author_bio(std::string_view text) {
  std::string_view head = text.substr(0, 200);
  std::size_t is_at = std::string_view::npos;
  for (std::string_view verb : {" is a ", " is an ", " is the "})
    is_at = std::min(is_at, head.find(verb));
  if (is_at == std::string_view::npos || is_at > 60) return false;
  int words = 0;
  bool capitalised = true;
  std::size_t i = 0;
  while (i < is_at) {
    while (i < is_at && head[i] == ' ') ++i;
    if (i >= is_at) break;
    ++words;
    if (!(head[i] >= 'A' && head[i] <= 'Z')) capitalised = false;
    while (i < is_at && head[i] != ' ') ++i;
  }
  if (words < 2 || words > 4 || !capitalised) return false;
  std::size_t sentence_end = head.find(". ", is_at);
  std::string first = base::to_lower(head.substr(is_at, sentence_end == std::string_view::npos ? head.npos : sentence_end - is_at));
  return contains_any(first, {"correspondent", "reporter", "writer", "editor", "journalist", "columnist",
                              "contributor", "freelance", "staff", "author of", "covering", "covers"});
}

// "[button link=... ]Send us your review[/button]": a shortcode the CMS did not render.
bool looks_like_shortcode(std::string_view s) {
  if (s.size() < 4 || s.front() != '[') return false;
  std::size_t close = s.find(']');
  if (close == std::string_view::npos || close < 2) return false;
  std::string_view inside = s.substr(1, close - 1);
  if (!(inside[0] >= 'a' && inside[0] <= 'z') && inside[0] != '/') return false;
  return inside.find('=') != std::string_view::npos || s.find("[/") != std::string_view::npos;
}

// A token such as "entry-content" or "article-body" names the article; "sponsored-content"
// or "comment-body" does not, since its own words also name noise.
// Comments are the exception: "comment-box user-post-box" is a comment however much its
// other token sounds like a post.
std::optional<Removal> removal_by_class_and_id(std::string_view class_value, std::string_view id_value) {
  AttributeWords all;
  bool content = false;
  for (std::string_view token : attribute_tokens(class_value, id_value)) {
    AttributeWords one;
    add_words(token, one);
    if (names_content(one) && !removal_by_words(one)) content = true;
    add_words(token, all);
  }
  std::optional<Removal> noise = removal_by_words(all);
  if (content && noise != Removal::comments) return std::nullopt;
  return noise;
}

}  // namespace

std::optional<Removal> removal_by_markup(const GumboNode& element) {
  switch (element.v.element.tag) {
    case GUMBO_TAG_NAV: return Removal::navigation;
    case GUMBO_TAG_FOOTER: return Removal::footer;
    case GUMBO_TAG_HEADER: return Removal::header;
    case GUMBO_TAG_ASIDE: return Removal::related;
    case GUMBO_TAG_FORM: return Removal::form;
    case GUMBO_TAG_FIGCAPTION: return Removal::caption;
    default: break;
  }
  std::string_view role = attribute(element, "role");
  if (role == "navigation" || role == "menu" || role == "menubar" || role == "search") return Removal::navigation;
  if (role == "banner") return Removal::header;
  if (role == "contentinfo") return Removal::footer;
  if (role == "complementary") return Removal::related;
  if (role == "dialog" || role == "alertdialog") return Removal::boilerplate;
  const std::string_view class_value = attribute(element, "class");
  const std::string_view id_value = attribute(element, "id");
  if (class_value.empty() && id_value.empty()) return std::nullopt;
  // The answer depends on the two values only, and pages repeat them on element after
  // element (and a site on page after page): each thread remembers recent answers.
  // 32,768: the farm of daemon_bench (181 sites interleaved) has some 27,000 distinct
  // class/id pairs, and clearing at 8,192 made most lookups miss. About 4 MB per thread.
  constexpr std::size_t kRememberedAnswers = 32'768;
  thread_local std::unordered_map<std::string, std::optional<Removal>> answers;
  std::string key;
  key.reserve(class_value.size() + id_value.size() + 1);
  key.append(class_value).append(1, '\0').append(id_value);
  if (auto it = answers.find(key); it != answers.end()) return it->second;
  std::optional<Removal> answer = removal_by_class_and_id(class_value, id_value);
  if (answers.size() >= kRememberedAnswers) answers.clear();  // a bound; any subset is correct
  answers.emplace(std::move(key), answer);
  return answer;
}



std::optional<Removal> removal_by_text(std::string_view text, int width, double link_density) {
  if (width > 600) return std::nullopt;
  std::string t = fold_case(text.substr(0, 300));
  // Trim trailing punctuation and ellipses that vary between sites.
  std::string_view s = base::trim_right(t, ".: !");
  if (s.ends_with("\xe2\x80\xa6")) s.remove_suffix(3);  // …

  if (width <= 60 && equals_any(s, {"advertisement", "advertisements", "advertising", "ad", "ads", "advert", "sponsored",
                                    "sponsored content", "paid content", "promoted", "paid post", "anzeige",
                                    "publicidade", "publicidad", "werbung", "\xd1\x80\xd0\xb5\xd0\xba\xd0\xbb\xd0\xb0\xd0\xbc\xd0\xb0",
                                    "publicité", "pubblicità", "reklama", "advertentie", "annons", "mainos", "reklame", "reklam",
                                    "広告", "广告", "廣告", "광고", "διαφήμιση", "إعلان", "quảng cáo", "विज्ञापन", "inzerce",
                                    "hirdetés", "reclamă", "реклама", "anuncio", "advertorial",
                                    "story continues below advertisement", "article continues below advertisement",
                                    "continue reading below", "article continues below", "continue reading the main story",
                                    "scroll to continue with content", "skip advertisement", "supported by"}))
    return Removal::advertisement;
  if (width <= 60 && starts_with_any(s, {"loading", "please wait"})) return Removal::loading;
  // Notices for readers without JavaScript, and raw WordPress shortcodes ("[button ...]").
  if (width <= 120 && contains_any(s, {"requires javascript", "enable javascript", "javascript is disabled",
                                       "javascript must be enabled", "javascript to view"}))
    return Removal::boilerplate;
  if (width <= 300 && looks_like_shortcode(s)) return Removal::boilerplate;
  // A bare URL in plain text is a print header's or footer's "https://...", not prose. (One
  // that is a link is a source the article names: the extractor decides on those.)
  if (width <= 300 && link_density < 0.5 && is_bare_url(s)) return Removal::boilerplate;
  if (width <= 400 && contains_any(s, {"coment\xc3\xa1rios", "comentarios", "comments are moderated", "comment policy",
                                       "kommentare", "\xd0\xba\xd0\xbe\xd0\xbc\xd0\xbc\xd0\xb5\xd0\xbd\xd1\x82\xd0\xb0\xd1\x80\xd0\xb8"}) &&
      contains_any(s, {"moderat", "aprovad", "respeit", "policy", "rules", "regeln", "\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb"}))
    return Removal::comments;
  // Promotions end in a call to action.
  if (width <= 200 && (s.ends_with("learn more") || s.ends_with("find out more") || s.ends_with("shop now") ||
                       s.ends_with("buy now") || s.ends_with("get started") || s.ends_with("sign up now") ||
                       s.ends_with("join now") || s.ends_with("try it free") || s.ends_with("download now")))
    return Removal::advertisement;
  if (width <= 40 && (starts_with_any(s, {"share ", "share:", "tweet ", "follow us", "follow on"}) ||
                      equals_any(s, {"share", "share this", "tweet", "email", "print", "facebook", "twitter",
                                     "linkedin", "whatsapp", "pinterest", "reddit", "copy link", "link copied",
                                     "partager", "teilen", "compartir", "condividi", "compartilhar", "partilhar",
                                     "поделиться", "udostępnij", "delen", "dela", "シェア", "分享", "공유", "compartilhe",
                                     "共有", "paylaş", "chia sẻ", "sdílet", "megosztás", "مشاركة", "κοινοποίησε",
                                     "поширити", "शेयर", "jaa",
                                     "copied", "share link", "save", "bookmark", "flipboard", "telegram", "x"})))
    return Removal::share;
  if (width <= 60 && (starts_with_any(s, {"leave a comment", "leave a reply", "add a comment", "post a comment",
                                          "show comments", "view comments", "join the conversation", "comments ("}) ||
                      equals_any(s, {"comments", "comment", "commentaires", "kommentare", "comentarios", "commenti",
                                     "comentários", "комментарии", "komentarze", "reacties", "kommentarer",
                                     "コメント", "评论", "評論", "留言", "댓글", "yorumlar", "التعليقات", "σχόλια",
                                     "komentáře", "bình luận", "टिप्पणियाँ", "kommentit", "hozzászólások",
                                     "comentarii", "коментарі"})))
    return Removal::comments;
  // A paragraph longer than a blurb and without a link is the article's own, even when it
  // talks about cookies or signing up for something: a newsletter box or a cookie notice
  // says its piece in a sentence or two and links to the form or the policy. (150 and 200
  // give the same dev-set figures.)
  constexpr int kBlurbChars = 200;
  const bool plain_paragraph = width > kBlurbChars && link_density == 0;
  if (width <= 400 && !plain_paragraph && (s.find("cookie") != std::string_view::npos || s.find("クッキー") != std::string_view::npos) &&
      contains_any(s, {"accept", "consent", "we use", "uses cookies", "use cookies", "privacy", "agree",
                       "akzept", "zustimm", "verwendet cookies", "nutzt cookies", "setzt cookies", "utilise des cookies",
                       "utiliza cookies", "utilizza cookie", "usa cookies", "gebruikt cookies", "używa plików cookie",
                       "использует cookie", "使用cookie", "使用 cookie", "cookieを使用", "einwillig", "datenschutz", "wir verwenden", "accepte", "consentement",
                       "nous utilisons", "confidentialité", "acept", "consentimiento", "utilizamos", "privacidad",
                       "accett", "consenso", "utilizziamo", "aceit", "privacidade", "usamos", "accepteer",
                       "toestemming", "wij gebruiken", "we gebruiken", "akceptuj", "zgod", "używamy", "prywatno",
                       "принять", "согласи", "мы используем", "同意", "隐私", "隱私", "プライバシー",
                       "동의", "개인정보", "kabul", "kullanıyoruz", "souhlas", "elfogad", "acceptă", "chấp nhận"}))
    return Removal::cookie_banner;
  if (width <= 300 &&
      (starts_with_any(s, {"subscribe", "sign up", "signup", "get our newsletter", "join our newsletter",
                           "newsletter", "get the latest", "stay informed", "stay on top", "stay up to date",
                           "never miss", "don't miss out", "get daily", "get the best", "want more"}) ||
       (!plain_paragraph && contains_any(s, {"newsletter", "in your inbox", "to your inbox", "subscribe to", "sign up for", "sign up to",
                        "delivered to your", "subscribe now", "subscribe for", "subscribe today"}))))
    return Removal::newsletter;
  if ((link_density > 0.3 || width <= 120) &&
      starts_with_any(s, {"see also", "read more", "read also", "also read", "related:", "related articles",
                          "related stories", "related coverage", "related content", "related news", "more:",
                          "read next", "recommended", "watch:", "listen:", "read:", "click here", "more on this",
                          "further reading", "more from", "read the full", "continue reading", "leia também",
                          "leia mais", "veja também", "lesen sie auch", "mehr zum thema", "baca juga",
                          "lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "lee también", "lea también",
                          "ver también", "leggi anche", "vedi anche", "saiba mais", "czytaj także", "czytaj też",
                          "zobacz też", "zobacz także", "lees ook", "läs också", "les også", "læs også",
                          "смотрите также", "相关阅读", "延伸阅读", "延伸閱讀", "相關新聞", "関連記事", "あわせて読みたい",
                          "관련기사", "devamını oku", "اقرأ أيضا", "اقرأ أيضاً", "διαβάστε επίσησ", "čtěte také",
                          "čtěte též", "xem thêm", "đọc thêm", "ये भी पढ़ें", "यह भी पढ़ें", "читайте також",
                          "lue myös", "citește și", "olvasd el",
                          "\xd1\x87\xd0\xb8\xd1\x82\xd0\xb0\xd0\xb9\xd1\x82\xd0\xb5 \xd1\x82\xd0\xb0\xd0\xba\xd0\xb6\xd0\xb5"}))
    return Removal::see_also;
  if (width <= 500 && (starts_with_any(s, {"disclaimer", "the information provided", "this article is for informational",
                                           "this content is for informational"}) ||
                       contains_any(s, {"not trading advice", "not investment advice", "not financial advice",
                                        "does not constitute investment", "for informational purposes only",
                                        "does not constitute financial", "subject to copyright",
                                        "may be reproduced without"})))
    return Removal::disclaimer;
  if (width <= 200 && starts_with_any(s, {"about the author", "about the writer"})) return Removal::author_bio;
  if (width <= 700 && looks_like_author_bio(text)) return Removal::author_bio;
  if (width <= 160 && starts_with_any(s, {"photo:", "photo by", "photo credit", "photos by", "photograph:", "photograph by", "image:", "image credit",
                                          "image source", "credit:", "picture:", "illustration:", "(photo", "photos:",
                                          "foto:", "getty images", "file photo", "pictured:"}))
    return Removal::caption;
  if (width <= 60 && starts_with_any(s, {"tags:", "topics:", "filed under", "categories:", "category:", "suggested topics", "related topics",
                                         "tagged:", "tagged with", "more about:"}))
    return Removal::tags;
  return std::nullopt;
}

std::optional<Removal> removal_by_widget_heading(std::string_view text, int width) {
  if (width > 60) return std::nullopt;
  std::string t = fold_case(text);
  std::string_view s = base::trim_right(t, ": ");
  if (starts_with_any(s, {"most read", "most popular", "most viewed", "most shared", "most commented", "trending",
                          "popular now", "popular stories", "popular posts", "top stories", "editor's choice",
                          "editors' choice", "editor's picks", "editors' picks", "editor\xe2\x80\x99s choice",
                          "editor\xe2\x80\x99s picks", "what's hot", "top news",
                          "les plus lus", "les plus lues", "meistgelesen", "meist gelesen", "lo más leído",
                          "lo más visto", "más leídas", "más leídos", "i più letti", "più letti", "più lette",
                          "mais lidas", "mais lidos", "mais vistas", "самое читаемое", "самое популярное",
                          "najczęściej czytane", "najpopularniejsze", "meest gelezen", "mest lästa", "mest læste",
                          "mest leste", "人気記事", "よく読まれている", "热门文章", "热门新闻", "排行榜",
                          "많이 본", "en çok okunan", "terpopuler", "熱門文章", "熱門新聞", "最多人看",
                          "الأكثر قراءة", "الأكثر مشاهدة", "nejčtenější", "najčítanejšie", "legolvasottabb",
                          "cele mai citite", "най-четени", "найчитаніше", "найпопулярніше", "τα πιο δημοφιλή",
                          "πιο δημοφιλή", "τα πιο διαβασμένα", "đọc nhiều", "tin đọc nhiều", "xem nhiều",
                          "सबसे ज्यादा पढ़ी", "सबसे ज़्यादा पढ़ी", "ข่าวยอดนิยม", "luetuimmat", "mest lest", "mest læst"}))
    return Removal::most_read;
  if (s == "related" ||
      starts_with_any(s, {"related stories", "related articles", "related posts", "related news", "related content",
                          "related links", "related reading", "related topics", "related:", "related video",
                          "see also", "read more", "more from", "more stories", "more news", "more on",
                          "you may also like", "you might also like", "you may like", "recommended", "read next",
                          "latest news", "latest stories", "latest posts", "latest articles", "latest ",
                          "also on", "don't miss", "don\xe2\x80\x99t miss", "further reading", "more in",
                          "what to read next", "up next", "more to explore", "around the web", "from the web",
                          "in case you missed", "previous post", "next post", "recent posts", "explore further",
                          "to better understand", "to go further", "to learn more", "understand better",
                          "frequently asked questions", "faq",
                          "you may be interested", "other stories", "related coverage", "more coverage",
                          "voc\xc3\xaa pode gostar", "veja tamb\xc3\xa9m", "leia tamb\xc3\xa9m", "mat\xc3\xa9rias relacionadas",
                          "lesen sie auch", "mehr zum thema", "baca juga", "berita terkait",
                          "\xd1\x87\xd0\xb8\xd1\x82\xd0\xb0\xd0\xb9\xd1\x82\xd0\xb5 \xd1\x82\xd0\xb0\xd0\xba\xd0\xb6\xd0\xb5",
                          "\xd0\xbf\xd0\xbe\xd1\x85\xd0\xbe\xd0\xb6\xd0\xb8\xd0\xb5",
                          "à lire aussi", "a lire aussi", "lire aussi", "sur le même sujet", "dans la même rubrique",
                          "articles similaires", "das könnte sie auch interessieren", "weitere artikel",
                          "auch interessant", "te puede interesar", "también te puede interesar",
                          "noticias relacionadas", "lee también", "leggi anche", "potrebbe interessarti",
                          "ti potrebbe interessare", "articoli correlati", "notícias relacionadas",
                          "смотрите также", "zobacz też", "zobacz także", "czytaj także", "powiązane artykuły",
                          "lees ook", "gerelateerde artikelen", "läs också", "relaterade artiklar", "les også",
                          "関連記事", "関連ニュース", "相关阅读", "相关新闻", "推荐阅读", "延伸阅读", "관련기사",
                          "관련 기사", "관련뉴스", "관련 뉴스", "artikel terkait", "ilgili haberler", "benzer haberler",
                          "ilginizi çekebilir", "相關新聞", "相關文章", "延伸閱讀", "推薦閱讀", "相关文章",
                          "あわせて読みたい", "こちらもおすすめ", "おすすめ記事", "اقرأ أيضا", "اقرأ أيضاً",
                          "مواضيع ذات صلة", "أخبار ذات صلة", "διαβάστε επίσησ", "διαβάστε ακόμα", "σχετικά άρθρα",
                          "čtěte také", "související články", "čítajte tiež", "súvisiace články",
                          "kapcsolódó cikkek", "olvasd el ezt is", "citește și", "articole similare",
                          "tin liên quan", "bài viết liên quan", "đọc thêm", "xem thêm", "ये भी पढ़ें",
                          "यह भी पढ़ें", "संबंधित खबरें", "читайте також", "схожі новини", "lue myös",
                          "læs også", "relaterede artikler", "relaterte artikler", "vous aimerez aussi",
                          "voir aussi", "te recomendamos", "más noticias", "leia mais", "saiba mais"}))
    return Removal::related;
  if (starts_with_any(s, {"share", "follow us", "partager", "teilen", "compartir", "condividi", "compartilhe",
                          "поделиться", "udostępnij", "delen", "シェア", "分享"}))
    return Removal::share;
  if (starts_with_any(s, {"comments", "leave a reply", "join the discussion", "commentaires", "kommentare",
                          "comentarios", "commenti", "comentários", "комментарии", "komentarze", "reacties",
                          "コメント", "评论", "댓글", "yorumlar"}))
    return Removal::comments;
  if (starts_with_any(s, {"about the author", "about the writer"})) return Removal::author_bio;
  if (starts_with_any(s, {"tags", "topics"})) return Removal::tags;
  return std::nullopt;
}

}  // namespace winnow::parsers
