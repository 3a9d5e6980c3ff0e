#pragma once
// The encoding a page declares in its own bytes. Internal to parsers/charset: decode.h is the
// face. Pure; any thread.
#include <string_view>

#include "parsers/charset/labels.h"

namespace winnow::parsers::charset {

// The encoding of the first <meta charset> or <meta http-equiv=Content-Type content="...;
// charset=..."> that names one we can convert from (HTML "prescan a byte stream to determine
// its encoding", on until <body>, at most 64 KiB), else of an XML declaration at the very
// start (HTML "get an XML encoding"); nullptr when neither names one. As WHATWG says, UTF-16
// found there means UTF-8 and x-user-defined means windows-1252.
const Encoding* encoding_declared_in_page(std::string_view bytes);

}  // namespace winnow::parsers::charset
