#include "feeds/model.h"

namespace winnow::feeds {

std::string_view to_string(FeedFormat format) {
  switch (format) {
    case FeedFormat::unknown: return "unknown";
    case FeedFormat::rss090: return "rss090";
    case FeedFormat::rss091: return "rss091";
    case FeedFormat::rss092: return "rss092";
    case FeedFormat::rss20: return "rss20";
    case FeedFormat::rss10: return "rss10";
    case FeedFormat::atom03: return "atom03";
    case FeedFormat::atom10: return "atom10";
    case FeedFormat::json10: return "json10";
    case FeedFormat::json11: return "json11";
    case FeedFormat::cdf: return "cdf";
  }
  return "unknown";
}

std::optional<std::int64_t> refresh_hint_s(const Feed& feed) {
  if (feed.ttl_minutes && *feed.ttl_minutes > 0) return std::int64_t{*feed.ttl_minutes} * 60;
  if (feed.update_period.empty()) return std::nullopt;
  std::int64_t period_s = 0;
  if (feed.update_period == "hourly") period_s = 3600;
  else if (feed.update_period == "daily") period_s = 86400;
  else if (feed.update_period == "weekly") period_s = 7 * 86400;
  else if (feed.update_period == "monthly") period_s = 30 * 86400;
  else if (feed.update_period == "yearly") period_s = 365 * 86400;
  else return std::nullopt;
  const int frequency = feed.update_frequency > 0 ? feed.update_frequency : 1;
  return period_s / frequency;
}

}  // namespace winnow::feeds
