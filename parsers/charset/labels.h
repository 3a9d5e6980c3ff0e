#pragma once
// The encodings we decode and the WHATWG Encoding Standard labels that name them (see
// decode.h for the labels we read differently). Internal to parsers/charset: decode.h is the
// face. Pure; any thread.
#include <string_view>

namespace winnow::parsers::charset {

// UTF-8 is most pages and must be fast, and x-user-defined is a one-liner: both are decoded
// by hand (utf.h, convert.cc). ICU converts the rest.
enum class Decoder : unsigned char { utf8, x_user_defined, icu, icu_gb18030 };

// Each encoding exists once: compare them by address.
struct Encoding {
  std::string_view name;  // lowercase WHATWG name
  Decoder decoder;
  const char* icu_name = nullptr;
};

// WHATWG "get an encoding": the encoding `label` names, in any ASCII case and with ASCII
// whitespace around it; nullptr for an unknown label. Whether we can convert from it is
// convert.h's usable_encoding().
const Encoding* encoding_for_label(std::string_view label);

// The encoding with the lowercase WHATWG name `name`, which must be one of ours.
const Encoding& encoding_named(std::string_view name);

extern const Encoding& kUtf8;
extern const Encoding& kWindows1252;

bool is_utf16(const Encoding& encoding);

}  // namespace winnow::parsers::charset
