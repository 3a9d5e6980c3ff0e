#include "daemon/cli/args.h"

#include <stdexcept>

namespace winnow::cli {

Args::Args(std::span<char* const> argv, std::set<std::string> valued, std::set<std::string> flags) {
  bool only_positionals = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (only_positionals || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      positionals_.push_back(std::move(arg));
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (valued.contains(name)) {
      if (!value) {
        if (i + 1 >= argv.size()) throw std::invalid_argument("option --" + name + " needs a value");
        value = argv[++i];
      }
      values_.emplace(name, *value);
    } else if (flags.contains(name)) {
      if (value) throw std::invalid_argument("option --" + name + " takes no value");
      values_.emplace(name, "");
    } else {
      throw std::invalid_argument("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto [first, last] = values_.equal_range(name);
  if (first == last) return std::nullopt;
  return std::prev(last)->second;  // the last one given wins
}

std::string Args::get_or(const std::string& name, std::string fallback) const {
  return get(name).value_or(std::move(fallback));
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto [first, last] = values_.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

}  // namespace winnow::cli
