#include "parsers/render/render.h"

#include <boost/json.hpp>

namespace winnow::parsers {
namespace {

namespace json = boost::json;

// Escapes what would start Markdown syntax at the beginning of a line or inside text.
std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '<' || c == '>') {
      out.push_back('\\');
    } else if (line_start && (c == '#' || c == '+' || c == '-' || c == '=' || c == '|')) {
      out.push_back('\\');
    } else if (line_start && c >= '0' && c <= '9') {
      // "1. " at a line start would become a list.
      std::size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (j < text.size() && (text[j] == '.' || text[j] == ')')) {
        out.append(text.substr(i, j - i));
        out.push_back('\\');
        i = j - 1;
        line_start = false;
        continue;
      }
    }
    out.push_back(c);
    line_start = c == '\n';
  }
  return out;
}

std::string table_cell(std::string_view text) {
  std::string out;
  for (char c : escape_markdown(text)) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out.push_back(' ');
    else out.push_back(c);
  }
  return out;
}

}  // namespace

std::string to_plain_text(const Article& article) {
  std::string out;
  for (const Block& block : article.blocks) {
    if (!out.empty()) out += "\n\n";
    out += block.text;
  }
  return out;
}

std::string to_markdown(const Article& article) {
  std::string out;
  if (!article.metadata.title.empty()) out += "# " + escape_markdown(article.metadata.title) + "\n\n";
  for (const Block& block : article.blocks) {
    switch (block.kind) {
      case BlockKind::heading: {
        int level = std::clamp(block.level < 2 ? 2 : block.level, 2, 6);
        out += std::string(std::size_t(level), '#') + " " + escape_markdown(block.text);
        break;
      }
      case BlockKind::list: {
        int n = 1;
        for (const std::string& item : block.items) {
          out += block.ordered ? std::to_string(n++) + ". " : std::string("- ");
          out += escape_markdown(item);
          out += "\n";
        }
        out.pop_back();
        break;
      }
      case BlockKind::table: {
        std::size_t width = 0;
        for (const auto& row : block.rows) width = std::max(width, row.size());
        for (std::size_t r = 0; r < block.rows.size(); ++r) {
          out += "|";
          for (std::size_t c = 0; c < width; ++c)
            out.append(" ").append(c < block.rows[r].size() ? table_cell(block.rows[r][c]) : std::string()).append(" |");
          out += "\n";
          if (r == 0) {
            out += "|";
            for (std::size_t c = 0; c < width; ++c) out += " --- |";
            out += "\n";
          }
        }
        out.pop_back();
        break;
      }
      case BlockKind::quote: {
        out += "> ";
        for (char c : escape_markdown(block.text)) {
          out.push_back(c);
          if (c == '\n') out += "> ";
        }
        break;
      }
      case BlockKind::code: {
        std::string fence = "```";
        while (block.text.find(fence) != std::string::npos) fence += "`";
        out += fence + "\n" + block.text + "\n" + fence;
        break;
      }
      case BlockKind::caption:
        out.append("*").append(escape_markdown(block.text)).append("*");
        break;
      case BlockKind::paragraph:
        out += escape_markdown(block.text);
        break;
    }
    out += "\n\n";
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

json::object to_json(const Article& article, bool with_removed) {
  const Metadata& m = article.metadata;
  json::object o;
  o["title"] = m.title;
  json::array authors;
  for (const auto& a : m.authors) authors.emplace_back(a);
  o["authors"] = std::move(authors);
  o["published"] = m.published;
  o["modified"] = m.modified;
  o["site_name"] = m.site_name;
  o["canonical_url"] = m.canonical_url;
  o["language"] = m.language;
  o["description"] = m.description;
  o["image"] = m.image;
  json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  o["page_type"] = m.page_type;
  if (m.accessible_for_free) o["accessible_for_free"] = *m.accessible_for_free;
  o["charset"] = article.charset;
  json::array signals;
  for (const auto& s : article.verdict.signals) signals.emplace_back(s);
  o["verdict"] = json::object{{"kind", to_string(article.verdict.kind)},
                              {"reason", article.verdict.reason},
                              {"signals", std::move(signals)}};
  o["text"] = to_plain_text(article);
  json::array blocks;
  for (const Block& block : article.blocks) {
    json::object b;
    b["type"] = to_string(block.kind);
    if (block.kind == BlockKind::heading) b["level"] = block.level;
    b["text"] = block.text;
    if (block.kind == BlockKind::list) {
      b["ordered"] = block.ordered;
      json::array items;
      for (const auto& item : block.items) items.emplace_back(item);
      b["items"] = std::move(items);
    }
    if (block.kind == BlockKind::table) {
      json::array rows;
      for (const auto& row : block.rows) {
        json::array cells;
        for (const auto& cell : row) cells.emplace_back(cell);
        rows.emplace_back(std::move(cells));
      }
      b["rows"] = std::move(rows);
    }
    blocks.emplace_back(std::move(b));
  }
  o["blocks"] = std::move(blocks);
  if (with_removed) {
    json::array removed;
    for (const auto& r : article.removed) removed.emplace_back(json::object{{"reason", to_string(r.reason)}, {"text", r.text}});
    o["removed"] = std::move(removed);
  }
  if (article.truncated) o["truncated"] = true;
  if (article.unparsed) o["unparsed"] = true;
  return o;
}

}  // namespace winnow::parsers
