// SHA-1 against the FIPS 180 examples, base32 against RFC 4648 section 10.
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "daemon/archive/digest.h"

namespace winnow::archive {
namespace {

std::string hex(const Sha1Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

std::string base32_of(std::string_view text) {
  return base32(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

BOOST_AUTO_TEST_SUITE(digest)

BOOST_AUTO_TEST_CASE(sha1_matches_the_fips_examples) {
  BOOST_TEST(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  BOOST_TEST(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  BOOST_TEST(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
             "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  BOOST_TEST(hex(sha1(std::string(1'000'000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

BOOST_AUTO_TEST_CASE(sha1_is_the_same_however_the_input_is_cut) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>(i * 7);
  const auto whole = sha1(text);
  for (std::size_t step : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 128u}) {
    Sha1 hash;
    for (std::size_t at = 0; at < text.size(); at += step) hash.update(std::string_view(text).substr(at, step));
    BOOST_TEST(hex(hash.finish()) == hex(whole), "step " << step);
  }
  // Lengths around the padding boundary.
  BOOST_TEST(hex(sha1(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  BOOST_TEST(hex(sha1(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  BOOST_TEST(hex(sha1(std::string(64, 'a'))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

BOOST_AUTO_TEST_CASE(base32_matches_rfc_4648) {
  BOOST_TEST(base32_of("") == "");
  BOOST_TEST(base32_of("f") == "MY======");
  BOOST_TEST(base32_of("fo") == "MZXQ====");
  BOOST_TEST(base32_of("foo") == "MZXW6===");
  BOOST_TEST(base32_of("foob") == "MZXW6YQ=");
  BOOST_TEST(base32_of("fooba") == "MZXW6YTB");
  BOOST_TEST(base32_of("foobar") == "MZXW6YTBOI======");
}

BOOST_AUTO_TEST_CASE(warc_digest_of_nothing_is_the_one_found_in_every_crawl) {
  BOOST_TEST(warc_sha1("") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  BOOST_TEST(warc_sha1("abc").size() == 5u + 32u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
