#pragma once
// Any encoding of ours to UTF-8: UTF-8 and x-user-defined by hand, the rest by ICU. Internal
// to parsers/charset: decode.h is the face. Pure; any thread.
#include <optional>
#include <string_view>

#include "parsers/charset/labels.h"
#include "parsers/charset/utf.h"

namespace winnow::parsers::charset {

// The encoding `label` names if we can convert from it (this ICU has its converter); else
// nullptr.
const Encoding* usable_encoding(std::string_view label);

// `bytes` in `encoding` as UTF-8: invalid or unmappable sequences become U+FFFD, NULs are
// dropped. nullopt when ICU cannot open the converter.
std::optional<Decoded> decode_as(std::string_view bytes, const Encoding& encoding);

}  // namespace winnow::parsers::charset
