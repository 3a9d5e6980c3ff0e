# Fails the build when a part of winnow includes what it may not: the arrows of
# docs/development.md ("Map of the house"), checked on every build by the `layering` target.
#   cmake -DROOT=<source dir> -P cmake/check_layering.cmake
cmake_minimum_required(VERSION 3.25)

# layer(PREFIX ALLOWED FORBIDDEN): files whose path starts with PREFIX may include "..." headers
# only from the ALLOWED prefixes, and no <...> header starting with a FORBIDDEN prefix.
# The first matching rule wins, so more specific prefixes come first.
set(parts "")
macro(layer prefix allowed forbidden)
  list(APPEND parts "${prefix}")
  set("allowed_${prefix}" "${allowed}")
  set("forbidden_${prefix}" "${forbidden}")
endmacro()

# Pure parts: no I/O libraries at all.
set(io "boost/asio;boost/beast;curl/;sqlite3.h;libpq-fe.h;systemd/")
layer("base/"             "base/"                          "${io};gumbo.h;libxml/")
layer("parsers/"          "base/;parsers/"                 "${io};libxml/")
layer("feeds/"            "base/;parsers/;feeds/"          "${io}")
# winnow_config: what every daemon part shares, below all of them.
# It checks [fetch] allow_hosts with the fetcher's pure address policy (no Asio, no curl).
layer("daemon/config."    "base/;feeds/;daemon/config.h;daemon/log.h;daemon/feed_list.h;daemon/fetch/address_policy.h" "${io}")
layer("daemon/log."       "base/;daemon/config.h;daemon/log.h"                           "${io}")
layer("daemon/feed_list." "base/;feeds/;daemon/config.h;daemon/feed_list.h"             "${io}")
# Metrics: the standard library only; every daemon part may be measured.
layer("daemon/metrics/"   "daemon/metrics/"                "${io};gumbo.h;libxml/")
# Fetching reads headers, never a page; the archive knows Feed and Article, not Asio.
layer("daemon/fetch/"     "base/;daemon/fetch/"            "sqlite3.h;libpq-fe.h;gumbo.h;libxml/")
# Each archive back end keeps to its own C library.
layer("daemon/archive/postgres/" "base/;parsers/;daemon/archive/;daemon/log.h" "boost/asio;boost/beast;curl/;gumbo.h;libxml/;sqlite3.h")
layer("daemon/archive/sqlite/"   "base/;parsers/;daemon/archive/"     "boost/asio;boost/beast;curl/;gumbo.h;libxml/;libpq-fe.h")
layer("daemon/archive/"   "base/;parsers/;feeds/;daemon/archive/;daemon/config.h;daemon/log.h"
                          "boost/asio;boost/beast;curl/;gumbo.h;libxml/")
layer("daemon/ingest/"    "base/;parsers/;feeds/;daemon/archive/;daemon/fetch/;daemon/ingest/;daemon/metrics/;daemon/config.h;daemon/log.h;daemon/feed_list.h"
                          "sqlite3.h;libpq-fe.h")
# The API's writing of articles and feeds is pure: archive rows in, text out; no I/O at all.
layer("daemon/api/article_html." "base/;daemon/archive/archive.h;daemon/api/" "${io};gumbo.h;libxml/")
layer("daemon/api/feed_out."     "base/;daemon/archive/archive.h;daemon/api/" "${io};gumbo.h;libxml/")
layer("daemon/api/xml_text."     "base/;daemon/api/xml_text.h"                 "${io};gumbo.h;libxml/")
# The archive's notices heard on the Asio loop: through archive/notices.h, never libpq itself.
layer("daemon/notify/"    "base/;daemon/archive/;daemon/config.h;daemon/log.h;daemon/notify/"
                          "sqlite3.h;libpq-fe.h;curl/;gumbo.h;libxml/;boost/beast")
# Webhooks post the archive's outbox; they read it through the Archive interface.
layer("daemon/webhooks/"  "base/;daemon/archive/;daemon/config.h;daemon/log.h;daemon/webhooks/"
                          "sqlite3.h;libpq-fe.h;gumbo.h;libxml/;boost/asio;boost/beast")
# The HTTP API reads through the Archive interface, never SQLite itself.
layer("daemon/api/"       "base/;parsers/;feeds/;daemon/"  "sqlite3.h;libpq-fe.h;gumbo.h;curl/")
# The programs wire everything.
layer("daemon/cli/"       "base/;parsers/;feeds/;daemon/"  "")

file(GLOB_RECURSE sources RELATIVE "${ROOT}" "${ROOT}/base/*" "${ROOT}/parsers/*" "${ROOT}/feeds/*" "${ROOT}/daemon/*")
list(FILTER sources INCLUDE REGEX "\\.(cc|h)$")

set(violations "")
foreach(source IN LISTS sources)
  set(part "")
  foreach(candidate IN LISTS parts)
    string(FIND "${source}" "${candidate}" at)
    if(at EQUAL 0)
      set(part "${candidate}")
      break()
    endif()
  endforeach()
  if(part STREQUAL "")
    list(APPEND violations "${source}: no rule in cmake/check_layering.cmake says what it may include")
    continue()
  endif()
  file(STRINGS "${ROOT}/${source}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    if(line MATCHES "include[ \t]*\"([^\"]+)\"")
      set(header "${CMAKE_MATCH_1}")
      set(ok FALSE)
      foreach(prefix IN LISTS "allowed_${part}")
        string(FIND "${header}" "${prefix}" at)
        if(at EQUAL 0)
          set(ok TRUE)
        endif()
      endforeach()
      if(NOT ok)
        list(APPEND violations "${source}: includes \"${header}\"")
      endif()
    elseif(line MATCHES "include[ \t]*<([^>]+)>")
      set(header "${CMAKE_MATCH_1}")
      foreach(prefix IN LISTS "forbidden_${part}")
        string(FIND "${header}" "${prefix}" at)
        if(at EQUAL 0)
          list(APPEND violations "${source}: includes <${header}>")
        endif()
      endforeach()
    endif()
  endforeach()
endforeach()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "a part includes what it may not (docs/development.md, map of the house):\n  ${text}")
endif()
