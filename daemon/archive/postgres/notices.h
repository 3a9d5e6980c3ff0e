#pragma once
// The PostgreSQL side of ArchiveNotices (archive/notices.h): the channels, and a connection
// that LISTENs to them. Private to winnow_archive.
#include <chrono>
#include <memory>
#include <string>

#include "daemon/archive/notices.h"

namespace winnow::archive::postgres {

// NOTIFY channels, with the id (article) or seq (event) as payload, sent in the storing
// transaction so that they are heard at its commit, never for one rolled back.
inline constexpr const char* kArticlesChannel = "winnow_articles";
inline constexpr const char* kEventsChannel = "winnow_events";

// The most connecting and LISTEN may each wait for the server.
inline constexpr std::chrono::milliseconds kListenTimeout{10000};

// Connects and runs LISTEN on both channels, each exchange bounded by the process's statement
// deadline (connection.h) and by kListenTimeout, and ended by interrupt_all(); throws PgError
// when it cannot.
std::unique_ptr<ArchiveNotices> connect_notices(const std::string& conninfo);

}  // namespace winnow::archive::postgres
