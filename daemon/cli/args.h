#pragma once
// The command line of both binaries, on Boost.Program_options: a Command says what a verb
// (or `feeds list`, or winnowd) takes and how it is described; Args is what one argv gave.
// Every command gets -h/--help (its help on standard output), the same exit codes, typed
// numbers with readable errors, and refuses unknown options. Single-threaded, like main().
#include <boost/program_options/options_description.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace winnow::cli {

// The exit codes of `winnow` and `winnowd` (docs/cli.md). Verbs with their own statuses
// (extract's verdicts) document them in their help.
constexpr int kExitOk = 0;
constexpr int kExitSomeFailed = 1;   // some items failed, others were done
constexpr int kExitUsage = 2;        // bad command line: nothing was tried
constexpr int kExitNothingDone = 3;  // nothing could be done (no archive, every item failed)

// The lines every help ends with.
extern const char* const kExitCodesHelp;

// A bad command line: main() prints "winnow VERB: MESSAGE", a hint, and exits kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Nothing could be done (no archive to read, ...): main() prints it and exits kExitNothingDone.
struct NothingDone : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What one command accepts. Options are added with options() like Program_options' own
// add_options(): `po::bool_switch()` for flags, `po::value<std::string>()` for values,
// `po::value<std::vector<std::string>>()->composing()` for repeatable ones. Numbers are taken
// as strings and read with Args::number(), so that "-1" or "x" get a readable refusal.
class Command {
 public:
  // `name`: "search", "feeds list"; `synopsis`: what follows it, "WORDS... [--limit N]";
  // `description`: paragraphs for the help; `exit_codes`: replaces kExitCodesHelp if given.
  Command(std::string name, std::string synopsis, std::string description, std::string exit_codes = {});

  boost::program_options::options_description_easy_init options() { return options_.add_options(); }
  // The positionals allowed, for the usage error when more or fewer are given; `what` names
  // them in it ("ID", "FILE").
  Command& positionals(std::size_t min, std::size_t max, std::string what = "an argument");

  const std::string& name() const { return name_; }
  std::string usage() const;  // "usage: winnow NAME SYNOPSIS\n"
  std::string help() const;   // usage, description, options, exit codes

  const boost::program_options::options_description& described() const { return options_; }
  std::size_t min_positionals() const { return min_; }
  std::size_t max_positionals() const { return max_; }
  const std::string& positional_name() const { return positional_name_; }

 private:
  std::string name_, synopsis_, description_, exit_codes_;
  boost::program_options::options_description options_{"options"};
  std::size_t min_ = 0, max_ = SIZE_MAX;
  std::string positional_name_ = "an argument";
};

class Args {
 public:
  // Parses `argv` (without program and verb names) for `command`. Throws UsageError on an
  // unknown option, a missing value, or a wrong number of positionals. With -h/--help the
  // rest is not checked and help_asked() holds.
  Args(std::span<char* const> argv, const Command& command);

  bool help_asked() const { return help_; }
  // Given on the command line (a flag set, or a value given).
  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, std::string fallback) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // The whole number given as --NAME, `fallback` when absent. Throws UsageError naming the
  // option when it is not a number or outside [min, max].
  std::int64_t number(const std::string& name, std::int64_t fallback, std::int64_t min,
                      std::int64_t max = INT64_MAX) const;
  // One of `choices` for --NAME, `fallback` when absent; UsageError otherwise.
  std::string choice(const std::string& name, const std::string& fallback,
                     std::initializer_list<const char*> choices) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;  // in the order given
  std::vector<std::string> positionals_;
  bool help_ = false;
};

// `text` read as a whole number in [min, max]; `what` names it in the UsageError.
std::int64_t parse_number(const std::string& what, const std::string& text, std::int64_t min,
                          std::int64_t max = INT64_MAX);

// "winnow NAME: MESSAGE" and a hint to `winnow help NAME` on standard error; kExitUsage.
int report_usage_error(const std::string& name, const std::string& message);

// If `args` asked for help, prints command.help() on standard output and returns true.
bool print_help_if_asked(const Args& args, const Command& command);

}  // namespace winnow::cli
