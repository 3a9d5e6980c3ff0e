#pragma once
// What several `winnow` verbs share: finding the configuration and the archive, reading an
// input file, reporting a usage error.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "daemon/archive/archive.h"
#include "daemon/cli/args.h"
#include "daemon/config.h"

namespace winnow::cli {

// The configuration the verbs use: --config FILE when given; otherwise ./var/winnowd.toml
// (written by scripts/run) or /etc/winnow/winnowd.toml, whichever exists first; otherwise
// the built-in defaults with the archive at ./var/archive.db. --archive PATH overrides the
// archive path. Throws with a readable message when a named file cannot be used.
Config cli_config(const Args& args);

// Creates the directory of config.archive_path if missing, for the verbs that write (the
// local ./var of scripts/run). winnowd does not: see docs/operation.md.
void make_archive_directory(const Config& config);

// The archive of cli_config(args), opened on this thread to write (WAL lets it run beside
// winnowd), its directory created if missing.
std::unique_ptr<archive::Archive> open_archive(const Args& args);
// The same for the verbs that only read: opened read-only, so that a read-only archive (file,
// directory or mount) can be read; nothing is created, migrated or switched to WAL. Throws
// NothingDone, saying how to name one, when there is no archive at the path.
std::unique_ptr<archive::Archive> open_archive_to_read(const Args& args);

// The bytes of `path`, or of standard input for "-". Reads little more than `limit` bytes,
// so a huge input is cut short, not loaded. When it cannot be read, says so on standard
// error as "winnow VERB: cannot read PATH" and returns nullopt.
std::optional<std::string> read_input(const std::string& path, std::size_t limit, const char* verb);

// Adds --config FILE and --archive PATH, which cli_config() reads.
void add_archive_options(Command& command);

}  // namespace winnow::cli
