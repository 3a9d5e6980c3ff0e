#pragma once
// A strict reader of WARC 1.1 output for the tests (Debian 12 packages no WARC reader: no
// warcio, no warctools): framing, one field per name, Content-Length blocks, and the
// members of a .warc.gz. Fails the running test on anything out of place.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::archive::testing {

struct WarcRecord {
  std::map<std::string, std::string> fields;  // names lower-cased
  std::string block;
  const std::string& field(const std::string& name) const {
    static const std::string none;
    const auto it = fields.find(name);
    return it == fields.end() ? none : it->second;
  }
};

inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads WARC 1.1 records, failing the test on anything out of place.
inline std::vector<WarcRecord> read_warc(std::string_view data) {
  std::vector<WarcRecord> records;
  std::size_t at = 0;
  while (at < data.size()) {
    const std::string_view version = "WARC/1.1\r\n";
    BOOST_TEST_REQUIRE(data.substr(at, version.size()) == version, "record at offset " << at);
    at += version.size();
    WarcRecord record;
    for (;;) {
      const auto end = data.find("\r\n", at);
      BOOST_TEST_REQUIRE(end != std::string_view::npos);
      const std::string_view line = data.substr(at, end - at);
      at = end + 2;
      if (line.empty()) break;
      const auto colon = line.find(':');
      BOOST_TEST_REQUIRE(colon != std::string_view::npos, "field line without a colon: " << line);
      BOOST_TEST_REQUIRE(line.substr(colon + 1, 1) == " ");
      const std::string name = lower(std::string(line.substr(0, colon)));
      BOOST_TEST_REQUIRE(record.fields.count(name) == 0u, "repeated field " << name);
      const std::string value(line.substr(colon + 2));
      BOOST_TEST_REQUIRE(value.find_first_of("\r\n") == std::string::npos);
      record.fields[name] = value;
    }
    const std::string& length = record.field("content-length");
    BOOST_TEST_REQUIRE(!length.empty());
    BOOST_TEST_REQUIRE(length.find_first_not_of("0123456789") == std::string::npos);
    const std::size_t n = std::stoul(length);
    BOOST_TEST_REQUIRE(at + n + 4 <= data.size(), "block runs past the end");
    record.block = std::string(data.substr(at, n));
    at += n;
    BOOST_TEST_REQUIRE(data.substr(at, 4) == "\r\n\r\n", "record not followed by CRLF CRLF");
    at += 4;
    records.push_back(std::move(record));
  }
  return records;
}

// Inflates a concatenation of gzip members; returns one string per member.
inline std::vector<std::string> gunzip_members(std::string_view data) {
  std::vector<std::string> members;
  std::size_t at = 0;
  while (at < data.size()) {
    z_stream z{};
    BOOST_TEST_REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + at));
    z.avail_in = static_cast<uInt>(data.size() - at);
    std::string member;
    int rc = Z_OK;
    while (rc == Z_OK) {
      char buffer[16384];
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      rc = inflate(&z, Z_NO_FLUSH);
      member.append(buffer, sizeof buffer - z.avail_out);
    }
    const std::size_t used = data.size() - at - z.avail_in;
    inflateEnd(&z);
    BOOST_TEST_REQUIRE(rc == Z_STREAM_END, "gzip member at offset " << at << " is broken");
    at += used;
    members.push_back(std::move(member));
  }
  return members;
}

// The HTTP message of a response record split at its blank line: head (with that blank
// line's CRLF CRLF) and payload.
inline std::pair<std::string, std::string> split_http(const std::string& block) {
  const auto split = block.find("\r\n\r\n");
  BOOST_TEST_REQUIRE(split != std::string::npos, "no end of the HTTP head");
  return {block.substr(0, split + 4), block.substr(split + 4)};
}

}  // namespace winnow::archive::testing
