#include "daemon/cli/markdown_out.h"

#include <boost/json.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <algorithm>

namespace winnow::cli {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

// A YAML scalar: double-quoted, with JSON's escapes (a subset of YAML's).
std::string yaml_string(const std::string& s) { return json::serialize(json::value(s)); }

std::string front_matter(const parsers::Article& article) {
  const auto& m = article.metadata;
  std::string yaml = "---\n";
  auto field = [&](const char* key, const std::string& value) {
    if (!value.empty()) yaml += std::string(key) + ": " + yaml_string(value) + "\n";
  };
  field("title", m.title);
  if (!m.authors.empty()) {
    yaml += "authors:\n";
    for (const auto& a : m.authors) yaml += "  - " + yaml_string(a) + "\n";
  }
  field("published", m.published);
  field("modified", m.modified);
  field("site_name", m.site_name);
  field("url", m.canonical_url);
  field("language", m.language);
  field("description", m.description);
  field("image", m.image);
  if (!m.tags.empty()) {
    yaml += "tags:\n";
    for (const auto& t : m.tags) yaml += "  - " + yaml_string(t) + "\n";
  }
  yaml += "verdict: " + std::string(to_string(article.verdict.kind)) + "\n---\n\n";
  return yaml;
}

bool is_inline_image(const parsers::Article& article, const std::string& src) {
  for (const auto& block : article.blocks)
    for (const auto& image : block.images)
      if (image.src == src) return true;
  return false;
}

}  // namespace

void add_markdown_switches(Command& c, bool all) {
  c.options()("links", po::bool_switch(), "with --format markdown: links as [text](url)")(
      "images", po::bool_switch(),
      "with --format markdown: images where they sit, and the main image under the title");
  if (all)
    c.options()("front-matter", po::bool_switch(), "with --format markdown: a YAML header of the metadata")(
        "no-tables", po::bool_switch(), "leave tables out of text and Markdown");
}

MarkdownSwitches markdown_switches(const Args& args) {
  MarkdownSwitches md;
  md.options.links = args.has("links");
  md.options.images = args.has("images");
  md.options.tables = !args.has("no-tables");
  md.front_matter = args.has("front-matter");
  return md;
}

std::string render_markdown(parsers::Article article, const MarkdownSwitches& md) {
  std::string body = parsers::to_markdown(article, md.options);
  const std::string& main_image = article.metadata.image;
  if (md.options.images && !main_image.empty() && !is_inline_image(article, main_image)) {
    const std::string image = "![](" + main_image + ")\n\n";
    // Under the H1 when the Markdown starts with one.
    std::size_t at = body.starts_with("# ") ? body.find("\n\n") : std::string::npos;
    if (at == std::string::npos) body.insert(0, image);
    else body.insert(at + 2, image);
  }
  return md.front_matter ? front_matter(article) + body : body;
}

std::string row_markdown(const archive::ArticleRow& row, const MarkdownSwitches& md) {
  if (!md.options.links && !md.options.images && md.options.tables && !md.front_matter) return row.markdown;
  boost::system::error_code ec;
  json::value blocks = json::parse(row.blocks_json, ec);
  parsers::Article article;
  if (!ec) article.blocks = parsers::blocks_from_json(blocks);
  if (article.blocks.empty()) return row.markdown;
  article.metadata.title = row.title;
  article.metadata.image = row.image;
  return render_markdown(std::move(article), md);
}

}  // namespace winnow::cli
