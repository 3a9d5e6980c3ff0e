#pragma once
// A small command-line reader shared by the `winnow` verbs: `--name value`, `--name=value`,
// boolean `--flag`, and positionals. Verbs declare which options take a value; anything
// unknown is an error the verb reports with its usage line.
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace winnow::cli {

class Args {
 public:
  // `valued` names the options that take a value, `flags` those that do not (without "--").
  // Throws std::invalid_argument with a readable message on an unknown or incomplete option.
  Args(std::span<char* const> argv, std::set<std::string> valued, std::set<std::string> flags);

  bool has(const std::string& name) const { return values_.contains(name); }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, std::string fallback) const;
  // Every value of an option given several times, in order.
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positionals_;
};

}  // namespace winnow::cli
