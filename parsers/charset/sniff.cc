#include "parsers/charset/sniff.h"

#include <array>

#include "base/ascii.h"

namespace winnow::parsers {
namespace {

using namespace std::string_view_literals;

struct Signature {
  std::string_view bytes;
  std::size_t offset;
  std::string_view name;
};

// The WHATWG sniffing tables' binary formats, and the archives and executables a link may
// lead to. None of them can start a text page. (BM, MZ and BZh are left out: prose starts so.)
constexpr std::array kSignatures{
    Signature{"%PDF-"sv, 0, "PDF"sv},
    Signature{"\x89PNG\r\n\x1a\n"sv, 0, "PNG"sv},
    Signature{"GIF87a"sv, 0, "GIF"sv},
    Signature{"GIF89a"sv, 0, "GIF"sv},
    Signature{"\xff\xd8\xff"sv, 0, "JPEG"sv},
    Signature{"RIFF"sv, 0, "RIFF (WAVE, AVI, WebP)"sv},
    Signature{"\x00\x00\x01\x00"sv, 0, "ICO"sv},
    Signature{"ftyp"sv, 4, "MP4"sv},
    Signature{"\x1a\x45\xdf\xa3"sv, 0, "WebM"sv},
    Signature{"OggS\x00"sv, 0, "Ogg"sv},
    Signature{"ID3"sv, 0, "MP3"sv},
    Signature{"\xff\xfb"sv, 0, "MP3"sv},
    Signature{"\xff\xf3"sv, 0, "MP3"sv},
    Signature{"\xff\xf2"sv, 0, "MP3"sv},
    Signature{"fLaC"sv, 0, "FLAC"sv},
    Signature{"PK\x03\x04"sv, 0, "ZIP"sv},
    Signature{"\x1f\x8b\x08"sv, 0, "gzip"sv},
    Signature{"Rar!\x1a\x07"sv, 0, "RAR"sv},
    Signature{"7z\xbc\xaf\x27\x1c"sv, 0, "7-Zip"sv},
    Signature{"\xfd\x37\x7a\x58\x5a\x00"sv, 0, "xz"sv},
    Signature{"\x28\xb5\x2f\xfd"sv, 0, "zstd"sv},
    Signature{"\x7f" "ELF"sv, 0, "ELF"sv},
    Signature{"\x00" "asm"sv, 0, "WebAssembly"sv},
    Signature{"wOFF"sv, 0, "WOFF"sv},
    Signature{"wOF2"sv, 0, "WOFF2"sv},
};

// Types that are never a page, whatever the bytes (the essence: lowercase, no parameters).
bool is_binary_type(std::string_view essence) {
  for (std::string_view prefix : {"image/"sv, "audio/"sv, "video/"sv, "font/"sv})
    if (essence.starts_with(prefix)) return essence != "image/svg+xml";  // SVG is XML text
  for (std::string_view type : {"application/pdf"sv, "application/zip"sv, "application/gzip"sv,
                                "application/x-gzip"sv, "application/x-tar"sv, "application/x-bzip2"sv,
                                "application/x-xz"sv, "application/zstd"sv, "application/x-7z-compressed"sv,
                                "application/vnd.rar"sv, "application/x-rar-compressed"sv,
                                "application/java-archive"sv, "application/msword"sv, "application/wasm"sv,
                                "application/x-shockwave-flash"sv, "application/vnd.ms-excel"sv,
                                "application/vnd.ms-powerpoint"sv, "application/ogg"sv})
    if (essence == type) return true;
  return essence.starts_with("application/vnd.openxmlformats-officedocument."sv) ||
         essence.starts_with("application/vnd.oasis.opendocument."sv);
}

// WHATWG "binary data byte": a control no text encoding writes (ESC stays, for ISO-2022-JP).
constexpr bool is_binary_byte(unsigned char c) {
  return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F);
}

// UTF-16 is full of NULs: a BOM, or a charset parameter that says so, lets them be.
bool is_utf16(std::string_view content_type, std::string_view body) {
  if (body.starts_with("\xfe\xff"sv) || body.starts_with("\xff\xfe"sv)) return true;
  const std::string lower = base::to_lower(content_type);
  const auto at = lower.find("charset=");
  return at != std::string::npos && base::trim(std::string_view(lower).substr(at + 8), "\"' ").starts_with("utf-16");
}

}  // namespace

std::optional<std::string> binary_body(std::string_view content_type, std::string_view body) {
  const std::string essence{base::trim_ascii_space(base::to_lower(content_type.substr(0, content_type.find(';'))))};
  if (is_binary_type(essence)) return "content type " + essence;
  for (const Signature& s : kSignatures)
    if (body.size() >= s.offset && body.substr(s.offset).starts_with(s.bytes)) return std::string(s.name) + " signature";
  if (is_utf16(content_type, body)) return std::nullopt;
  for (char c : body.substr(0, kSniffBytes))
    if (is_binary_byte(static_cast<unsigned char>(c))) return std::string("binary data bytes");
  return std::nullopt;
}

}  // namespace winnow::parsers
