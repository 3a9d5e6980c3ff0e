// base/hash.h: FNV-1a, checked against the published test vectors (Noll's FNV page).
#include "base/hash.h"

#include <boost/test/unit_test.hpp>

namespace winnow::base {
namespace {

BOOST_AUTO_TEST_SUITE(hash)

BOOST_AUTO_TEST_CASE(fnv1a_gives_the_published_values) {
  BOOST_TEST(fnv1a("") == 0xcbf29ce484222325ull);
  BOOST_TEST(fnv1a("a") == 0xaf63dc4c8601ec8cull);
  BOOST_TEST(fnv1a("foobar") == 0x85944171f73967e8ull);
}

BOOST_AUTO_TEST_CASE(fnv1a_fed_in_pieces_equals_fed_at_once) {
  BOOST_TEST(fnv1a("bar", fnv1a("foo")) == fnv1a("foobar"));
  static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cull);  // usable at compile time
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::base
