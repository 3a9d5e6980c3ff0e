// Archive::search on PostgreSQL: an FTS5 query translated (tsquery.h), its candidates from
// the GIN index, parsed and ranked a window at a time (docs/scale-out.md, "Search").
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "daemon/archive/postgres/pg_archive.h"
#include "daemon/archive/postgres/rows.h"
#include "daemon/archive/postgres/tsquery.h"

namespace winnow::archive::postgres {
namespace {

// How many of a search's candidates, the newest first, are parsed and ranked a window, and
// how many windows a query that the rows must check may go through.
constexpr std::int64_t kRankedMatches = 200;
constexpr int kSearchWindows = 5;

}  // namespace

std::vector<SearchHit> PgArchive::search(const std::string& fts_query, std::size_t limit) {
  const std::string tsquery = tsquery_from_fts5(fts_query);  // throws BadSearchQuery
  std::vector<SearchHit> hits;
  if (tsquery.empty() || limit == 0) return hits;
  // Since schema 7 most rows keep no tsvector: the index is on an expression (rows.h) that
  // parses a row's title and text, 0.8 ms for an article of 6 KB. So the GIN index alone
  // picks the candidates, with a query it answers without reading rows (loose_tsquery: no
  // phrase, no weight), the newest kRankedMatches of them a window; only those are parsed,
  // checked against the query itself and ranked. A query the rows must check (a phrase, a
  // column) goes on to older windows while it has fewer than `limit` hits, at most
  // kSearchWindows. ts_rank's default weights (A 1.0, B 0.4): a word in the title counts
  // more than one in the body, as bm25(4, 1) does on SQLite. The best few get a headline.
  struct Ranked {
    std::int64_t id;
    std::string title, url, text;
    double rank;
  };
  std::vector<Ranked> ranked;
  std::vector<std::string> headlines;
  try {
    transaction([&] {
      // The candidates from the index only: a plan that filters rows by the expression (a
      // scan of the table, or of the primary key in id order) would parse every row.
      db_.run("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true), "
              "set_config('work_mem', '64MB', true)");
      const std::string exact = db_.run("SELECT to_tsquery('simple', $1)::text", Params(tsquery)).text(0, 0);
      const std::string loose = loose_tsquery(exact);
      // The candidates of every window at once: one pass over the index and the rows' pages.
      // A window holds at least as many as the hits asked for.
      const std::int64_t windows = loose == exact ? 1 : kSearchWindows;
      const auto per_window = static_cast<std::size_t>(std::max(kRankedMatches, to_int64(limit)));
      auto found = db_.run("SELECT a.id FROM articles a WHERE " WINNOW_ARTICLE_SEARCH
                           " @@ $1::tsquery ORDER BY a.id DESC LIMIT $2",
                           Params(loose, to_int64(per_window) * windows));
      std::vector<std::int64_t> candidates;
      for (int i = 0; i < found.rows(); ++i) candidates.push_back(found.integer(i, 0));
      for (std::size_t from = 0; from < candidates.size() && ranked.size() < limit; from += per_window) {
        const std::vector<std::int64_t> window(
            candidates.begin() + static_cast<std::ptrdiff_t>(from),
            candidates.begin() + static_cast<std::ptrdiff_t>(std::min(from + per_window, candidates.size())));
        auto best = db_.run(
            "WITH q AS (SELECT $1::tsquery AS exact), "
            "parsed AS MATERIALIZED (SELECT a.id, " WINNOW_ARTICLE_SEARCH
            " AS v FROM unnest($2::bigint[]) AS c(id) JOIN articles a ON a.id = c.id), "
            "best AS (SELECT p.id, ts_rank(p.v, q.exact) AS score FROM parsed p, q WHERE p.v @@ q.exact "
            "  ORDER BY score DESC, p.id LIMIT $3) "
            "SELECT a.id, a.title, a.url, a.text, a.body, -best.score FROM best JOIN articles a ON a.id = best.id",
            Params(exact, array_literal(window), to_int64(limit)));
        for (int i = 0; i < best.rows(); ++i)
          ranked.push_back(
              Ranked{best.integer(i, 0), best.text(i, 1), best.text(i, 2), stored_text(best, i, 3, 4), best.real(i, 5)});
      }
      std::sort(ranked.begin(), ranked.end(),
                [](const Ranked& a, const Ranked& b) { return a.rank != b.rank ? a.rank < b.rank : a.id < b.id; });
      if (ranked.size() > limit) ranked.resize(limit);
      std::vector<std::string> texts;
      for (const Ranked& r : ranked) texts.push_back(r.text);
      auto marked = db_.run(
          "SELECT ts_headline('simple', t.text, $1::tsquery, "
          "  'StartSel=[, StopSel=], MaxWords=24, MinWords=8, ShortWord=0') "
          "FROM unnest($2::text[]) WITH ORDINALITY AS t(text, n) ORDER BY t.n",
          Params(exact, array_literal(texts)));
      for (int i = 0; i < marked.rows(); ++i) headlines.push_back(marked.text(i, 0));
    });
  } catch (const PgError& e) {
    // The statements are fixed: a data error (invalid UTF-8: 22021), a syntax error or a
    // limit (a tsquery too large: 54000) comes from the query text. Not connection errors.
    const auto& state = e.sqlstate();
    if (state.starts_with("22") || state == "42601" || state.starts_with("54"))
      throw BadSearchQuery("the query could not be searched: " + std::string(e.what()).substr(21));
    throw;
  }
  for (std::size_t i = 0; i < ranked.size(); ++i)
    hits.push_back(SearchHit{ranked[i].id, std::move(ranked[i].title), std::move(ranked[i].url),
                             i < headlines.size() ? std::move(headlines[i]) : std::string(), ranked[i].rank});
  return hits;
}

}  // namespace winnow::archive::postgres
