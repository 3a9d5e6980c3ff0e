#pragma once
// The feeds a configuration names: its `feeds.urls` and the outlines of its OPML file.
#include <vector>

#include "daemon/config.h"
#include "feeds/opml/opml.h"

namespace winnow {

// Reads the OPML file when one is configured; throws std::runtime_error if it cannot be
// read or is no OPML. URLs given twice are listed once.
std::vector<feeds::Subscription> configured_feeds(const Config& config);

}  // namespace winnow
