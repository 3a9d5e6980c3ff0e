#include "daemon/cli/common.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace winnow::cli {

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
  if (auto archive = args.get("archive")) config.archive_path = *archive;
  return config;
}

void make_archive_directory(const Config& config) {
  if (auto parent = std::filesystem::path(config.archive_path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
}

std::unique_ptr<archive::Archive> open_archive(const Args& args) {
  const Config config = cli_config(args);
  make_archive_directory(config);
  return archive::Archive::open_sqlite(config.archive_path);
}

std::unique_ptr<archive::Archive> open_archive_to_read(const Args& args) {
  return archive::Archive::open_sqlite_read_only(cli_config(args).archive_path);
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

int usage_error(const char* usage, const std::string& message) {
  std::fprintf(stderr, "winnow: %s\n%s", message.c_str(), usage);
  return 2;
}

}  // namespace winnow::cli
