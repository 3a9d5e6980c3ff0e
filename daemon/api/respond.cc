#include "daemon/api/respond.h"

#include <boost/json/object.hpp>

#include <charconv>

#include "daemon/archive/article_json.h"

namespace winnow::api {

HttpResponse json_response(http::status status, const boost::json::value& value) {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = archive::json_line(value);
  response.body() += '\n';
  return response;
}

HttpResponse error_response(http::status status, std::string_view code, std::string_view message) {
  return json_response(status, boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

HttpResponse text_response(http::status status, std::string body, std::string_view content_type) {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

QueryParams::QueryParams(const boost::urls::url_view& url) {
  for (const auto& param : url.params()) params_.emplace_back(param.key, param.has_value ? param.value : "");
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  for (auto it = params_.rbegin(); it != params_.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

std::vector<std::string> QueryParams::all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : params_) {
    if (key != name) continue;
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto comma = value.find(',', start);
      const auto end = comma == std::string::npos ? value.size() : comma;
      if (end > start) values.push_back(value.substr(start, end - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return values;
}

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t low, std::int64_t high) {
  std::int64_t value = 0;
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) return std::nullopt;
  return value;
}

}  // namespace winnow::api
