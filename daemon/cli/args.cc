#include "daemon/cli/args.h"

#include <boost/program_options/errors.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <charconv>
#include <cstdio>
#include <sstream>

namespace winnow::cli {

namespace po = boost::program_options;

const char* const kExitCodesHelp =
    "exit status: 0 done; 1 some items failed; 2 bad usage (nothing tried);\n"
    "             3 nothing could be done (no archive, every item failed)\n";

namespace {

constexpr const char* kPositional = "winnow-positional";

}  // namespace

Command::Command(std::string name, std::string synopsis, std::string description, std::string exit_codes)
    : name_(std::move(name)),
      synopsis_(std::move(synopsis)),
      description_(std::move(description)),
      exit_codes_(exit_codes.empty() ? kExitCodesHelp : std::move(exit_codes)) {
  options_.add_options()("help,h", "print this help and exit");
}

Command& Command::positionals(std::size_t min, std::size_t max, std::string what) {
  min_ = min;
  max_ = max;
  positional_name_ = std::move(what);
  return *this;
}

std::string Command::usage() const {
  const std::string program = name_ == "winnowd" ? "winnowd" : "winnow " + name_;
  std::string out;
  // A synopsis of several lines: each a form of the command.
  std::istringstream lines(synopsis_);
  bool first = true;
  for (std::string line; std::getline(lines, line);) {
    out += (first ? "usage: " : "       ") + program + (line.empty() ? "" : " " + line) + "\n";
    first = false;
  }
  if (first) out = "usage: " + program + "\n";
  return out;
}

std::string Command::help() const {
  std::ostringstream out;
  out << usage() << "\n";
  if (!description_.empty()) out << description_ << (description_.ends_with('\n') ? "" : "\n") << "\n";
  out << options_ << "\n" << exit_codes_;
  return out.str();
}

Args::Args(std::span<char* const> argv, const Command& command) {
  std::vector<std::string> tokens(argv.begin(), argv.end());
  for (const auto& t : tokens) {
    if (t == "--") break;
    if (t == "-h" || t == "--help") {
      help_ = true;
      return;
    }
  }
  po::options_description all;
  all.add(command.described());
  all.add_options()(kPositional, po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add(kPositional, -1);
  po::parsed_options parsed(&all);
  try {
    // No abbreviations: `--lim` is not `--limit`, so that a later option cannot change meaning.
    parsed = po::command_line_parser(tokens)
                 .options(all)
                 .positional(positional)
                 .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                 .run();
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  for (const auto& o : parsed.options) {
    if (o.string_key == kPositional) {
      positionals_.insert(positionals_.end(), o.value.begin(), o.value.end());
      continue;
    }
    if (o.string_key == "help") continue;
    // Options of Program_options' own types (bool_switch) hold no token: "" says "given".
    values_.emplace_back(o.string_key, o.value.empty() ? std::string() : o.value.back());
  }
  if (positionals_.size() < command.min_positionals())
    throw UsageError(command.positional_name() + " is missing");
  if (positionals_.size() > command.max_positionals())
    throw UsageError(command.max_positionals() == 0 ? "unexpected argument '" + positionals_.front() + "'"
                                                    : "unexpected argument '" +
                                                          positionals_[command.max_positionals()] + "'");
}

bool Args::has(const std::string& name) const {
  for (const auto& [key, value] : values_)
    if (key == name) return true;
  return false;
}

std::optional<std::string> Args::get(const std::string& name) const {
  std::optional<std::string> last;  // the last one given wins
  for (const auto& [key, value] : values_)
    if (key == name) last = value;
  return last;
}

std::string Args::get_or(const std::string& name, std::string fallback) const {
  return get(name).value_or(std::move(fallback));
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values_)
    if (key == name) out.push_back(value);
  return out;
}

std::int64_t parse_number(const std::string& what, const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || end != text.data() + text.size())
    throw UsageError(what + ": '" + text + "' is not a whole number");
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    std::string range = max == INT64_MAX ? "at least " + std::to_string(min)
                                         : "from " + std::to_string(min) + " to " + std::to_string(max);
    throw UsageError(what + ": " + text + " is out of range (" + range + ")");
  }
  return value;
}

std::int64_t Args::number(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  auto text = get(name);
  return text ? parse_number("--" + name, *text, min, max) : fallback;
}

std::string Args::choice(const std::string& name, const std::string& fallback,
                         std::initializer_list<const char*> choices) const {
  auto text = get(name);
  if (!text) return fallback;
  std::string list;
  for (const char* c : choices) {
    if (*text == c) return *text;
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  throw UsageError("--" + name + ": unknown value '" + *text + "' (one of: " + list + ")");
}

int report_usage_error(const std::string& name, const std::string& message) {
  std::fprintf(stderr, "winnow %s: %s\nTry 'winnow help %s'.\n", name.c_str(), message.c_str(), name.c_str());
  return kExitUsage;
}

bool print_help_if_asked(const Args& args, const Command& command) {
  if (!args.help_asked()) return false;
  std::fputs(command.help().c_str(), stdout);
  return true;
}

}  // namespace winnow::cli
