#pragma once
// The effective configuration as TOML, for `winnowd --check-config`: every key with the
// value in force (defaults included), secrets shown as "(set)". Pure; any thread.
#include <string>

#include "daemon/config.h"

namespace winnow::cli {

std::string config_as_toml(const Config& config);

}  // namespace winnow::cli
