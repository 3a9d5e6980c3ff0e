// CDF, the Channel Definition Format (W3C NOTE-CDFsubmit-19970309): a <CHANNEL HREF> with
// <TITLE>, <ABSTRACT>, <LOGO HREF> and <ITEM HREF LASTMOD> children, channels nesting. Element
// and attribute names are read in any case: CDF files were written in capitals and lower case.
#include "base/ascii.h"
#include "base/time.h"
#include "feeds/formats/common.h"
#include "feeds/text.h"

namespace winnow::feeds::formats {
namespace {

bool named(const xml::Element& e, std::string_view lower) { return base::to_lower(e.local_name()) == lower; }

std::string attribute_any_case(const xml::Element& e, std::string_view lower) {
  if (auto value = e.attribute(lower)) return *value;
  std::string upper(lower);
  for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');  // lower: ASCII letters only
  return e.attribute_or_empty(upper);
}

Entry read_item(const xml::Element& item, const ReadContext& ctx) {
  Entry entry;
  entry.link = resolve(item, attribute_any_case(item, "href"), ctx);
  entry.updated = base::parse_date(attribute_any_case(item, "lastmod"));
  for (const auto& c : item.children()) {
    if (!c.ns().empty()) continue;
    if (named(c, "title") && entry.title.empty()) entry.title = plain_title(c);
    if (named(c, "abstract") && entry.summary.empty()) entry.summary = html_payload(c, ctx);
  }
  finish_entry(entry);
  return entry;
}

// The items of `channel` and of the channels nested in it, in document order.
void read_channel(const xml::Element& channel, Feed& feed, const ReadContext& ctx, int depth) {
  for (const auto& c : channel.children()) {
    if (!c.ns().empty()) continue;
    if (named(c, "item")) feed.entries.push_back(read_item(c, ctx));
    else if (named(c, "channel") && depth < 8) read_channel(c, feed, ctx, depth + 1);
  }
}

}  // namespace

bool is_cdf_root(const xml::Element& root) {
  return root.local_name() == "CHANNEL" || (root.local_name() == "channel" && !attribute_any_case(root, "href").empty());
}

void read_cdf(const xml::Element& root, Feed& feed, const ReadContext& ctx) {
  feed.format = FeedFormat::cdf;
  feed.link = resolve(root, attribute_any_case(root, "href"), ctx);
  feed.updated = base::parse_date(attribute_any_case(root, "lastmod"));
  for (const auto& c : root.children()) {
    if (!c.ns().empty()) continue;
    if (named(c, "title") && feed.title.empty()) feed.title = plain_title(c);
    if (named(c, "abstract") && feed.description.empty()) feed.description = plain_title(c);
    if (named(c, "logo") && feed.image.url.empty()) feed.image.url = resolve(c, attribute_any_case(c, "href"), ctx);
  }
  read_channel(root, feed, ctx, 0);
  feed.language = xml_lang(root);
}

}  // namespace winnow::feeds::formats
