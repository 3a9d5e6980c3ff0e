#include "tests/page_file.h"

#include <zlib.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace winnow::testing {
namespace {

struct GzClose {
  void operator()(gzFile_s* f) const noexcept { gzclose(f); }
};

}  // namespace

std::string read_page_file(const std::filesystem::path& path) {
  std::string out;
  if (path.extension() == ".gz") {
    std::unique_ptr<gzFile_s, GzClose> f(gzopen(path.c_str(), "rb"));
    if (!f) throw std::runtime_error("cannot open " + path.string());
    char buffer[1 << 16];
    int n = 0;
    while ((n = gzread(f.get(), buffer, sizeof buffer)) > 0) out.append(buffer, std::size_t(n));
    if (n < 0) throw std::runtime_error("cannot decompress " + path.string());
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace winnow::testing
