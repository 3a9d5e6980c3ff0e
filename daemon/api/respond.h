#pragma once
// The pieces every API answer is made of: JSON bodies, the error shape, query parameters.
// Pure; any thread.
#include <boost/json/value.hpp>
#include <boost/url/url_view.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api/server.h"

namespace winnow::api {

namespace http = boost::beast::http;

// `value` as the body, application/json; not cached.
HttpResponse json_response(http::status status, const boost::json::value& value);
// {"error": {"code": code, "message": message}}: `code` is part of the API, stable; the
// message is for people and may change.
HttpResponse error_response(http::status status, std::string_view code, std::string_view message);
HttpResponse text_response(http::status status, std::string body, std::string_view content_type);

// The query of a request target, decoded. A name given twice keeps both values.
class QueryParams {
 public:
  explicit QueryParams(const boost::urls::url_view& url);
  // The last value given for `name`.
  std::optional<std::string> get(std::string_view name) const;
  // Every value for `name`, each split at commas ("feed=1,2&feed=3" is 1, 2, 3).
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// A whole decimal number in [low, high]; nullopt for anything else ("", "1.5", "0x10", "+1").
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t low, std::int64_t high);

}  // namespace winnow::api
