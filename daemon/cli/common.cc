#include "daemon/cli/common.h"

#include <filesystem>

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
  if (auto parent = std::filesystem::path(config.archive_path).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
  }
  return config;
}

}  // namespace winnow::cli
