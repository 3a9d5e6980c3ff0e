#include "daemon/ingest/article_row.h"

#include <boost/algorithm/string/join.hpp>
#include <boost/json.hpp>

#include "base/time.h"
#include "parsers/extract/extract.h"
#include "parsers/fingerprint/simhash.h"
#include "parsers/render/render.h"
#include "parsers/url/normalize.h"

namespace winnow::ingest {
void set_extracted_fields(archive::ArticleRow& row, const parsers::Article& a) {
  const auto& m = a.metadata;
  row.canonical_url = m.canonical_url.empty() ? std::string() : parsers::normalize_url(m.canonical_url);
  row.title = m.title;
  row.authors = boost::algorithm::join(m.authors, ", ");
  row.published = m.published.empty() ? std::nullopt : base::parse_date(m.published);
  row.modified = m.modified.empty() ? std::nullopt : base::parse_date(m.modified);
  row.site_name = m.site_name;
  row.language = m.language;
  row.description = m.description;
  row.image = m.image;
  row.tags = boost::algorithm::join(m.tags, ", ");
  row.text = parsers::to_plain_text(a);
  row.markdown = parsers::to_markdown(a);
  boost::json::object o = parsers::to_json(a, true);
  row.blocks_json = boost::json::serialize(o["blocks"]);
  row.removed_json = boost::json::serialize(o["removed"]);
  row.fingerprint = parsers::simhash(row.text);
  row.charset = a.charset;
  row.extractor_version = parsers::kExtractorVersion;
}

}  // namespace winnow::ingest
