#pragma once
// The generic signals that name a block of a news page as noise: markup (tag, role,
// class/id words) and wording (short stock phrases). No site-specific rules. Pure; any thread.
#include <gumbo.h>

#include <optional>
#include <string_view>

#include "parsers/extract/article.h"

namespace winnow::parsers {

// What an element's tag, ARIA role and class/id words say it is, if noise. Class/id words
// that name content ("article", "content", "story", ...) outweigh noise words on the same element.
std::optional<Removal> removal_by_markup(const GumboNode& element);

// What a block's own wording says it is, if noise. `link_density` is the share of its
// width inside links; `width` its width (char_width, segment.h), which the limits below read.
std::optional<Removal> removal_by_text(std::string_view text, int width, double link_density);

// What a short heading over a widget says the widget is ("Most read", "Related stories").
std::optional<Removal> removal_by_widget_heading(std::string_view text, int width);

}  // namespace winnow::parsers
