#pragma once
// What several `winnow` verbs share: finding the configuration and the archive.
#include <optional>
#include <string>

#include "daemon/cli/args.h"
#include "daemon/config.h"

namespace winnow::cli {

// The configuration the verbs use: --config FILE when given; otherwise ./var/winnowd.toml
// (written by scripts/run) or /etc/winnow/winnowd.toml, whichever exists first; otherwise
// the built-in defaults with the archive at ./var/archive.db. --archive PATH overrides the
// archive path. Throws with a readable message when a named file cannot be used.
Config cli_config(const Args& args);

}  // namespace winnow::cli
