#pragma once
// What one webhook delivery sends: the JSON body of an event and the headers that name and
// sign it (docs/webhooks.md). Pure, no I/O; any thread.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.h"
#include "daemon/archive/archive.h"

namespace winnow::webhooks {

// {"event": type, "id": seq, "at": RFC 3339, then "article": article_json(*article) for the
// article events or "feed": {id, url, title, consecutive_failures, last_error} for
// feed.failing}. The row is read at delivery time, so it is the article as it is then; null
// when it is gone (or its blocks_json is broken: a poisoned row must not stall the queue).
std::string event_body(const archive::OutboxEvent& event, const std::optional<archive::ArticleRow>& article,
                       const std::optional<archive::FeedRow>& feed);

// "sha256=" + lowercase hex of HMAC-SHA256(secret, timestamp + "." + body).
std::string signature(std::string_view secret, std::string_view timestamp, std::string_view body);

// The headers of a delivery of `event` with `body`, sent at `now` (Content-Type too):
// X-Winnow-Event, X-Winnow-Delivery (the event's seq: the same to every endpoint and on every
// retry, for receivers to de-duplicate), X-Winnow-Timestamp (Unix seconds), X-Winnow-Signature.
std::vector<std::pair<std::string, std::string>> delivery_headers(const archive::OutboxEvent& event,
                                                                  std::string_view body, std::string_view secret,
                                                                  base::UnixSeconds now);

}  // namespace winnow::webhooks
