#include "feeds/opml/opml.h"

#include <memory>

#include "base/ascii.h"
#include "base/utf8.h"
#include "feeds/text.h"
#include "feeds/xml/document.h"

namespace winnow::feeds {
namespace {

// Some exporters write the attribute names in other cases.
std::string attr(const xml::Element& e, std::string_view name) {
  if (auto v = e.attribute(name)) return std::string(base::trim_ascii_space(*v));
  if (auto v = e.attribute(base::to_lower(name))) return std::string(base::trim_ascii_space(*v));
  return {};
}

// A category path as nested folders give it: each level's whitespace collapsed, no empty
// levels ("/Tech/ Linux\n/" is "Tech/Linux"), so that it exports and imports unchanged.
std::string category_path(std::string_view path) {
  std::string out;
  for (;;) {
    const auto slash = path.find('/');
    const std::string level = collapse_whitespace(path.substr(0, slash));
    if (!level.empty()) out += (out.empty() ? "" : "/") + level;
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

void read_outlines(const xml::Element& parent, const std::string& path, std::vector<Subscription>& out) {
  for (const auto& e : parent.children()) {
    if (e.local_name() != "outline") continue;
    std::string title = collapse_whitespace(attr(e, "title"));
    if (title.empty()) title = collapse_whitespace(attr(e, "text"));
    std::string url = attr(e, "xmlUrl");
    if (!url.empty()) {
      std::string category = path;
      if (category.empty()) {
        // OPML 2.0's category attribute: comma-separated slash paths, "/Tech/Linux".
        std::string c = attr(e, "category");
        if (auto comma = c.find(','); comma != std::string::npos) c.resize(comma);
        category = category_path(c);
      }
      out.push_back({std::move(url), std::move(title), attr(e, "htmlUrl"), std::move(category)});
      read_outlines(e, path, out);  // feeds nested under a feed: keep the folder
    } else {
      std::string folder = title;
      for (auto& c : folder)
        if (c == '/') c = '-';  // '/' separates the levels of a path
      read_outlines(e, path.empty() ? folder : folder.empty() ? path : path + "/" + folder, out);
    }
  }
}

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20) out += c;  // other controls are not XML
    }
  }
}

struct Folder {
  std::string name;
  std::vector<std::unique_ptr<Folder>> folders;
  std::vector<const Subscription*> feeds;
  Folder* child(std::string_view n) {
    for (auto& f : folders)
      if (f->name == n) return f.get();
    folders.push_back(std::make_unique<Folder>());
    folders.back()->name = std::string(n);
    return folders.back().get();
  }
};

void write_folder(const Folder& folder, int depth, std::string& out) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const Subscription* s : folder.feeds) {
    // Collapsed as parse_opml reads titles, so that an export imports and exports again
    // unchanged, also when the title is the URL (whose whitespace is kept as it was).
    const std::string title = base::valid_utf8(collapse_whitespace(s->title.empty() ? s->url : s->title));
    out += indent + "<outline type=\"rss\" text=\"";
    append_escaped(out, title);
    out += "\" title=\"";
    append_escaped(out, title);
    out += "\" xmlUrl=\"";
    append_escaped(out, base::valid_utf8(s->url));
    out += '"';
    if (!s->html_url.empty()) {
      out += " htmlUrl=\"";
      append_escaped(out, base::valid_utf8(s->html_url));
      out += '"';
    }
    out += "/>\n";
  }
  for (const auto& f : folder.folders) {
    out += indent + "<outline text=\"";
    append_escaped(out, base::valid_utf8(f->name));
    out += "\" title=\"";
    append_escaped(out, base::valid_utf8(f->name));
    out += "\">\n";
    write_folder(*f, depth + 1, out);
    out += indent + "</outline>\n";
  }
}

}  // namespace

boost::system::result<std::vector<Subscription>> parse_opml(std::string_view bytes) {
  if (base::trim_ascii_space(bytes).empty()) return FeedErrc::empty_input;
  auto doc = xml::Document::parse(bytes, {}, 4u << 20);
  auto root = doc.root();
  if (!root || root->local_name() != "opml") return FeedErrc::not_opml;
  std::vector<Subscription> out;
  for (const auto& c : root->children())
    if (c.local_name() == "body") read_outlines(c, "", out);
  if (doc.entity_budget_exceeded()) return FeedErrc::entity_limit;
  return out;
}

std::string write_opml(const std::vector<Subscription>& subscriptions, std::string_view title) {
  Folder top;
  for (const auto& s : subscriptions) {
    Folder* f = &top;
    const std::string path = category_path(s.category);
    for (std::string_view rest = path; !rest.empty();) {
      const auto slash = rest.find('/');
      f = f->child(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    f->feeds.push_back(&s);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>";
  append_escaped(out, base::valid_utf8(title));
  out += "</title>\n  </head>\n  <body>\n";
  write_folder(top, 2, out);
  out += "  </body>\n</opml>\n";
  return out;
}

}  // namespace winnow::feeds
