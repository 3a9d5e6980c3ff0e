#include "parsers/charset/convert.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>

#include <array>
#include <cassert>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "base/utf8.h"

namespace winnow::parsers::charset {
namespace {

// ICU's UTF-16 goes to Utf16ToUtf8 as it is.
static_assert(std::is_same_v<UChar, char16_t>);

struct ConverterClose {
  void operator()(UConverter* converter) const noexcept { ucnv_close(converter); }
};
using Converter = std::unique_ptr<UConverter, ConverterClose>;

bool can_decode(const Encoding& encoding) {
  if (encoding.icu_name == nullptr) return true;
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(encoding.icu_name, &status));
  return U_SUCCESS(status);
}

// WHATWG x-user-defined: ASCII, and bytes 0x80..0xFF to U+F780..U+F7FF.
Decoded decode_x_user_defined(std::string_view bytes) {
  Decoded out;
  out.utf8.reserve(bytes.size());
  for (char byte : bytes) {
    const auto b = static_cast<unsigned char>(byte);
    if (b == 0) continue;
    base::append_utf8(out.utf8, b < 0x80 ? char32_t{b} : char32_t{0xF700u + b});
  }
  return out;
}

struct ToUnicodeState {
  std::size_t replaced = 0;
  bool euro_at_0x80 = false;  // the WHATWG gb18030 decoder reads a lone 0x80 as U+20AC
};

// ICU calls this for each invalid or unmappable sequence. Must not throw (a C callback).
void on_invalid_bytes(const void* context, UConverterToUnicodeArgs* args, const char* bytes,
                      int32_t length, UConverterCallbackReason reason, UErrorCode* status) noexcept {
  if (reason != UCNV_UNASSIGNED && reason != UCNV_ILLEGAL && reason != UCNV_IRREGULAR) return;
  // The context is our own non-const ToUnicodeState; ICU only passes it through as const.
  auto* state = static_cast<ToUnicodeState*>(const_cast<void*>(context));
  UChar replacement = 0xFFFD;
  if (state->euro_at_0x80 && length == 1 && static_cast<unsigned char>(bytes[0]) == 0x80) {
    replacement = 0x20AC;
  } else {
    ++state->replaced;
  }
  *status = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &replacement, 1, 0, status);
}

std::optional<Decoded> decode_with_icu(std::string_view bytes, const Encoding& encoding) {
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(encoding.icu_name, &status));
  if (U_FAILURE(status)) return std::nullopt;
  ToUnicodeState state{.euro_at_0x80 = encoding.decoder == Decoder::icu_gb18030};
  ucnv_setToUCallBack(converter.get(), on_invalid_bytes, &state, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return std::nullopt;

  Decoded out;
  out.utf8.reserve(bytes.size() + bytes.size() / 2);
  Utf16ToUtf8 writer(out);
  std::array<char16_t, Utf16ToUtf8::kChunkUnits> units;
  const char* source = bytes.data();
  const char* const source_end = source + bytes.size();
  do {
    char16_t* target = units.data();
    status = U_ZERO_ERROR;
    ucnv_toUnicode(converter.get(), &target, units.data() + units.size(), &source, source_end,
                   nullptr, /*flush=*/true, &status);
    writer.append(units.data(), target);
  } while (status == U_BUFFER_OVERFLOW_ERROR);
  // The callback turns every bad sequence into text, so nothing else can fail.
  assert(U_SUCCESS(status));
  writer.finish();
  out.replaced += state.replaced;
  return out;
}

}  // namespace

const Encoding* usable_encoding(std::string_view label) {
  const Encoding* encoding = encoding_for_label(label);
  return encoding && can_decode(*encoding) ? encoding : nullptr;
}

std::optional<Decoded> decode_as(std::string_view bytes, const Encoding& encoding) {
  switch (encoding.decoder) {
    case Decoder::utf8:
      return decode_utf8(bytes, scan_utf8(bytes, /*stop_at_invalid=*/false));
    case Decoder::x_user_defined:
      return decode_x_user_defined(bytes);
    case Decoder::icu:
    case Decoder::icu_gb18030:
      if (bytes.empty()) return Decoded{};
      return decode_with_icu(bytes, encoding);
  }
  return std::nullopt;
}

}  // namespace winnow::parsers::charset
