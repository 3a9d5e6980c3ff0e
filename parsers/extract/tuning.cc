#include "parsers/extract/tuning.h"

#include <cstdio>
#include <utility>

namespace winnow::parsers {
namespace {

// Every tuned number by name; one list serves set() and describe().
template <typename T, typename F>
void for_each_number(T& tuning, F&& f) {
  f("bad_weight", tuning.bad_weight);
  f("isolated_prose_weight", tuning.isolated_prose_weight);
  f("step_down_share", tuning.step_down_share);
  f("wrapper_share", tuning.wrapper_share);
  f("lone_article_chars", tuning.lone_article_chars);
  f("edge_paragraph_chars", tuning.edge_paragraph_chars);
  f("article_list_link_share", tuning.article_list_link_share);
}

}  // namespace

bool Tuning::set(std::string_view name, double value) {
  bool found = false;
  for_each_number(*this, [&](std::string_view n, double& v) {
    if (n == name) {
      v = value;
      found = true;
    }
  });
  return found;
}

std::string Tuning::describe() const {
  std::string out;
  for_each_number(*this, [&](std::string_view n, const double& v) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", v);
    if (!out.empty()) out += ", ";
    out.append(n).append("=").append(value);
  });
  return out;
}

}  // namespace winnow::parsers
