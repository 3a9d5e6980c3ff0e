#pragma once
// Reading a saved page for tests and benchmarks: the dev sets and the hostile corpus keep
// their pages gzipped (*.gz), the fixtures plain. Not for winnow itself (`winnow extract`
// reads with its own size limit).
#include <filesystem>
#include <string>

namespace winnow::testing {

// The bytes of `path`, gunzipped when its name ends in ".gz". Throws std::runtime_error,
// naming the path, when it cannot be read or decompressed.
std::string read_page_file(const std::filesystem::path& path);

}  // namespace winnow::testing
