#include "daemon/archive/compress.h"

#include <zlib.h>

#include <limits>
#include <stdexcept>

namespace winnow::archive {
namespace {

// windowBits for deflateInit2: 15 (32 KiB window) + 16 asks zlib for a gzip wrapper.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;  // zlib's own default

[[noreturn]] void zlib_failed(const char* what, int code) {
  throw std::runtime_error(std::string("archive: zlib ") + what + " failed (code " + std::to_string(code) + ")");
}

// Owns a z_stream set up for deflate; deflateEnd runs whatever happens.
class Deflater {
 public:
  explicit Deflater(int window_bits) {
    const int rc = deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, kMemLevel, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) zlib_failed("deflateInit2", rc);
  }
  ~Deflater() { deflateEnd(&stream_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  std::string run(std::string_view plain) {
    if (plain.size() > std::numeric_limits<uInt>::max()) throw std::length_error("archive: input too large for zlib");
    std::string out(deflateBound(&stream_, static_cast<uLong>(plain.size())), '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    stream_.avail_in = static_cast<uInt>(plain.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    // deflateBound leaves room for everything, so one Z_FINISH call completes the stream.
    const int rc = deflate(&stream_, Z_FINISH);
    if (rc != Z_STREAM_END) zlib_failed("deflate", rc);
    out.resize(stream_.total_out);
    return out;
  }

 private:
  z_stream stream_{};
};

}  // namespace

std::string deflate_bytes(std::string_view plain) { return Deflater(MAX_WBITS).run(plain); }

std::string gzip_member(std::string_view plain) { return Deflater(kGzipWindowBits).run(plain); }

std::string inflate_bytes(std::string_view packed, std::size_t plain_bytes) {
  std::string out(plain_bytes, '\0');
  uLongf out_size = static_cast<uLongf>(out.size());
  // uncompress wants a non-null destination even for an empty result.
  Bytef empty = 0;
  Bytef* dest = out.empty() ? &empty : reinterpret_cast<Bytef*>(out.data());
  const int rc = uncompress(dest, &out_size, reinterpret_cast<const Bytef*>(packed.data()),
                            static_cast<uLong>(packed.size()));
  if (rc != Z_OK) zlib_failed("uncompress", rc);
  if (out_size != plain_bytes) throw std::runtime_error("archive: inflated size differs from the stored size");
  return out;
}

}  // namespace winnow::archive
