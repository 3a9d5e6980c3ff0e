#include "daemon/api/article_html.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <vector>

#include "base/ascii.h"
#include "base/url.h"
#include "daemon/api/xml_text.h"

namespace winnow::api {
namespace {

namespace json = boost::json;

// Escaped text with its line breaks as <br />.
void append_text(std::string& out, std::string_view text) {
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = text.find('\n', start);
    append_escaped(out, text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start), false);
    if (nl == std::string_view::npos) break;
    out += "<br />";
    start = nl + 1;
  }
}

void append_element(std::string& out, std::string_view tag, std::string_view text) {
  out.append("<").append(tag).append(">");
  append_text(out, base::trim(text, "\n"));
  out.append("</").append(tag).append(">\n");
}

std::string_view string_of(const json::object& block, std::string_view key) {
  const json::value* v = block.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return v->get_string();
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = base::trim_ascii_space(text.substr(start, nl - start));
    if (!line.empty()) lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

void append_list(std::string& out, const json::object& block) {
  const json::value* ordered = block.if_contains("ordered");
  const bool is_ordered = ordered != nullptr && ordered->is_bool() && ordered->get_bool();
  std::vector<std::string_view> items;
  if (const json::value* v = block.if_contains("items"); v != nullptr && v->is_array())
    for (const json::value& item : v->get_array())
      if (item.is_string()) items.push_back(item.get_string());
  if (items.empty()) items = split_lines(string_of(block, "text"));
  if (items.empty()) return;
  out += is_ordered ? "<ol>\n" : "<ul>\n";
  for (std::string_view item : items) append_element(out, "li", item);
  out += is_ordered ? "</ol>\n" : "</ul>\n";
}

void append_table(std::string& out, const json::object& block) {
  const json::value* rows = block.if_contains("rows");
  if (rows == nullptr || !rows->is_array() || rows->get_array().empty()) {
    // No cells: its text, a row a line, is still worth keeping.
    const std::string_view text = string_of(block, "text");
    if (!base::trim_ascii_space(text).empty()) append_element(out, "p", text);
    return;
  }
  out += "<table><tbody>\n";
  for (const json::value& row : rows->get_array()) {
    out += "<tr>";
    if (row.is_array())
      for (const json::value& cell : row.get_array()) {
        out += "<td>";
        if (cell.is_string()) append_text(out, cell.get_string());
        out += "</td>";
      }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
}

void append_code(std::string& out, std::string_view text) {
  out += "<pre><code>";
  // An HTML parser drops one newline right after <pre>: a leading one needs a second.
  if (!text.empty() && text.front() == '\n') out += '\n';
  append_escaped(out, text, false);
  out += "</code></pre>\n";
}

void append_block(std::string& out, const json::object& block) {
  const std::string_view type = string_of(block, "type");
  const std::string_view text = string_of(block, "text");
  if (type == "list") return append_list(out, block);
  if (type == "table") return append_table(out, block);
  if (base::trim_ascii_space(text).empty()) return;
  if (type == "heading") {
    int level = 2;
    if (const json::value* v = block.if_contains("level"); v != nullptr && v->is_int64())
      level = static_cast<int>(std::clamp<std::int64_t>(v->get_int64(), 2, 6));
    const char tag[] = {'h', static_cast<char>('0' + level), '\0'};
    return append_element(out, tag, text);
  }
  if (type == "quote") {
    out += "<blockquote><p>";
    append_text(out, base::trim(text, "\n"));
    out += "</p></blockquote>\n";
    return;
  }
  if (type == "code") return append_code(out, text);
  if (type == "caption") {
    out += "<p><em>";
    append_text(out, base::trim(text, "\n"));
    out += "</em></p>\n";
    return;
  }
  append_element(out, "p", text);  // paragraph, and any type a later extractor adds
}

// The blocks of blocks_json, or nothing when it holds none or is no array of blocks.
std::vector<json::object> parse_blocks(std::string_view blocks_json) {
  std::vector<json::object> blocks;
  if (base::trim_ascii_space(blocks_json).empty()) return blocks;
  boost::system::error_code error;
  json::value value = json::parse(blocks_json, error);
  if (error || !value.is_array()) return blocks;
  for (json::value& block : value.get_array())
    if (block.is_object()) blocks.push_back(std::move(block.get_object()));
  return blocks;
}

// Paragraphs of plain text: blank lines separate them.
void append_text_paragraphs(std::string& out, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view paragraph = base::trim_ascii_space(text.substr(start, end - start));
    if (!paragraph.empty()) append_element(out, "p", paragraph);
    start = end + 2;
  }
}

}  // namespace

std::string safe_url(std::string_view base, std::string_view ref, bool allow_mailto) {
  const std::string resolved = base::resolve_url(base, ref);
  if (resolved.empty()) return {};
  auto parsed = base::parse_uri(resolved);
  if (!parsed) return {};
  const boost::urls::scheme id = parsed->scheme_id();
  if (id == boost::urls::scheme::http || id == boost::urls::scheme::https)
    return parsed->has_authority() && !parsed->encoded_host().empty() ? resolved : std::string();
  if (allow_mailto && base::iequals(parsed->scheme(), "mailto")) return resolved;
  return {};
}

std::string article_html(const archive::ArticleRow& row) {
  std::string out;
  if (const std::string image = safe_url(row.url, row.image); !image.empty()) {
    out += "<figure><img src=\"";
    append_escaped(out, image, true);
    out += "\" alt=\"\" /></figure>\n";
  }
  const std::vector<json::object> blocks = parse_blocks(row.blocks_json);
  if (blocks.empty()) append_text_paragraphs(out, row.text);
  for (const json::object& block : blocks) append_block(out, block);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace winnow::api
