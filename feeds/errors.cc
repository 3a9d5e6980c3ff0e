#include "feeds/errors.h"

#include <ostream>
#include <string>

namespace winnow::feeds {
namespace {

class FeedCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "winnow.feeds"; }
  std::string message(int ev) const override {
    switch (static_cast<FeedErrc>(ev)) {
      case FeedErrc::empty_input: return "empty input";
      case FeedErrc::too_large: return "document too large";
      case FeedErrc::not_a_feed: return "not a feed";
      case FeedErrc::malformed: return "malformed document";
      case FeedErrc::entity_limit: return "entity expansion limit exceeded";
      case FeedErrc::not_opml: return "not an OPML document";
    }
    return "unknown feed error";
  }
};

}  // namespace

const boost::system::error_category& feed_category() noexcept {
  static const FeedCategory category;
  return category;
}

boost::system::error_code make_error_code(FeedErrc e) noexcept {
  return {static_cast<int>(e), feed_category()};
}

std::ostream& operator<<(std::ostream& os, FeedErrc e) { return os << make_error_code(e).message(); }

}  // namespace winnow::feeds
