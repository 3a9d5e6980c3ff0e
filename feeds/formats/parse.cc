#include "feeds/formats/parse.h"

#include <algorithm>

#include "base/ascii.h"
#include "base/utf8.h"
#include "feeds/formats/common.h"
#include "feeds/formats/json_feed.h"
#include "feeds/formats/namespaces.h"
#include "feeds/text.h"
#include "feeds/xml/document.h"

namespace winnow::feeds {
namespace {

// The charset parameter of a Content-Type, unquoted and lowercase; empty when none.
std::string charset_of(std::string_view content_type) {
  const std::string ct = base::to_lower(content_type);
  std::size_t pos = 0;
  while ((pos = ct.find("charset", pos)) != std::string::npos) {
    std::size_t i = pos + 7;
    pos = i;
    while (i < ct.size() && (ct[i] == ' ' || ct[i] == '\t')) ++i;
    if (i >= ct.size() || ct[i] != '=') continue;
    ++i;
    while (i < ct.size() && (ct[i] == ' ' || ct[i] == '\t')) ++i;
    const bool quoted = i < ct.size() && ct[i] == '"';
    if (quoted) ++i;
    std::size_t end = i;
    while (end < ct.size() && ct[end] != ';' && ct[end] != '"' && ct[end] != ' ' && ct[end] != ',') ++end;
    return ct.substr(i, end - i);
  }
  return {};
}

// As browsers do (WHATWG Encoding), labels for Latin-1 and ASCII read as windows-1252: it
// agrees with them on every byte they define and adds the curly quotes publishers meant.
std::string xml_encoding_label(std::string_view content_type) {
  std::string label = charset_of(content_type);
  if (label == "iso-8859-1" || label == "latin1" || label == "l1" || label == "us-ascii" || label == "ascii" ||
      label == "iso8859-1" || label == "iso_8859-1" || label == "cp1252")
    label = "windows-1252";
  return label;
}

// The first bytes after a UTF-8 BOM and whitespace.
std::string_view sniff(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  return base::trim_ascii_space(bytes);
}

// libxml2's recovery can pass undecodable bytes through; nothing invalid leaves feeds/.
void make_valid_utf8(std::string& s) {
  if (!base::is_valid_utf8(s)) s = base::valid_utf8(s);
}

void make_valid_utf8(Feed& feed) {
  for (std::string* s : {&feed.title, &feed.link, &feed.self_url, &feed.description, &feed.language, &feed.generator,
                         &feed.image.url, &feed.image.title, &feed.image.link, &feed.update_period, &feed.bozo_reason})
    make_valid_utf8(*s);
  for (Entry& e : feed.entries) {
    for (std::string* s : {&e.id, &e.title, &e.link, &e.author, &e.summary, &e.content, &e.comments, &e.thumbnail})
      make_valid_utf8(*s);
    for (auto& c : e.categories) make_valid_utf8(c);
    for (auto& enc : e.enclosures) {
      make_valid_utf8(enc.url);
      make_valid_utf8(enc.type);
    }
  }
}

}  // namespace

boost::system::result<Feed> parse_feed(std::string_view bytes, const ParseOptions& options) {
  if (bytes.size() > options.max_bytes) return FeedErrc::too_large;
  const std::string_view head = sniff(bytes);
  if (head.empty()) return FeedErrc::empty_input;
  formats::ReadContext ctx{options.base_url};
  if (head.front() == '{' || head.front() == '[') return formats::read_json_feed(head, ctx);

  auto doc = xml::Document::parse(bytes, xml_encoding_label(options.content_type), options.max_entity_bytes);
  auto root = doc.root();
  if (!root) {
    if (head.front() == '<' || bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) return FeedErrc::malformed;
    return FeedErrc::not_a_feed;
  }
  Feed feed;
  const std::string_view name = root->local_name();
  const std::string_view uri = root->ns();
  if (uri.empty() && formats::is_cdf_root(*root)) {
    formats::read_cdf(*root, feed, ctx);
  } else if ((name == "rss" || name == "channel") && formats::is_rss_core(uri)) {
    formats::read_rss(*root, feed, ctx);
  } else if (name == "RDF" && uri == ns::kRdf) {
    formats::read_rdf(*root, feed, ctx);
  } else if (name == "feed" && (uri == ns::kAtom10 || uri.empty() || ns::is_atom_pre10(uri))) {
    formats::read_atom(*root, feed, ctx);
  } else {
    return FeedErrc::not_a_feed;
  }
  if (doc.entity_budget_exceeded()) return FeedErrc::entity_limit;
  if (!doc.well_formed()) {
    feed.bozo = true;
    feed.bozo_reason = doc.error();
  }
  make_valid_utf8(feed);
  return feed;
}

}  // namespace winnow::feeds
