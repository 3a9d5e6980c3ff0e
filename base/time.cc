#include "base/time.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "base/ascii.h"

namespace winnow::base {
namespace {

namespace chrono = std::chrono;

// A broken-down time; `offset_s` is the zone's offset east of UTC.
struct Fields {
  std::int64_t year = -1;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int offset_s = 0;
};

std::optional<UnixSeconds> to_unix(const Fields& f) {
  if (f.year < 0 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31) return std::nullopt;
  const chrono::year_month_day date{chrono::year(static_cast<int>(f.year)),
                                    chrono::month(static_cast<unsigned>(f.month)),
                                    chrono::day(static_cast<unsigned>(f.day))};
  if (!date.ok()) return std::nullopt;  // 31 April, 29 February of a common year
  // 24:00:00 is the end of the day; a leap second (:60) folds into the next second.
  if (f.hour < 0 || f.hour > 24 || (f.hour == 24 && (f.minute != 0 || f.second != 0))) return std::nullopt;
  if (f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 60) return std::nullopt;
  const chrono::sys_seconds t = chrono::sys_days(date) + chrono::hours(f.hour) + chrono::minutes(f.minute) +
                                chrono::seconds(f.second - f.offset_s);
  return t.time_since_epoch().count();
}

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_ascii_digit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  pos += n;
  out = v;
  return true;
}

std::size_t count_digits(std::string_view s, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < s.size() && is_ascii_digit(s[pos + n])) ++n;
  return n;
}

// Named zones, offsets in minutes east of UTC. The US names and the military letters are
// RFC 822's; the rest are the ones seen in feeds. Ambiguous ones (IST, CST as China) take the
// reading most feeds mean.
struct NamedZone {
  std::string_view name;
  int offset_min;
};
constexpr NamedZone kZones[] = {
    {"ut", 0},      {"utc", 0},     {"gmt", 0},     {"z", 0},       {"wet", 0},     {"bst", 60},
    {"ist", 60},    {"cet", 60},    {"met", 60},    {"mez", 60},    {"west", 60},   {"cest", 120},
    {"mest", 120},  {"mesz", 120},  {"eet", 120},   {"eest", 180},  {"msk", 180},   {"msd", 240},
    {"est", -300},  {"edt", -240},  {"cst", -360},  {"cdt", -300},  {"mst", -420},  {"mdt", -360},
    {"pst", -480},  {"pdt", -420},  {"akst", -540}, {"akdt", -480}, {"hst", -600},  {"ast", -240},
    {"adt", -180},  {"nst", -210},  {"ndt", -150},  {"jst", 540},   {"kst", 540},   {"hkt", 480},
    {"sgt", 480},   {"awst", 480},  {"acst", 570},  {"acdt", 630},  {"aest", 600},  {"aedt", 660},
    {"nzst", 720},  {"nzdt", 780},
};

std::optional<int> named_zone_minutes(std::string_view word) {
  for (const auto& zone : kZones)
    if (zone.name == word) return zone.offset_min;
  // RFC 822 military zones, single letters except J. RFC 2822 notes their signs were
  // published backwards and says to treat them as -0000; we do, save Z (UTC anyway).
  if (word.size() == 1 && word[0] >= 'a' && word[0] <= 'z' && word[0] != 'j') return 0;
  return std::nullopt;
}

// Parses "+hh", "+hhmm", "+hh:mm", "+h" (sign required) starting at `pos`, to the end of `s`.
std::optional<int> parse_numeric_offset(std::string_view s) {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  std::string_view rest = s.substr(1);
  int hours = 0;
  int minutes = 0;
  std::size_t pos = 0;
  const std::size_t n = count_digits(rest, 0);
  if (n == 4 && rest.size() == 4) {
    read_digits(rest, pos, 2, hours);
    read_digits(rest, pos, 2, minutes);
  } else if ((n == 1 || n == 2) && rest.size() == n) {
    read_digits(rest, pos, n, hours);
  } else if ((n == 1 || n == 2) && rest.size() == n + 3 && rest[n] == ':') {
    read_digits(rest, pos, n, hours);
    ++pos;
    if (!read_digits(rest, pos, 2, minutes)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 60 + minutes);
}

// A zone token: "Z", "+0100", "-05:00", "GMT", "est", "GMT+2", "UTC-05:30". Offset in minutes.
std::optional<int> parse_zone(std::string_view token) {
  if (token.empty()) return std::nullopt;
  if (token[0] == '+' || token[0] == '-') return parse_numeric_offset(token);
  std::string word;
  std::size_t i = 0;
  while (i < token.size() && is_ascii_alpha(token[i]) && word.size() < 8) word += to_lower(token[i++]);
  if (i < token.size() && !is_ascii_alpha(token[i]) && (word == "gmt" || word == "utc" || word == "ut")) {
    return parse_numeric_offset(token.substr(i));
  }
  if (i != token.size()) return std::nullopt;
  return named_zone_minutes(word);
}

// ISO 8601 / RFC 3339 / W3C-DTF: "2004", "2004-01", "2004-01-01", "2004-032",
// "2004-01-01T19:48:21.5+01:00", "20040101T194821Z", with a space instead of "T" and an
// optional space before the zone.
std::optional<UnixSeconds> parse_iso(std::string_view s) {
  Fields f;
  std::size_t pos = 0;
  int year = 0;
  if (!read_digits(s, pos, 4, year)) return std::nullopt;
  f.year = year;
  f.month = 1;
  f.day = 1;
  if (pos == s.size()) return to_unix(f);
  bool basic = false;
  if (s[pos] == '-') {
    ++pos;
    const std::size_t n = count_digits(s, pos);
    if (n == 3) {  // ordinal date YYYY-DDD
      int doy = 0;
      read_digits(s, pos, 3, doy);
      const chrono::year calendar_year(static_cast<int>(f.year));
      if (doy < 1 || doy > (calendar_year.is_leap() ? 366 : 365)) return std::nullopt;
      const chrono::year_month_day date(chrono::sys_days(calendar_year / chrono::January / 1) + chrono::days(doy - 1));
      f.month = static_cast<int>(static_cast<unsigned>(date.month()));
      f.day = static_cast<int>(static_cast<unsigned>(date.day()));
    } else {
      if (!read_digits(s, pos, 2, f.month)) return std::nullopt;
      if (pos == s.size()) return to_unix(f);
      if (s[pos] != '-') return std::nullopt;
      ++pos;
      if (!read_digits(s, pos, 2, f.day)) return std::nullopt;
    }
  } else if (count_digits(s, pos) == 4) {
    basic = true;
    read_digits(s, pos, 2, f.month);
    read_digits(s, pos, 2, f.day);
  } else {
    return std::nullopt;
  }
  if (pos == s.size()) return to_unix(f);
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  while (pos < s.size() && s[pos] == ' ') ++pos;
  if (!read_digits(s, pos, 2, f.hour)) return std::nullopt;
  const bool colon = pos < s.size() && s[pos] == ':';
  if (colon) ++pos;
  if (!colon && !basic && count_digits(s, pos) >= 2) return std::nullopt;
  if (!read_digits(s, pos, 2, f.minute)) {
    if (colon) return std::nullopt;
    f.minute = 0;  // "T19Z": hours only
  } else if (pos < s.size() && (colon ? s[pos] == ':' : is_ascii_digit(s[pos]))) {
    if (colon) ++pos;
    if (!read_digits(s, pos, 2, f.second)) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      const std::size_t n = count_digits(s, pos);
      if (n == 0) return std::nullopt;
      pos += n;  // fractions are dropped: we keep whole seconds
    }
  }
  while (pos < s.size() && s[pos] == ' ') ++pos;
  if (pos < s.size()) {
    auto zone = parse_zone(s.substr(pos));
    if (!zone) return std::nullopt;
    f.offset_s = *zone * 60;
  }
  return to_unix(f);
}

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kMonthsLong = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december"};
constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kDaysLong = {"monday", "tuesday", "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

int month_from_name(std::string_view w) {
  for (std::size_t i = 0; i < 12; ++i)
    if (w == kMonths[i] || w == kMonthsLong[i]) return static_cast<int>(i) + 1;
  if (w == "sept") return 9;
  return 0;
}

bool is_weekday(std::string_view w) {
  for (std::size_t i = 0; i < 7; ++i)
    if (w == kDays[i] || w == kDaysLong[i]) return true;
  return w == "tues" || w == "thur" || w == "thurs" || w == "weds";
}

// "19:48", "19:48:21", "7:05:00.25", optionally followed straight by a zone ("19:48:21Z",
// "19:48:21+0000"). Returns false when `token` is not a time.
bool parse_time_token(std::string_view token, Fields& f, bool& has_zone) {
  std::size_t pos = 0;
  const std::size_t n = count_digits(token, 0);
  if (n < 1 || n > 2 || pos + n >= token.size() || token[n] != ':') return false;
  read_digits(token, pos, n, f.hour);
  ++pos;
  if (!read_digits(token, pos, 2, f.minute)) return false;
  f.second = 0;
  if (pos < token.size() && token[pos] == ':') {
    ++pos;
    if (!read_digits(token, pos, 2, f.second)) return false;
    if (pos < token.size() && token[pos] == '.') {
      ++pos;
      const std::size_t frac = count_digits(token, pos);
      if (frac == 0) return false;
      pos += frac;
    }
  }
  if (pos == token.size()) return true;
  auto zone = parse_zone(token.substr(pos));
  if (!zone) return false;
  f.offset_s = *zone * 60;
  has_zone = true;
  return true;
}

// RFC 822/1123/2822, asctime and free-form English dates, read token by token so that the
// broken variants (no weekday, wrong weekday, no seconds, two-digit years, "01-Jan-2004",
// "January 1, 2004", extra spaces, lowercase names, a "(PST)" comment) all come out.
std::optional<UnixSeconds> parse_words(std::string_view s) {
  // Split on spaces and commas; split "01-Jan-2004" on its dashes.
  std::vector<std::string> tokens;
  std::string current;
  int paren_depth = 0;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (char c : s) {
    if (c == '(') {
      flush();
      ++paren_depth;
      continue;
    }
    if (c == ')') {
      paren_depth = paren_depth > 0 ? paren_depth - 1 : 0;
      continue;
    }
    if (paren_depth > 0) continue;  // a comment, e.g. "(Pacific Standard Time)"
    if (is_ascii_space(c) || c == ',') {
      flush();
    } else {
      current += c;
    }
    if (tokens.size() > 16) return std::nullopt;
  }
  flush();
  std::vector<std::string> parts;
  for (auto& token : tokens) {
    // "01-Jan-2004" / "1-jan-04": split when the token holds a month name between dashes.
    bool dash_date = false;
    if (token.find('-') != std::string::npos && token[0] != '-' && token[0] != '+') {
      for (char c : token) dash_date |= is_ascii_alpha(c);
      if (dash_date && token.find(':') != std::string::npos) dash_date = false;
    }
    if (dash_date) {
      std::size_t start = 0;
      while (start <= token.size()) {
        std::size_t end = token.find('-', start);
        if (end == std::string::npos) end = token.size();
        if (end > start) parts.push_back(token.substr(start, end - start));
        start = end + 1;
      }
    } else {
      parts.push_back(std::move(token));
    }
  }

  Fields f;
  f.month = 0;
  f.day = 0;
  bool has_time = false;
  bool has_zone = false;
  int year_digits = 0;
  int pm = -1;  // -1 none, 0 am, 1 pm
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string word;
    for (char c : parts[i]) word += to_lower(c);
    while (!word.empty() && word.back() == '.') word.pop_back();  // "Oct." "Thu."
    if (word.empty()) continue;
    if (is_ascii_alpha(word[0])) {
      if (int m = month_from_name(word); m != 0 && f.month == 0) {
        f.month = m;
        continue;
      }
      if (is_weekday(word)) continue;
      if (word == "am" || word == "pm") {
        pm = word == "pm";
        continue;
      }
      if (!has_zone) {
        if (auto zone = parse_zone(word)) {
          f.offset_s = *zone * 60;
          has_zone = true;
          continue;
        }
      }
      return std::nullopt;
    }
    if (word[0] == '+' || word[0] == '-') {
      if (has_zone) return std::nullopt;
      auto zone = parse_numeric_offset(word);
      if (!zone) return std::nullopt;
      f.offset_s = *zone * 60;
      has_zone = true;
      continue;
    }
    if (!is_ascii_digit(word[0])) return std::nullopt;
    if (word.find(':') != std::string::npos) {
      if (has_time || !parse_time_token(word, f, has_zone)) return std::nullopt;
      has_time = true;
      continue;
    }
    const std::size_t n = count_digits(word, 0);
    std::string_view suffix = std::string_view(word).substr(n);
    if (n > 4) return std::nullopt;
    int value = 0;
    std::size_t pos = 0;
    read_digits(word, pos, n, value);
    if (!suffix.empty()) {
      // "1st", "2nd", "23rd", "4th" name a day; "10am"/"10pm" an hour.
      if ((suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") && f.day == 0 && n <= 2) {
        f.day = value;
        continue;
      }
      return std::nullopt;
    }
    if (n >= 3) {
      if (year_digits != 0) return std::nullopt;
      f.year = value;
      year_digits = static_cast<int>(n);
    } else if (f.day == 0) {
      f.day = value;
    } else if (year_digits == 0) {
      f.year = value;
      year_digits = static_cast<int>(n);
    } else {
      return std::nullopt;
    }
  }
  if (f.month == 0 || f.day == 0 || year_digits == 0) return std::nullopt;
  if (year_digits <= 2) {
    f.year += f.year < 50 ? 2000 : 1900;  // RFC 2822 4.3
  } else if (year_digits == 3) {
    f.year += 1900;
  }
  if (pm != -1) {
    if (!has_time || f.hour < 1 || f.hour > 12) return std::nullopt;
    if (f.hour == 12) f.hour = 0;
    if (pm == 1) f.hour += 12;
  }
  return to_unix(f);
}

}  // namespace

std::optional<UnixSeconds> parse_date(std::string_view text) {
  std::string_view s = trim_ascii_space(text);
  if (s.empty() || s.size() > 128) return std::nullopt;
  if (s.size() >= 4 && is_ascii_digit(s[0]) && is_ascii_digit(s[1]) && is_ascii_digit(s[2]) && is_ascii_digit(s[3])) {
    if (auto t = parse_iso(s)) return t;
    // "2004/01/01" and "2004.01.01": bare dates with other separators.
    if (s.size() >= 10 && (s[4] == '/' || s[4] == '.') && s[7] == s[4]) {
      std::string dashed(s);
      dashed[4] = '-';
      dashed[7] = '-';
      if (auto t = parse_iso(dashed)) return t;
    }
  }
  return parse_words(s);
}

std::string format_rfc3339(UnixSeconds t) {
  const chrono::sys_seconds instant{chrono::seconds{t}};
  const chrono::sys_days day = chrono::floor<chrono::days>(instant);
  const chrono::year_month_day date{day};
  const chrono::hh_mm_ss time{instant - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

std::string format_http_date(UnixSeconds t) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const chrono::sys_seconds instant{chrono::seconds{t}};
  const chrono::sys_days day = chrono::floor<chrono::days>(instant);
  const chrono::year_month_day date{day};
  const chrono::hh_mm_ss time{instant - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kWeekdays[chrono::weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

}  // namespace winnow::base
