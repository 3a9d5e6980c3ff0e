#include "daemon/webhooks/delivery.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/object.hpp>

#include <stdexcept>

#include "daemon/archive/article_json.h"

namespace winnow::webhooks {
namespace {

boost::json::value article_value(const std::optional<archive::ArticleRow>& article) {
  if (!article) return nullptr;
  try {
    return archive::article_json(*article);
  } catch (const std::exception&) {
    return nullptr;  // invalid blocks_json: the event still goes, without the article
  }
}

boost::json::value feed_value(const std::optional<archive::FeedRow>& feed) {
  if (!feed) return nullptr;
  boost::json::object object;
  object["id"] = feed->id;
  object["url"] = feed->url;
  object["title"] = feed->title;
  object["consecutive_failures"] = feed->consecutive_failures;
  object["last_error"] = feed->last_error;
  return object;
}

}  // namespace

std::string event_body(const archive::OutboxEvent& event, const std::optional<archive::ArticleRow>& article,
                       const std::optional<archive::FeedRow>& feed) {
  boost::json::object body;
  body["event"] = archive::to_string(event.type);
  body["id"] = event.seq;
  body["at"] = base::format_rfc3339(event.at);
  if (event.type == archive::EventType::feed_failing)
    body["feed"] = feed_value(feed);
  else
    body["article"] = article_value(article);
  return archive::json_line(body);
}

std::string signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_size))
    throw std::runtime_error("webhooks: HMAC-SHA256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < mac_size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> delivery_headers(const archive::OutboxEvent& event,
                                                                  std::string_view body, std::string_view secret,
                                                                  base::UnixSeconds now) {
  const std::string timestamp = std::to_string(now);
  return {{"Content-Type", "application/json"},
          {"X-Winnow-Event", std::string(archive::to_string(event.type))},
          {"X-Winnow-Delivery", std::to_string(event.seq)},
          {"X-Winnow-Timestamp", timestamp},
          {"X-Winnow-Signature", signature(secret, timestamp, body)}};
}

}  // namespace winnow::webhooks
