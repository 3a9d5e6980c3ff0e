#include "parsers/render/render.h"

#include <boost/json.hpp>

#include <algorithm>

namespace winnow::parsers {
namespace {

namespace json = boost::json;

// Appends `text` to `out` with what would start Markdown syntax escaped, at the beginning of
// a line or inside text. `line_start` carries over between calls on one line of output.
void append_escaped(std::string& out, std::string_view text, bool& line_start) {
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
}

std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  bool line_start = true;
  append_escaped(out, text, line_start);
  return out;
}

// A link destination: backslash-escaped as is, or in <...> when it holds spaces or controls.
std::string link_destination(std::string_view url) {
  bool angle = false;
  for (char c : url) angle = angle || static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  std::string out;
  out.reserve(url.size() + 4);
  if (angle) out.push_back('<');
  for (char c : url) {
    if (c == '\n') out += "%0A";
    else if (c == '\r') out += "%0D";
    else {
      if (c == '\\' || c == '<' || c == '>' || (!angle && (c == '(' || c == ')'))) out.push_back('\\');
      out.push_back(c);
    }
  }
  if (angle) out.push_back('>');
  return out;
}

std::string image_line(const InlineImage& image) {
  std::string alt = escape_markdown(image.alt);
  std::replace(alt.begin(), alt.end(), '\n', ' ');
  return "![" + alt + "](" + link_destination(image.src) + ")";
}

// Writes ranges of one block's text as Markdown, with its links when asked. Ranges come in
// text order, so each link is looked at once: linear in the text and the links together.
class InlineWriter {
 public:
  InlineWriter(const Block& block, bool links) : block_(block), links_(links) {}

  // A list item or table cell `piece` that stands at `pos` of the text. A block whose text
  // does not join its items as Block says (one made by hand) is written without links.
  std::string write_piece(std::string_view piece, std::size_t pos) {
    if (links_ && !block_.links.empty() && block_.text.size() >= pos + piece.size() &&
        std::string_view(block_.text).substr(pos, piece.size()) == piece)
      return write(pos, pos + piece.size());
    return escape_markdown(piece);
  }

  std::string write(std::size_t begin, std::size_t end) {
    std::string out;
    bool line_start = true;
    std::string_view text = block_.text;
    end = std::min(end, text.size());
    std::size_t pos = std::min(begin, end);
    const auto& links = block_.links;
    for (; links_ && next_ < links.size() && links[next_].begin < end; ++next_) {
      const InlineLink& link = links[next_];
      if (link.begin < pos || link.end > end || link.end <= link.begin) continue;  // not in this range
      append_escaped(out, text.substr(pos, link.begin - pos), line_start);
      out.push_back('[');
      line_start = false;
      append_escaped(out, text.substr(link.begin, link.end - link.begin), line_start);
      out += "](" + link_destination(link.url) + ")";
      line_start = false;
      pos = link.end;
    }
    append_escaped(out, text.substr(pos, end - pos), line_start);
    return out;
  }

 private:
  const Block& block_;
  bool links_;
  std::size_t next_ = 0;
};

std::string table_cell(std::string_view markdown) {
  std::string out;
  for (char c : markdown) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out.push_back(' ');
    else out.push_back(c);
  }
  return out;
}

// Paragraph-like text cut at its images: text, image lines, text, each its own paragraph.
// An image inside a link moves to the link's end, so no link is cut.
std::string text_with_images(const Block& block, const MarkdownOptions& options) {
  InlineWriter writer(block, options.links);
  if (!options.images || block.images.empty()) return writer.write(0, block.text.size());
  std::vector<std::size_t> cuts;
  std::size_t l = 0;
  for (const InlineImage& image : block.images) {
    std::size_t at = std::min(image.at, block.text.size());
    while (l < block.links.size() && block.links[l].end <= at) ++l;
    if (l < block.links.size() && block.links[l].begin < at) at = block.links[l].end;
    cuts.push_back(std::max(at, cuts.empty() ? 0 : cuts.back()));
  }
  std::string out;
  std::size_t pos = 0;
  auto add = [&](std::string piece) {
    if (piece.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += piece;
  };
  // A piece of text between images, without the spaces at its ends (one paragraph each).
  auto piece = [&](std::size_t begin, std::size_t end) {
    while (begin < end && (block.text[begin] == ' ' || block.text[begin] == '\n')) ++begin;
    while (end > begin && (block.text[end - 1] == ' ' || block.text[end - 1] == '\n')) --end;
    if (begin < end) add(writer.write(begin, end));
  };
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    piece(pos, cuts[k]);
    pos = std::max(pos, cuts[k]);
    add(image_line(block.images[k]));
  }
  piece(pos, block.text.size());
  return out;
}

// For kinds that cannot hold an image line (lists, tables, headings, code): images at the
// start stand before the block, the others after it.
std::string with_images_around(const Block& block, const MarkdownOptions& options, std::string body) {
  if (!options.images || block.images.empty()) return body;
  std::string before, after;
  for (const InlineImage& image : block.images) {
    std::string& side = image.at == 0 ? before : after;
    side += image_line(image) + "\n\n";
  }
  if (!after.empty()) after.erase(after.size() - 2);
  return before + body + (after.empty() ? "" : "\n\n" + after);
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

std::string to_markdown(const Article& article, const MarkdownOptions& options) {
  std::string out;
  if (!article.metadata.title.empty()) out += "# " + escape_markdown(article.metadata.title) + "\n\n";
  for (const Block& block : article.blocks) {
    if (block.kind == BlockKind::table && !options.tables) continue;
    InlineWriter writer(block, options.links);
    std::string md;
    switch (block.kind) {
      case BlockKind::heading: {
        int level = std::clamp(block.level < 2 ? 2 : block.level, 2, 6);
        md = std::string(std::size_t(level), '#') + " " + writer.write(0, block.text.size());
        md = with_images_around(block, options, std::move(md));
        break;
      }
      case BlockKind::list: {
        int n = 1;
        std::size_t pos = 0;
        for (const std::string& item : block.items) {
          md += block.ordered ? std::to_string(n++) + ". " : std::string("- ");
          md += writer.write_piece(item, pos);
          md += "\n";
          pos += item.size() + 1;
        }
        if (!md.empty()) md.pop_back();
        md = with_images_around(block, options, std::move(md));
        break;
      }
      case BlockKind::table: {
        std::size_t width = 0;
        for (const auto& row : block.rows) width = std::max(width, row.size());
        std::size_t pos = 0;
        for (std::size_t r = 0; r < block.rows.size(); ++r) {
          const auto& row = block.rows[r];
          md += "|";
          for (std::size_t c = 0; c < width; ++c) {
            std::string cell;
            if (c < row.size()) {
              cell = table_cell(writer.write_piece(row[c], pos));
              pos += row[c].size() + 1;  // the tab or newline after it
            }
            md.append(" ").append(cell).append(" |");
          }
          md += "\n";
          if (r == 0) {
            md += "|";
            for (std::size_t c = 0; c < width; ++c) md += " --- |";
            md += "\n";
          }
        }
        if (!md.empty()) md.pop_back();
        md = with_images_around(block, options, std::move(md));
        break;
      }
      case BlockKind::quote: {
        md = "> ";
        for (char c : text_with_images(block, options)) {
          md.push_back(c);
          if (c == '\n') md += "> ";
        }
        break;
      }
      case BlockKind::code: {
        std::string fence = "```";
        while (block.text.find(fence) != std::string::npos) fence += "`";
        md = with_images_around(block, options, fence + "\n" + block.text + "\n" + fence);
        break;
      }
      case BlockKind::caption:
        md = "*" + writer.write(0, block.text.size()) + "*";
        md = with_images_around(block, options, std::move(md));
        break;
      case BlockKind::paragraph:
        md = text_with_images(block, options);
        break;
    }
    out += md;
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
    if (!block.links.empty()) {
      json::array links;
      for (const auto& link : block.links) links.emplace_back(json::array{link.begin, link.end, link.url});
      b["links"] = std::move(links);
    }
    if (!block.images.empty()) {
      json::array images;
      for (const auto& image : block.images) images.emplace_back(json::array{image.at, image.src, image.alt});
      b["images"] = std::move(images);
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

namespace {

std::string string_of(const json::value* v) {
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::size_t offset_of(const json::value& v, std::size_t limit) {
  if (v.is_uint64()) return std::min<std::uint64_t>(v.get_uint64(), limit);
  if (v.is_int64()) return v.get_int64() < 0 ? 0 : std::min<std::uint64_t>(std::uint64_t(v.get_int64()), limit);
  return 0;
}

}  // namespace

std::vector<Block> blocks_from_json(const json::value& value) {
  std::vector<Block> out;
  if (!value.is_array()) return out;
  for (const json::value& item : value.get_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    Block b;
    const std::string type = string_of(o.if_contains("type"));
    for (BlockKind kind : {BlockKind::heading, BlockKind::list, BlockKind::table, BlockKind::quote, BlockKind::code,
                           BlockKind::caption})
      if (type == to_string(kind)) b.kind = kind;
    b.text = string_of(o.if_contains("text"));
    if (const json::value* level = o.if_contains("level"); level && level->is_int64())
      b.level = int(std::clamp<std::int64_t>(level->get_int64(), 1, 6));
    if (const json::value* ordered = o.if_contains("ordered"); ordered && ordered->is_bool()) b.ordered = ordered->get_bool();
    if (const json::value* items = o.if_contains("items"); items && items->is_array())
      for (const json::value& i : items->get_array()) b.items.push_back(string_of(&i));
    if (const json::value* rows = o.if_contains("rows"); rows && rows->is_array())
      for (const json::value& r : rows->get_array()) {
        auto& row = b.rows.emplace_back();
        if (r.is_array())
          for (const json::value& cell : r.get_array()) row.push_back(string_of(&cell));
      }
    const std::size_t size = b.text.size();
    if (const json::value* links = o.if_contains("links"); links && links->is_array())
      for (const json::value& l : links->get_array()) {
        if (!l.is_array() || l.get_array().size() < 3) continue;
        const json::array& a = l.get_array();
        InlineLink link{offset_of(a[0], size), offset_of(a[1], size), string_of(&a[2])};
        // Out of order or overlapping links are dropped: the writer takes them in text order.
        if (link.begin >= link.end || (!b.links.empty() && link.begin < b.links.back().end)) continue;
        b.links.push_back(std::move(link));
      }
    if (const json::value* images = o.if_contains("images"); images && images->is_array())
      for (const json::value& m : images->get_array()) {
        if (!m.is_array() || m.get_array().size() < 3) continue;
        const json::array& a = m.get_array();
        InlineImage image{offset_of(a[0], size), string_of(&a[1]), string_of(&a[2])};
        if (!b.images.empty() && image.at < b.images.back().at) continue;
        b.images.push_back(std::move(image));
      }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace winnow::parsers
