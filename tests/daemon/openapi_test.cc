// docs/openapi.json and docs/api.md against the code they describe, so that the documents
// cannot drift from it: the OpenAPI file is well formed and every $ref in it resolves; its
// Article schema has exactly the keys archive::article_json() writes, with their JSON types
// and nullability; every error code the API's sources answer with is in the Error schema's
// enum and in docs/api.md, and the enum holds no other.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/archive/article_json.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const json::value& spec() {
  static const json::value doc = [] {
    boost::system::error_code ec;
    auto v = json::parse(read_file(fs::path(WINNOW_SOURCE_DIR) / "docs/openapi.json"), ec);
    BOOST_REQUIRE_MESSAGE(!ec, "docs/openapi.json is not JSON: " << ec.message());
    return v;
  }();
  return doc;
}

// A local reference ("#/components/schemas/Article") in `root`; nullptr when it names nothing.
const json::value* resolve(const json::value& root, std::string_view ref) {
  if (!ref.starts_with("#/")) return nullptr;
  const json::value* at = &root;
  std::size_t start = 2;
  while (start <= ref.size()) {
    auto slash = ref.find('/', start);
    if (slash == std::string_view::npos) slash = ref.size();
    // JSON Pointer escapes: "~1" is "/", "~0" is "~".
    std::string token;
    for (std::size_t i = start; i < slash; ++i) {
      if (ref[i] == '~' && i + 1 < slash && (ref[i + 1] == '0' || ref[i + 1] == '1')) {
        token += ref[++i] == '1' ? '/' : '~';
      } else {
        token += ref[i];
      }
    }
    const auto* object = at->if_object();
    if (!object) return nullptr;
    at = object->if_contains(token);
    if (!at) return nullptr;
    start = slash + 1;
  }
  return at;
}

void collect_refs(const json::value& v, std::vector<std::string>& refs) {
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (kv.key() == "$ref" && kv.value().is_string()) refs.emplace_back(kv.value().as_string());
      else collect_refs(kv.value(), refs);
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) collect_refs(e, refs);
  }
}

// The code strings of every error_response(STATUS, "code", ...) and protocol_error(...) call
// in daemon/api/*.cc: a plain scan for the call, its first comma, then a string literal.
// The functions' own definitions (a type after the comma) are passed over.
std::set<std::string> error_codes_in_sources() {
  std::set<std::string> codes;
  for (const auto& entry : fs::directory_iterator(fs::path(WINNOW_SOURCE_DIR) / "daemon/api")) {
    if (entry.path().extension() != ".cc") continue;
    const std::string text = read_file(entry.path());
    for (std::string_view call : {"error_response(", "protocol_error("}) {
      for (auto at = text.find(call); at != std::string::npos; at = text.find(call, at + 1)) {
        auto comma = text.find(',', at);
        if (comma == std::string::npos) continue;
        auto quote = text.find_first_not_of(" \t\r\n", comma + 1);
        if (quote == std::string::npos || text[quote] != '"') continue;
        auto end = text.find('"', quote + 1);
        codes.insert(text.substr(quote + 1, end - quote - 1));
      }
    }
  }
  return codes;
}

const json::object& schema(std::string_view name) {
  const auto* s = resolve(spec(), "#/components/schemas/" + std::string(name));
  BOOST_REQUIRE_MESSAGE(s && s->is_object(), "no schema " << name);
  return s->as_object();
}

// The JSON type of `v` as OpenAPI names it.
std::string openapi_type(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::bool_: return "boolean";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    case json::kind::null: return "null";
  }
  return "?";
}

// "only in docs: x; only in code: y", for a failed comparison of two sets.
std::string difference(const std::set<std::string>& docs, const std::set<std::string>& code) {
  std::string out;
  for (const auto& d : docs)
    if (!code.contains(d)) out += " only in docs: " + d;
  for (const auto& c : code)
    if (!docs.contains(c)) out += " only in code: " + c;
  return out;
}

BOOST_AUTO_TEST_SUITE(openapi)

BOOST_AUTO_TEST_CASE(is_openapi_3_0_with_info_and_paths) {
  const auto& doc = spec().as_object();
  BOOST_TEST(std::string(doc.at("openapi").as_string()).starts_with("3.0."));
  BOOST_TEST(doc.at("info").as_object().at("title").is_string());
  BOOST_TEST(doc.at("info").as_object().at("version").is_string());
  const auto& paths = doc.at("paths").as_object();
  for (const char* path : {"/v1/articles", "/v1/articles/{id}", "/v1/articles/{id}/raw", "/v1/search", "/v1/stream",
                           "/v1/feeds", "/v1/feeds/{id}", "/v1/feeds/{id}/full.atom", "/v1/feeds/{id}/full.json",
                           "/v1/full.atom", "/v1/full.json", "/v1/crawl", "/healthz", "/readyz", "/metrics"})
    BOOST_TEST(paths.contains(path), path);
}

BOOST_AUTO_TEST_CASE(every_ref_resolves) {
  std::vector<std::string> refs;
  collect_refs(spec(), refs);
  BOOST_TEST(refs.size() > 10u);
  for (const auto& ref : refs) BOOST_TEST(resolve(spec(), ref) != nullptr, ref);
}

BOOST_AUTO_TEST_CASE(article_schema_has_exactly_the_keys_article_json_writes) {
  auto row = archive::testing::sample_article(7, 42);
  row.id = 9;
  row.modified = 1'700'000'500;
  row.duplicate_of = 3;
  const auto full = archive::article_json(row);
  row.feed_id.reset();
  row.published.reset();
  row.modified.reset();
  row.duplicate_of.reset();
  const auto sparse = archive::article_json(row);

  const auto& properties = schema("Article").at("properties").as_object();
  std::set<std::string> documented, written;
  for (const auto& kv : properties) documented.insert(std::string(kv.key()));
  for (const auto& kv : full) written.insert(std::string(kv.key()));
  BOOST_TEST((documented == written), difference(documented, written));

  // Every key is required; the types agree, and null is documented exactly where it occurs.
  std::set<std::string> required;
  for (const auto& r : schema("Article").at("required").as_array()) required.insert(std::string(r.as_string()));
  BOOST_TEST((required == written), difference(required, written));
  for (const auto& kv : full) {
    const auto* p = properties.if_contains(kv.key());
    if (!p) continue;
    const auto& property = p->as_object();
    BOOST_TEST(std::string(property.at("type").as_string()) == openapi_type(kv.value()), kv.key());
    const bool nullable = property.contains("nullable") && property.at("nullable").as_bool();
    BOOST_TEST(nullable == sparse.at(kv.key()).is_null(), kv.key());
  }
}

BOOST_AUTO_TEST_CASE(every_error_code_is_documented_and_no_other) {
  const auto codes = error_codes_in_sources();
  BOOST_TEST(codes.size() > 10u);  // the scan found the calls
  BOOST_TEST(codes.count("not_found") == 1u);
  BOOST_TEST(codes.count("headers_too_large") == 1u);

  const auto& code = schema("Error").at("properties").as_object().at("error").as_object().at("properties").as_object().at(
      "code").as_object();
  std::set<std::string> documented;
  for (const auto& c : code.at("enum").as_array()) documented.insert(std::string(c.as_string()));
  BOOST_TEST((documented == codes), difference(documented, codes));

  const auto guide = read_file(fs::path(WINNOW_SOURCE_DIR) / "docs/api.md");
  for (const auto& c : codes) BOOST_TEST(guide.find("`" + c + "`") != std::string::npos, c << " in docs/api.md");
}

BOOST_AUTO_TEST_CASE(every_path_is_in_the_guide) {
  const auto guide = read_file(fs::path(WINNOW_SOURCE_DIR) / "docs/api.md");
  for (const auto& kv : spec().as_object().at("paths").as_object())
    BOOST_TEST(guide.find(std::string(kv.key())) != std::string::npos, kv.key() << " in docs/api.md");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
