#include "daemon/fetch/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ostream>

#include "base/ascii.h"

namespace winnow::fetch {

std::string_view to_string(AddressClass c) {
  switch (c) {
    case AddressClass::global: return "global address";
    case AddressClass::loopback: return "loopback address";
    case AddressClass::unspecified: return "unspecified address";
    case AddressClass::private_network: return "private address";
    case AddressClass::link_local: return "link-local address";
    case AddressClass::shared: return "shared (carrier-grade NAT) address";
    case AddressClass::multicast: return "multicast address";
    case AddressClass::broadcast: return "broadcast address";
    case AddressClass::documentation: return "documentation address";
    case AddressClass::benchmarking: return "benchmarking address";
    case AddressClass::reserved: return "reserved address";
  }
  return "unknown address";
}

std::ostream& operator<<(std::ostream& os, AddressClass c) { return os << to_string(c); }

namespace {

using Bytes = std::array<std::uint8_t, 16>;

std::string_view bare_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  text = bare_host(text);
  // An IPv6 zone ("fe80::1%eth0") says which link, not which address: the range is the same.
  if (auto zone = text.find('%'); zone != std::string_view::npos && text.find(':') != std::string_view::npos)
    text = text.substr(0, zone);
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string z(text);  // inet_pton wants a terminated string
  in_addr in4;
  if (inet_pton(AF_INET, z.c_str(), &in4) == 1) return v4(ntohl(in4.s_addr));
  IpAddress a;
  if (inet_pton(AF_INET6, z.c_str(), a.bytes.data()) != 1) return std::nullopt;
  return a;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  a.is_v4 = true;
  a.bytes[10] = a.bytes[11] = 0xff;
  for (int i = 0; i < 4; ++i) a.bytes[12 + i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4) inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  else inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

std::ostream& operator<<(std::ostream& os, const IpAddress& a) { return os << a.to_string(); }

namespace {

// `a` lies in `prefix`/`bits`, both as host-order 32-bit numbers.
constexpr bool in_v4(std::uint32_t a, std::uint32_t prefix, unsigned bits) {
  return bits == 0 || (a >> (32 - bits)) == (prefix >> (32 - bits));
}

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | d;
}

AddressClass classify_v4(std::uint32_t a) {
  struct Range {
    std::uint32_t prefix;
    unsigned bits;
    AddressClass cls;
  };
  // Most specific first where ranges nest (0.0.0.0/32 inside 0/8).
  static constexpr std::array<Range, 17> kRanges = {{
      {v4(0, 0, 0, 0), 32, AddressClass::unspecified},
      {v4(255, 255, 255, 255), 32, AddressClass::broadcast},
      {v4(0, 0, 0, 0), 8, AddressClass::reserved},  // "this network"
      {v4(127, 0, 0, 0), 8, AddressClass::loopback},
      {v4(10, 0, 0, 0), 8, AddressClass::private_network},
      {v4(172, 16, 0, 0), 12, AddressClass::private_network},
      {v4(192, 168, 0, 0), 16, AddressClass::private_network},
      {v4(169, 254, 0, 0), 16, AddressClass::link_local},
      {v4(100, 64, 0, 0), 10, AddressClass::shared},
      {v4(192, 0, 0, 0), 24, AddressClass::reserved},   // IETF protocol assignments
      {v4(192, 88, 99, 0), 24, AddressClass::reserved}, // former 6to4 relay anycast
      {v4(192, 0, 2, 0), 24, AddressClass::documentation},
      {v4(198, 51, 100, 0), 24, AddressClass::documentation},
      {v4(203, 0, 113, 0), 24, AddressClass::documentation},
      {v4(198, 18, 0, 0), 15, AddressClass::benchmarking},
      {v4(224, 0, 0, 0), 4, AddressClass::multicast},
      {v4(240, 0, 0, 0), 4, AddressClass::reserved},
  }};
  for (const auto& r : kRanges)
    if (in_v4(a, r.prefix, r.bits)) return r.cls;
  return AddressClass::global;
}

std::uint32_t v4_at(const Bytes& b, std::size_t at) {
  return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) | (std::uint32_t(b[at + 2]) << 8) |
         std::uint32_t(b[at + 3]);
}

// The first `bits` bits of `a` and `b` are equal.
bool same_prefix(const Bytes& a, const Bytes& b, unsigned bits) {
  std::size_t whole = bits / 8;
  if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  unsigned mask = (0xffu << (8 - rest)) & 0xffu;
  return (a[whole] & mask) == (b[whole] & mask);
}

bool in_v6(const Bytes& a, std::string_view prefix, unsigned bits) {
  return same_prefix(a, IpAddress::parse(prefix)->bytes, bits);
}

AddressClass classify_v6(const Bytes& b) {
  static const Bytes kLoopback = IpAddress::parse("::1")->bytes;
  if (b == Bytes{}) return AddressClass::unspecified;
  if (b == kLoopback) return AddressClass::loopback;
  if (in_v6(b, "::ffff:0:0", 96)) return classify_v4(v4_at(b, 12));  // IPv4-mapped
  if (in_v6(b, "::", 96)) {
    // IPv4-compatible (deprecated, RFC 4291): a carried public address is still no address
    // a web server has.
    AddressClass inner = classify_v4(v4_at(b, 12));
    return inner == AddressClass::global ? AddressClass::reserved : inner;
  }
  if (in_v6(b, "64:ff9b::", 96)) return classify_v4(v4_at(b, 12));  // NAT64, RFC 6052
  if (in_v6(b, "64:ff9b:1::", 48)) return AddressClass::private_network;  // local NAT64, RFC 8215
  if (in_v6(b, "2002::", 16)) return classify_v4(v4_at(b, 2));  // 6to4, RFC 3056
  if (in_v6(b, "2001::", 32)) return AddressClass::reserved;    // Teredo, RFC 4380
  if (in_v6(b, "2001:2::", 48)) return AddressClass::benchmarking;
  if (in_v6(b, "2001:db8::", 32)) return AddressClass::documentation;
  if (in_v6(b, "2001::", 23)) return AddressClass::reserved;    // IETF protocol assignments
  if (in_v6(b, "3fff::", 20)) return AddressClass::documentation;  // RFC 9637
  if (in_v6(b, "5f00::", 16)) return AddressClass::reserved;    // SRv6 SIDs, RFC 9602
  if (in_v6(b, "fc00::", 7)) return AddressClass::private_network;
  if (in_v6(b, "fe80::", 10)) return AddressClass::link_local;
  if (in_v6(b, "fec0::", 10)) return AddressClass::private_network;  // former site-local
  if (in_v6(b, "ff00::", 8)) return AddressClass::multicast;
  // Only 2000::/3 is global unicast; the rest (100::/64 discard included) is not allocated.
  if (!in_v6(b, "2000::", 3)) return AddressClass::reserved;
  return AddressClass::global;
}

}  // namespace

// An IPv4 address is classified as IPv4-mapped: the same answer, one table.
AddressClass classify(const IpAddress& address) { return classify_v6(address.bytes); }

bool AllowList::add(std::string_view entry) {
  entry = base::trim(entry, base::kAsciiSpace);
  if (entry.empty()) return false;
  std::string_view address_part = entry;
  std::optional<unsigned> bits;
  if (auto slash = entry.find('/'); slash != std::string_view::npos) {
    std::string_view digits = entry.substr(slash + 1);
    unsigned n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) return false;
    bits = n;
    address_part = entry.substr(0, slash);
  }
  std::optional<IpAddress> address = IpAddress::parse(address_part);
  if (!address) {
    // Not an address: a host name, made of letters, digits, '-' and '.' only.
    if (bits) return false;
    std::string_view name = bare_host(entry);
    bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return base::is_ascii_alpha(c) || base::is_ascii_digit(c) || c == '-' || c == '.';
    });
    if (!ok) return false;
    hosts_.push_back(base::to_lower(name));
    return true;
  }
  unsigned width = address->is_v4 ? 32 : 128;
  if (bits && *bits > width) return false;
  Network n;
  n.prefix = *address;
  n.bits = (address->is_v4 ? 96 : 0) + bits.value_or(width);
  // Host bits set ("10.0.0.1/8") is most likely a typo for another network: refuse it.
  Bytes masked{};
  const Bytes& full = n.prefix.bytes;
  for (unsigned i = 0; i < n.bits; ++i)
    if (full[i / 8] & (0x80u >> (i % 8))) masked[i / 8] |= static_cast<unsigned char>(0x80u >> (i % 8));
  if (masked != full) return false;
  networks_.push_back(n);
  return true;
}

bool AllowList::allows_host(std::string_view host) const {
  std::string lower = base::to_lower(bare_host(host));
  return std::find(hosts_.begin(), hosts_.end(), lower) != hosts_.end();
}

bool AllowList::allows_address(const IpAddress& address) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const Network& n) { return same_prefix(address.bytes, n.prefix.bytes, n.bits); });
}

std::optional<AddressClass> AddressPolicy::refusal(const IpAddress& address, std::string_view host) const {
  AddressClass c = classify(address);
  if (c == AddressClass::global || allow_private) return std::nullopt;
  if (allow.allows_host(host) || allow.allows_address(address)) return std::nullopt;
  return c;
}

std::optional<IpAddress> address_of(const ::sockaddr* sa, unsigned length) {
  if (!sa) return std::nullopt;
  if (sa->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, sa, sizeof in);
    return IpAddress::v4(ntohl(in.sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, sa, sizeof in6);
    IpAddress a;
    std::memcpy(a.bytes.data(), in6.sin6_addr.s6_addr, a.bytes.size());
    return a;
  }
  return std::nullopt;
}

}  // namespace winnow::fetch
