#pragma once
// Why feed bytes gave no Feed. Broken but usable input is not an error: it is a Feed with
// `bozo` set. Registered as a boost::system error category so it mixes with Asio codes.
#include <boost/system/error_code.hpp>

#include <iosfwd>
#include <type_traits>

namespace winnow::feeds {

enum class FeedErrc {
  empty_input = 1,   // no bytes, or only whitespace
  too_large,         // more bytes than ParseOptions::max_bytes
  not_a_feed,        // parsed, but the root is no RSS, RDF, Atom or JSON Feed (e.g. an HTML page)
  malformed,         // so broken that not even a root element or JSON value came out
  entity_limit,      // entity expansion went past its budget (a "quadratic blowup" document)
  not_opml,          // OPML import: the document is no OPML
};

const boost::system::error_category& feed_category() noexcept;
boost::system::error_code make_error_code(FeedErrc e) noexcept;
std::ostream& operator<<(std::ostream& os, FeedErrc e);

}  // namespace winnow::feeds

template <>
struct boost::system::is_error_code_enum<winnow::feeds::FeedErrc> : std::true_type {};
