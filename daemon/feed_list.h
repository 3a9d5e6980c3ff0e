#pragma once
// The feeds a configuration names: its `feeds.urls` and the outlines of its OPML file.
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "feeds/opml/opml.h"

namespace winnow {

// Reads the OPML file when one is configured; throws std::runtime_error if it cannot be
// read or is no OPML, or names a URL feed_url_problem refuses (file:// allowed). URLs
// given twice are listed once.
std::vector<feeds::Subscription> configured_feeds(const Config& config);

// Why `url` cannot be a feed, or "" when it can: http:// and https:// URLs with a host, and
// file:// ones when `allow_file` (a file the operator names in the configuration; never
// through `feeds add` or an OPML import into the archive). javascript:, data:, ftp: and
// every other scheme are refused: a feed is fetched, its links followed, by the daemon.
std::string feed_url_problem(std::string_view url, bool allow_file);

}  // namespace winnow
