// RSS 1.0 and RSS 0.90: an rdf:RDF root whose channel, image and items are siblings.
#include "feeds/formats/common.h"
#include "feeds/formats/namespaces.h"

namespace winnow::feeds::formats {

void read_rdf(const xml::Element& root, Feed& feed, const ReadContext& ctx) {
  feed.format = FeedFormat::rss10;
  bool had_channel = false;
  for (const auto& child : root.children()) {
    const std::string_view uri = child.ns();
    if (!is_rss_core(uri)) continue;
    if (uri == ns::kRss090) feed.format = FeedFormat::rss090;
    const std::string_view name = child.local_name();
    if (name == "channel" && !had_channel) {
      // The channel's own <items> (an rdf:Seq) and <image rdf:resource> only point at the
      // siblings read below; read_rss_channel skips what it does not know.
      read_rss_channel(child, feed, ctx);
      had_channel = true;
    } else if (name == "item") {
      read_items(child, feed, ctx);
    } else if (name == "image") {
      read_rss_image(child, feed, ctx);
    }
  }
  if (feed.language.empty()) feed.language = xml_lang(root);
}

}  // namespace winnow::feeds::formats
