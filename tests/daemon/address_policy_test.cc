#include "daemon/fetch/address_policy.h"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>
#include <string_view>
#include <vector>

namespace winnow::fetch {
namespace {

IpAddress at(std::string_view text) {
  auto a = IpAddress::parse(text);
  BOOST_TEST_REQUIRE(a.has_value(), text);
  return *a;
}

struct Case {
  std::string_view address;
  AddressClass expected;
};

// Every range the policy knows, at its edges where an edge is easy to get wrong.
const std::vector<Case> kCases = {
    // IPv4
    {"0.0.0.0", AddressClass::unspecified},
    {"0.1.2.3", AddressClass::reserved},
    {"0.255.255.255", AddressClass::reserved},
    {"1.1.1.1", AddressClass::global},
    {"8.8.8.8", AddressClass::global},
    {"9.255.255.255", AddressClass::global},
    {"10.0.0.0", AddressClass::private_network},
    {"10.0.0.1", AddressClass::private_network},
    {"10.255.255.255", AddressClass::private_network},
    {"11.0.0.0", AddressClass::global},
    {"100.63.255.255", AddressClass::global},
    {"100.64.0.0", AddressClass::shared},
    {"100.127.255.255", AddressClass::shared},
    {"100.128.0.0", AddressClass::global},
    {"127.0.0.1", AddressClass::loopback},
    {"127.255.255.254", AddressClass::loopback},
    {"126.255.255.255", AddressClass::global},
    {"128.0.0.0", AddressClass::global},
    {"169.254.169.254", AddressClass::link_local},
    {"169.254.0.0", AddressClass::link_local},
    {"169.255.0.0", AddressClass::global},
    {"172.15.255.255", AddressClass::global},
    {"172.16.0.0", AddressClass::private_network},
    {"172.31.255.255", AddressClass::private_network},
    {"172.32.0.0", AddressClass::global},
    {"192.0.0.8", AddressClass::reserved},
    {"192.0.1.1", AddressClass::global},
    {"192.0.2.1", AddressClass::documentation},
    {"192.88.99.1", AddressClass::reserved},
    {"192.167.255.255", AddressClass::global},
    {"192.168.0.1", AddressClass::private_network},
    {"192.168.255.255", AddressClass::private_network},
    {"192.169.0.0", AddressClass::global},
    {"198.17.255.255", AddressClass::global},
    {"198.18.0.0", AddressClass::benchmarking},
    {"198.19.255.255", AddressClass::benchmarking},
    {"198.20.0.0", AddressClass::global},
    {"198.51.100.7", AddressClass::documentation},
    {"203.0.113.9", AddressClass::documentation},
    {"223.255.255.255", AddressClass::global},
    {"224.0.0.1", AddressClass::multicast},
    {"239.255.255.255", AddressClass::multicast},
    {"240.0.0.1", AddressClass::reserved},
    {"255.255.255.254", AddressClass::reserved},
    {"255.255.255.255", AddressClass::broadcast},
    // IPv6
    {"::", AddressClass::unspecified},
    {"::1", AddressClass::loopback},
    {"::2", AddressClass::reserved},
    {"2606:4700::1111", AddressClass::global},
    {"2a00:1450:4001::1", AddressClass::global},
    {"fc00::1", AddressClass::private_network},
    {"fd12:3456::1", AddressClass::private_network},
    {"fe80::1", AddressClass::link_local},
    {"febf::1", AddressClass::link_local},
    {"fec0::1", AddressClass::private_network},
    {"ff02::1", AddressClass::multicast},
    {"2001:db8::1", AddressClass::documentation},
    {"3fff::1", AddressClass::documentation},
    {"2001:2::1", AddressClass::benchmarking},
    {"2001::1", AddressClass::reserved},          // Teredo
    {"2001:0:4136:e378::1", AddressClass::reserved},
    {"2001:10::1", AddressClass::reserved},       // ORCHID, in 2001::/23
    {"2001:200::1", AddressClass::global},        // just past 2001::/23
    {"100::1", AddressClass::reserved},           // discard-only
    {"5f00::1", AddressClass::reserved},
    {"4000::1", AddressClass::reserved},          // outside 2000::/3
    // IPv4 inside IPv6: judged by the IPv4 address they carry
    {"::ffff:127.0.0.1", AddressClass::loopback},
    {"::ffff:10.0.0.1", AddressClass::private_network},
    {"::ffff:169.254.169.254", AddressClass::link_local},
    {"::ffff:0.0.0.0", AddressClass::unspecified},
    {"::ffff:8.8.8.8", AddressClass::global},
    {"::127.0.0.1", AddressClass::loopback},      // IPv4-compatible
    {"::10.0.0.1", AddressClass::private_network},
    {"::8.8.8.8", AddressClass::reserved},        // deprecated form, even for a public address
    {"64:ff9b::127.0.0.1", AddressClass::loopback},  // NAT64
    {"64:ff9b::a9fe:a9fe", AddressClass::link_local},
    {"64:ff9b::8.8.8.8", AddressClass::global},
    {"64:ff9b:1::1", AddressClass::private_network},
    {"2002:7f00:1::1", AddressClass::loopback},   // 6to4 of 127.0.0.1
    {"2002:a00:1::1", AddressClass::private_network},
    {"2002:a9fe:a9fe::1", AddressClass::link_local},
    {"2002:808:808::1", AddressClass::global},
};

BOOST_AUTO_TEST_SUITE(address_policy)

BOOST_AUTO_TEST_CASE(every_range_is_classified) {
  for (const auto& c : kCases) BOOST_TEST(classify(at(c.address)) == c.expected, c.address);
}

BOOST_AUTO_TEST_CASE(addresses_parse_in_inet_pton_forms_only) {
  BOOST_TEST(at("127.0.0.1").is_v4);
  BOOST_TEST(at("127.0.0.1").to_string() == "127.0.0.1");
  BOOST_TEST(!at("::1").is_v4);
  BOOST_TEST(at("[::1]").to_string() == "::1");
  BOOST_TEST(at("::ffff:127.0.0.1").to_string() == "::ffff:127.0.0.1");
  BOOST_TEST(classify(at("fe80::1%eth0")) == AddressClass::link_local);
  // The IPv4 address and its mapped form are one address to the policy.
  BOOST_TEST(at("::ffff:127.0.0.1").bytes == at("127.0.0.1").bytes);
  // Numeric shorthands are host names to a URL; the resolver turns them into addresses,
  // and those are what the policy sees.
  for (std::string_view no : {"2130706433", "127.1", "0x7f.1", "localhost", "", "1.2.3.4.5", "::g"})
    BOOST_TEST(!IpAddress::parse(no).has_value(), no);
}

BOOST_AUTO_TEST_CASE(socket_addresses_are_read_for_both_families) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
  auto a = address_of(reinterpret_cast<const sockaddr*>(&in), sizeof in);
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->to_string() == "169.254.169.254");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  auto b = address_of(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(classify(*b) == AddressClass::loopback);
  BOOST_TEST(!address_of(reinterpret_cast<const sockaddr*>(&in), 4).has_value());  // too short
}

BOOST_AUTO_TEST_CASE(allow_list_takes_names_addresses_and_networks) {
  AllowList allow;
  for (std::string_view entry : {"Intranet.Example", "10.1.2.3", "192.168.0.0/16", "fd00::/8", "[fe80::1]", " wiki "})
    BOOST_TEST(allow.add(entry), entry);
  for (std::string_view bad : {"", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "host/8", "a b",
                               "http://intranet.example", "intranet.example:8080", "*.example"})
    BOOST_TEST(!allow.add(bad), bad);

  BOOST_TEST(allow.allows_host("intranet.example"));
  BOOST_TEST(allow.allows_host("INTRANET.example."));
  BOOST_TEST(allow.allows_host("wiki"));
  BOOST_TEST(!allow.allows_host("a.intranet.example"));  // no wildcards
  BOOST_TEST(!allow.allows_host("example"));

  BOOST_TEST(allow.allows_address(at("10.1.2.3")));
  BOOST_TEST(!allow.allows_address(at("10.1.2.4")));
  BOOST_TEST(allow.allows_address(at("192.168.44.5")));
  BOOST_TEST(allow.allows_address(at("::ffff:192.168.44.5")));  // the mapped form too
  BOOST_TEST(allow.allows_address(at("fd12::7")));
  BOOST_TEST(allow.allows_address(at("fe80::1")));
  BOOST_TEST(!allow.allows_address(at("fe80::2")));
  BOOST_TEST(!allow.allows_address(at("127.0.0.1")));
}

BOOST_AUTO_TEST_CASE(policy_refuses_special_ranges_unless_allowed) {
  AddressPolicy policy;
  BOOST_TEST(!policy.refusal(at("93.184.215.14"), "example.com").has_value());
  BOOST_TEST(policy.refusal(at("127.0.0.1"), "localhost").value() == AddressClass::loopback);
  BOOST_TEST(policy.refusal(at("169.254.169.254"), "metadata").value() == AddressClass::link_local);

  policy.allow.add("localhost");
  policy.allow.add("10.0.0.0/8");
  BOOST_TEST(!policy.refusal(at("127.0.0.1"), "localhost").has_value());  // by name
  BOOST_TEST(!policy.refusal(at("10.9.9.9"), "anything.example").has_value());  // by address
  BOOST_TEST(policy.refusal(at("127.0.0.1"), "127.0.0.1").has_value());  // the name, not the address

  policy.allow_private = true;
  BOOST_TEST(!policy.refusal(at("169.254.169.254"), "metadata").has_value());
  BOOST_TEST(!policy.refusal(at("::1"), "ip6-localhost").has_value());
}

BOOST_AUTO_TEST_CASE(ranges_read_as_words_for_the_log) {
  BOOST_TEST(to_string(AddressClass::loopback) == "loopback address");
  BOOST_TEST(to_string(AddressClass::link_local) == "link-local address");
  BOOST_TEST(to_string(AddressClass::private_network) == "private address");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::fetch
