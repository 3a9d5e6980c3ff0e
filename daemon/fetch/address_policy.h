#pragma once
// Which network addresses a fetch may connect to: the classifier of special-purpose ranges
// (RFC 6890 and the IANA special-purpose registries) and the operator's allow list. The
// fetcher asks both about the address a connection is about to use, after DNS, so that a
// link in a remote feed cannot reach this machine or its network (SSRF). Pure, and free of
// Asio and curl so that the configuration can check `[fetch] allow_hosts` with it; any thread.
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::fetch {

// An IPv4 or IPv6 address; IPv4 kept in its IPv4-mapped form (::ffff:a.b.c.d).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool is_v4 = false;

  // "127.0.0.1", "::1", "[::1]", "fe80::1%eth0" (the zone dropped); inet_pton's forms only
  // (no "127.1": those are host names).
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint32_t host_order);
  std::string to_string() const;  // "127.0.0.1", "::1"
  bool operator==(const IpAddress&) const = default;
};
std::ostream& operator<<(std::ostream& os, const IpAddress& a);

// The range an address falls in. Everything but `global` is refused to discovered URLs.
enum class AddressClass {
  global,
  loopback,         // 127/8, ::1
  unspecified,      // 0.0.0.0, :: (Linux connects them to this machine)
  private_network,  // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48
  link_local,       // 169.254/16 (cloud metadata lives here), fe80::/10
  shared,           // 100.64/10, carrier-grade NAT
  multicast,        // 224/4, ff00::/8
  broadcast,        // 255.255.255.255
  documentation,    // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  benchmarking,     // 198.18/15, 2001:2::/48
  reserved,         // 0/8, 192.0.0/24, 192.88.99/24, 240/4; IPv6 outside 2000::/3, Teredo...
};
// "loopback address", "private address", ...: the words of the refusal log line.
std::string_view to_string(AddressClass c);
std::ostream& operator<<(std::ostream& os, AddressClass c);

// IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96,
// NAT64 64:ff9b::/96, 6to4 2002::/16) are classified by the IPv4 address they carry, so that
// [::ffff:127.0.0.1] is loopback. Teredo (2001::/32) is `reserved` as a whole: it tunnels to
// any IPv4 address.
AddressClass classify(const IpAddress& address);

// The operator's exceptions, `[fetch] allow_hosts`. An entry is one of
//   a host name     "intranet.example"  the URL's host, exactly (ASCII case ignored);
//                                        no wildcard, so "example" does not allow "a.example"
//   an address      "10.1.2.3", "fd00::1"
//   a network       "10.0.0.0/8", "fd00::/8" (CIDR; host bits must be zero)
// An address or network matches the address connected to, whatever name led there; an
// IPv4 entry also matches the IPv4-mapped form of its addresses.
class AllowList {
 public:
  // Adds `entry`; false (and nothing added) when it is none of the three forms.
  bool add(std::string_view entry);
  bool empty() const { return hosts_.empty() && networks_.empty(); }

  // `host` as in the URL: brackets of an IPv6 literal and a trailing dot are ignored.
  bool allows_host(std::string_view host) const;
  bool allows_address(const IpAddress& address) const;

 private:
  struct Network {
    IpAddress prefix;   // IPv4 networks as IPv4-mapped
    unsigned bits = 0;  // of the 128
  };
  std::vector<std::string> hosts_;  // lowercase
  std::vector<Network> networks_;
};

// The policy for URLs the operator did not give: `global` addresses always; others when
// `allow_private`, or when the allow list names the URL's host or the address.
struct AddressPolicy {
  bool allow_private = false;
  AllowList allow;

  // Why `address`, reached for a URL on `host`, may not be connected to; nothing if it may.
  std::optional<AddressClass> refusal(const IpAddress& address, std::string_view host) const;
};

// The address of an AF_INET or AF_INET6 socket address, as curl hands it to its callbacks;
// nothing for other families or a short `length`.
std::optional<IpAddress> address_of(const ::sockaddr* sa, unsigned length);

}  // namespace winnow::fetch
