#include "parsers/extract/markers.h"

#include <gumbo.h>

#include <cstring>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "parsers/html/document.h"

namespace winnow::parsers {
namespace {

constexpr unsigned kChallenge = 1, kPaywall = 2, kConsent = 4;

bool has_any(std::string_view text, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles)
    if (text.find(n) != std::string_view::npos) return true;
  return false;
}

// The words the bot checks, CMPs and paywall vendors put on their own elements: Cloudflare's
// challenge-form and cf-turnstile, g-recaptcha, h-captcha, px-captcha; OneTrust, Didomi,
// Cookiebot, Usercentrics, TrustArc, Quantcast's qc-cmp2, consentmanager's cmpbox,
// Sourcepoint's sp_message; Piano, "paywall", "regwall", "meter", "subscriber-only",
// "premium", "locked". A lone "cmp" is not one: Adobe's AEM prefixes every core component
// with it. Some words count only after another: "cookie wall", "pay wall", "sp message".
constexpr unsigned kAfterCookie = 8;       // "cookie banner", "cookies notice"
constexpr unsigned kAfterPrivacy = 16;     // "privacy wall", "privacy manager"
constexpr unsigned kAfterPay = 32;         // "pay wall", "reg wall"
constexpr unsigned kAfterSubscriber = 64;  // "subscriber only"
constexpr unsigned kAfterSp = 128;         // "sp message"
// The first words of those pairs.
constexpr unsigned kCookie = 256, kPrivacy = 512, kPay = 1024, kSubscriber = 2048, kSp = 4096;

// What one lowercased word is; 0 for nearly every word, quickly. Switches on the length
// first: this runs for every word of every class and id of the page.
unsigned word_kind(std::string_view w) {
  auto is = [&](std::string_view a) { return w == a; };
  switch (w.size()) {
    case 2: return is("sp") ? kSp : 0;
    case 3:
      if (is("pay") || is("reg")) return kPay;
      return is("bar") || is("box") || is("law") ? kAfterCookie : 0;
    case 4:
      if (is("gdpr")) return kConsent;
      if (is("wall")) return kAfterCookie | kAfterPrivacy | kAfterPay;
      if (is("cmp2")) return kConsent;
      if (is("only")) return kAfterSubscriber;
      return 0;
    case 5:
      if (is("meter") || is("piano")) return kPaywall;
      if (is("login")) return kPay;
      if (is("modal") || is("popup") || is("layer")) return kAfterCookie;
      return 0;
    case 6:
      if (is("didomi") || is("cmpbox") || is("truste")) return kConsent;
      if (is("locked")) return kPaywall;
      if (is("cookie")) return kCookie;
      if (is("notice") || is("dialog") || is("banner") || is("policy") || is("prompt")) return kAfterCookie | kAfterPrivacy;
      return 0;
    case 7:
      if (is("consent")) return kConsent | kAfterCookie;
      if (is("captcha")) return kChallenge;
      if (is("paywall") || is("regwall") || is("premium") || is("metered")) return kPaywall;
      if (is("cookies")) return kCookie;
      if (is("privacy")) return kPrivacy;
      if (is("overlay") || is("message")) return kAfterCookie | kAfterSp;
      return 0;
    case 8:
      if (is("onetrust") || is("trustarc")) return kConsent;
      if (is("hcaptcha")) return kChallenge;
      if (is("settings")) return kAfterCookie;
      if (is("manager")) return kAfterPrivacy;
      return 0;
    case 9:
      if (is("challenge") || is("recaptcha") || is("turnstile")) return kChallenge;
      if (is("cookiebot") || is("cookielaw")) return kConsent;
      if (is("paywalled")) return kPaywall;
      return 0;
    case 10:
      if (is("cookiewall")) return kConsent;
      if (is("grecaptcha")) return kChallenge;
      if (is("subscriber")) return kSubscriber;
      return 0;
    case 11:
      if (is("sourcepoint")) return kConsent;
      if (is("subscribers")) return kSubscriber;
      return 0;
    case 12: return is("usercentrics") ? kConsent : 0;
    case 14: return is("subscriberonly") ? kPaywall : 0;
    case 15: return is("subscribersonly") ? kPaywall : 0;
    default: return 0;
  }
}

// The marks a word gives, with the kind of the word before it.
unsigned mark_of(unsigned prev, unsigned kind) {
  unsigned marks = kind & (kChallenge | kPaywall | kConsent);
  if (((prev & kCookie) && (kind & kAfterCookie)) || ((prev & kPrivacy) && (kind & kAfterPrivacy)) ||
      ((prev & kSp) && (kind & kAfterSp)))
    marks |= kConsent;
  if (((prev & kPay) && (kind & kAfterPay)) || ((prev & kSubscriber) && (kind & kAfterSubscriber))) marks |= kPaywall;
  return marks;
}

// The marks the class and id words of an element carry. Words split at anything but
// letters and digits and before a capital after a small letter ("CybotCookiebotDialog").
// No word of interest is longer than 15 letters, so longer ones are not read.
unsigned marks_of_names(std::string_view value) {
  unsigned marks = 0, prev = 0;
  char word[16];
  std::size_t length = 0;
  char last = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    char c = i < value.size() ? value[i] : ' ';
    bool alnum = base::is_ascii_alpha(c) || base::is_ascii_digit(c);
    bool camel = c >= 'A' && c <= 'Z' && last >= 'a' && last <= 'z';
    last = c;
    if ((!alnum || camel) && length > 0) {
      unsigned kind = length <= sizeof word ? word_kind({word, length}) : 0;
      marks |= mark_of(prev, kind);
      prev = kind;
      length = 0;
    }
    if (alnum) {
      if (length < sizeof word) word[length] = base::to_lower(c);
      ++length;
    }
  }
  return marks;
}

// What an address in a script's or iframe's src, or a form's action, says: the generic
// paths of bot checks (Cloudflare's /cdn-cgi/challenge-platform/ and __cf_chl_ tokens,
// reCAPTCHA, hCaptcha, Turnstile, DataDome's captcha-delivery, PerimeterX's /captcha/,
// Imperva's _Incapsula_Resource, Kasada's ips.js, Akamai's cp_challenge) and of consent services (consent.*, Sourcepoint's
// privacy-mgmt, TCF's __tcfapi frame).
unsigned marks_of_address(std::string_view address) {
  std::string a = base::to_lower(address.substr(0, 300));
  if (has_any(a, {"challenge-platform", "__cf_chl", "captcha", "turnstile", "/challenge", "_incapsula_resource", "/ips.js",
                  "cp_challenge"}))
    return kChallenge;
  if (has_any(a, {"consent", "privacy-mgmt", "tcfapi"})) return kConsent;
  return 0;
}

void count(unsigned marks, PageMarkers& m) {
  if (marks & kChallenge) ++m.challenge;
  if (marks & kPaywall) ++m.paywall;
  if (marks & kConsent) ++m.consent;
}

// "Enable JavaScript and cookies to continue", "Please turn JavaScript on".
void read_noscript(const GumboNode& node, PageMarkers& m) {
  std::string text = base::to_lower(text_of(node));
  if (text.find("javascript") == std::string::npos && text.find(" js ") == std::string::npos) return;
  m.noscript_javascript = true;
  if (text.find("cookie") != std::string::npos) m.noscript_cookies = true;
}

}  // namespace

PageMarkers scan_markers(const HtmlDocument& doc) {
  PageMarkers m;
  int noscripts = 0;
  std::vector<const GumboNode*> stack{&doc.root()};
  std::size_t visited = 0;
  while (!stack.empty() && ++visited < 500'000) {  // as metadata's walk
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = n->v.element;
    unsigned marks = 0;  // an element counts once for each kind, whatever says it
    switch (e.tag) {
      case GUMBO_TAG_ARTICLE:
        ++m.article_elements;
        break;
      case GUMBO_TAG_TITLE:
        if (m.title.empty()) m.title = text_of(*n);
        break;
      case GUMBO_TAG_H1:
        if (m.first_h1.empty()) m.first_h1 = text_of(*n);
        break;
      case GUMBO_TAG_META:
        if (base::iequals(attribute(*n, "http-equiv"), "refresh")) m.meta_refresh = true;
        break;
      case GUMBO_TAG_NOSCRIPT:
        if (noscripts++ < 4) read_noscript(*n, m);
        break;
      case GUMBO_TAG_SCRIPT:
        marks = marks_of_address(attribute(*n, "src"));
        break;
      case GUMBO_TAG_IFRAME:
        marks = marks_of_address(attribute(*n, "src")) | marks_of_address(attribute(*n, "name")) |
                marks_of_address(attribute(*n, "title"));
        break;
      case GUMBO_TAG_FORM:
        marks = marks_of_address(attribute(*n, "action"));
        break;
      default:
        break;
    }
    // Gumbo lowercases attribute names; one pass finds both.
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      if ((a->name[0] == 'c' && std::strcmp(a->name, "class") == 0) || (a->name[0] == 'i' && std::strcmp(a->name, "id") == 0))
        marks |= marks_of_names(std::string_view(a->value).substr(0, 300));
    }
    count(marks, m);
    for (unsigned i = e.children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(e.children.data[i]));
  }
  return m;
}

}  // namespace winnow::parsers
