#pragma once
// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Internal to feeds/formats.
#include <boost/system/result.hpp>

#include <string_view>

#include "feeds/formats/common.h"

namespace winnow::feeds::formats {

// Reads a JSON Feed. Invalid UTF-8 is replaced (and makes the feed bozo); other JSON that is
// not a feed is FeedErrc::not_a_feed, broken JSON FeedErrc::malformed.
boost::system::result<Feed> read_json_feed(std::string_view bytes, const ReadContext& ctx);

}  // namespace winnow::feeds::formats
