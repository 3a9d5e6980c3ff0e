// /v1/articles, /v1/articles/ID[/raw], /v1/search: reads on the reader pool, answers on the loop.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>

#include "daemon/api/api_impl.h"
#include "daemon/archive/article_json.h"
#include "daemon/archive/search_query.h"

namespace winnow::api {
namespace {

constexpr std::int64_t kMaxPageLimit = 500;
constexpr std::int64_t kMaxSearchLimit = 100;

// What parsers::to_string(PageKind) and ingest write in `verdict`.
constexpr std::string_view kVerdicts[] = {"article",   "not_article", "challenge", "consent_wall",
                                          "paywall_teaser", "error_page", "empty",  "quarantined"};

// "en", "pt-BR", "zh-Hant-TW": a BCP 47 tag's shape, nothing else reaches SQL's LIKE.
bool is_language_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 35 || !std::isalpha(static_cast<unsigned char>(tag.front()))) return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

HttpResponse bad_parameter(std::string_view name, std::string_view why) {
  return error_response(http::status::bad_request, "bad_parameter", std::string(name) + ": " + std::string(why));
}

enum class Format { json, text, markdown };

// ?format= first, else the Accept header's first type we serve, else JSON.
std::optional<Format> format_of(const HttpRequest& request, const QueryParams& params) {
  if (auto format = params.get("format")) {
    if (*format == "json") return Format::json;
    if (*format == "text") return Format::text;
    if (*format == "markdown" || *format == "md") return Format::markdown;
    return std::nullopt;
  }
  const std::string accept(request[http::field::accept]);
  const auto json = accept.find("application/json");
  const auto text = accept.find("text/plain");
  const auto markdown = accept.find("text/markdown");
  const auto first = std::min({json, text, markdown});
  if (first == std::string::npos || first == json) return Format::json;
  return first == markdown ? Format::markdown : Format::text;
}

}  // namespace

std::optional<archive::ArticleQuery> Api::Impl::article_query(const std::shared_ptr<Exchange>& ex,
                                                              const QueryParams& params, std::size_t default_limit) {
  archive::ArticleQuery query;
  query.limit = default_limit;
  if (auto after = params.get("after")) {
    auto cursor = parse_integer(*after, 0, INT64_MAX);
    if (!cursor) return ex->respond(bad_parameter("after", "a cursor from next_cursor (or 0)")), std::nullopt;
    query.after = *cursor;
  }
  if (auto limit = params.get("limit")) {
    auto n = parse_integer(*limit, 1, kMaxPageLimit);
    if (!n) return ex->respond(bad_parameter("limit", "a number from 1 to 500")), std::nullopt;
    query.limit = std::size_t(*n);
  }
  for (const auto& feed : params.all("feed")) {
    auto id = parse_integer(feed, 1, INT64_MAX);
    if (!id) return ex->respond(bad_parameter("feed", "feed ids, as /v1/feeds lists them")), std::nullopt;
    query.feed_ids.push_back(*id);
  }
  if (auto lang = params.get("lang")) {
    if (!is_language_tag(*lang)) return ex->respond(bad_parameter("lang", "a language tag such as en or pt-BR")), std::nullopt;
    query.language = *lang;
  }
  for (const auto& verdict : params.all("verdict")) {
    if (std::find(std::begin(kVerdicts), std::end(kVerdicts), verdict) == std::end(kVerdicts))
      return ex->respond(bad_parameter("verdict", "one of article, not_article, challenge, consent_wall, "
                                                  "paywall_teaser, error_page, empty, quarantined")),
             std::nullopt;
    query.verdicts.push_back(verdict);
  }
  if (auto originals = params.get("originals")) {
    if (*originals != "0" && *originals != "1" && *originals != "true" && *originals != "false")
      return ex->respond(bad_parameter("originals", "1 or 0")), std::nullopt;
    query.originals_only = *originals == "1" || *originals == "true";
  }
  return query;
}

void Api::Impl::list_articles(const std::shared_ptr<Exchange>& ex, const QueryParams& params) {
  auto query = article_query(ex, params, 50);
  if (!query) return;
  // The JSON is written on the reader too: a page of 500 articles is megabytes of text,
  // too much work for the loop.
  read<HttpResponse>(
      ex,
      [q = *query](archive::Archive& a) {
        auto page = a.articles_page(q);
        boost::json::array articles;
        for (const auto& row : page.rows) articles.push_back(archive::article_json(row));
        return json_response(http::status::ok, {{"articles", std::move(articles)},
                                                {"next_cursor", std::to_string(page.next)},
                                                {"more", page.more}});
      },
      [ex](HttpResponse response) { ex->respond(std::move(response)); });
}

void Api::Impl::get_article(const std::shared_ptr<Exchange>& ex, std::int64_t id, const QueryParams& params) {
  auto format = format_of(ex->request(), params);
  if (!format) return ex->respond(bad_parameter("format", "json, text or markdown"));
  read<HttpResponse>(
      ex,
      [id, format = *format](archive::Archive& a) {
        auto row = a.article(id);
        if (!row) return error_response(http::status::not_found, "not_found", "no such article");
        switch (format) {
          case Format::json:
            return json_response(http::status::ok, archive::article_json(*row));
          case Format::text:
            return text_response(http::status::ok, std::move(row->text), "text/plain; charset=utf-8");
          case Format::markdown:
            break;
        }
        return text_response(http::status::ok, std::move(row->markdown), "text/markdown; charset=utf-8");
      },
      [ex](HttpResponse response) { ex->respond(std::move(response)); });
}

void Api::Impl::get_raw(const std::shared_ptr<Exchange>& ex, std::int64_t id) {
  read<std::optional<archive::ArticleRow>>(
      ex, [id](archive::Archive& a) { return a.article(id, true); },
      [ex](std::optional<archive::ArticleRow> row) {
        if (!row) return ex->respond(error_response(http::status::not_found, "not_found", "no such article"));
        if (row->raw.empty())
          return ex->respond(error_response(http::status::not_found, "no_raw_page", "no page was archived for it"));
        auto response = text_response(http::status::ok, std::move(row->raw),
                                      row->content_type.empty() ? "application/octet-stream" : row->content_type);
        // The page is someone else's HTML: a browser that opens it runs none of its scripts
        // in our origin, and never guesses another type.
        response.set("Content-Security-Policy", "sandbox");
        response.set("X-Content-Type-Options", "nosniff");
        return ex->respond(std::move(response));
      });
}

void Api::Impl::search(const std::shared_ptr<Exchange>& ex, const QueryParams& params) {
  auto q = params.get("q");
  if (!q || q->empty()) return ex->respond(bad_parameter("q", "what to search for"));
  std::size_t limit = 20;
  if (auto text = params.get("limit")) {
    auto n = parse_integer(*text, 1, kMaxSearchLimit);
    if (!n) return ex->respond(bad_parameter("limit", "a number from 1 to 100"));
    limit = std::size_t(*n);
  }
  const auto syntax = params.get("syntax").value_or("plain");
  if (syntax != "plain" && syntax != "fts5") return ex->respond(bad_parameter("syntax", "plain or fts5"));
  const bool raw = syntax == "fts5";
  std::string match = raw ? *q : archive::fts5_from_plain(*q);
  if (match.empty()) return ex->respond(bad_parameter("q", "no word to search for"));
  // A query the engine cannot read is the client's mistake (400, said in our words: SQLite's
  // "no such column" reads like a bug of ours); the reader's other failures are ours (503).
  struct Result {
    std::vector<archive::SearchHit> hits;
    bool bad_query = false;
  };
  read<Result>(
      ex,
      [match, limit](archive::Archive& a) {
        Result result;
        try {
          result.hits = a.search(match, limit);
        } catch (const archive::BadSearchQuery&) {
          result.bad_query = true;
        }
        return result;
      },
      [ex, raw, q = *q](Result result) {
        if (result.bad_query)
          return ex->respond(error_response(http::status::bad_request, "bad_query",
                                            raw ? "not a valid FTS5 query (see https://sqlite.org/fts5.html#full_text_query_syntax)"
                                                : "the query could not be searched"));
        boost::json::array hits;
        for (const auto& hit : result.hits)
          hits.push_back({{"id", hit.article_id}, {"title", hit.title}, {"url", hit.url}, {"snippet", hit.snippet},
                          {"rank", hit.rank}});
        ex->respond(json_response(http::status::ok, {{"query", q}, {"hits", std::move(hits)}}));
      });
}

}  // namespace winnow::api
