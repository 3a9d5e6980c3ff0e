#include "daemon/cli/common.h"

#include <boost/program_options/value_semantic.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace winnow::cli {
namespace {

constexpr const char* kNameOne = "name the archive with --archive PATH, or a configuration with --config FILE";

}  // namespace

Config cli_config(const Args& args) {
  Config config;
  if (auto path = args.get("config")) {
    config = load_config(*path);
  } else {
    bool found = false;
    for (const char* candidate : {"var/winnowd.toml", "/etc/winnow/winnowd.toml"}) {
      std::error_code ec;
      if (std::filesystem::exists(candidate, ec)) {
        config = load_config(candidate);
        found = true;
        break;
      }
    }
    if (!found) config.archive_path = "var/archive.db";
  }
  if (auto archive = args.get("archive")) {
    // --archive names either back end: a postgresql:// URL or a SQLite file.
    if (archive::Archive::is_postgres_url(*archive)) {
      config.archive_url = *archive;
    } else {
      config.archive_path = *archive;
      config.archive_url.clear();
    }
  }
  return config;
}

void make_archive_directory(const Config& config) {
  if (!config.archive_url.empty()) return;
  if (auto parent = std::filesystem::path(config.archive_path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
}

std::unique_ptr<archive::Archive> open_archive(const Args& args) {
  const Config config = cli_config(args);
  make_archive_directory(config);
  return archive::Archive::open(config.archive_location());
}

std::unique_ptr<archive::Archive> open_archive_to_read(const Args& args) {
  const Config config = cli_config(args);
  // Nothing to read is no reason to make an empty archive (nor its directory): the archive
  // layer opens read-only and names what is missing; we add how to name another.
  try {
    return archive::Archive::open_read_only(config.archive_location());
  } catch (const archive::StorageFull&) {
    throw;
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    throw NothingDone(what.find("does not exist") != std::string::npos ? what + "; " + kNameOne : what);
  }
}

std::optional<std::string> read_input(const std::string& path, std::size_t limit, const char* verb) {
  std::string bytes;
  auto slurp = [&](std::istream& in) {
    char buf[1 << 16];
    while (bytes.size() <= limit && (in.read(buf, sizeof buf), in.gcount() > 0))
      bytes.append(buf, static_cast<std::size_t>(in.gcount()));
    return !in.bad();
  };
  bool ok = false;
  if (path == "-") {
    ok = slurp(std::cin);
  } else {
    std::ifstream in(path, std::ios::binary);
    ok = in && slurp(in);
  }
  if (!ok) {
    std::fprintf(stderr, "winnow %s: cannot read %s\n", verb, path.c_str());
    return std::nullopt;
  }
  return bytes;
}

void add_archive_options(Command& command) {
  namespace po = boost::program_options;
  command.options()("config", po::value<std::string>()->value_name("FILE"),
                    "configuration (default ./var/winnowd.toml, else /etc/winnow/winnowd.toml)")(
      "archive", po::value<std::string>()->value_name("PATH"), "the archive (default: the configuration's)");
}

}  // namespace winnow::cli
