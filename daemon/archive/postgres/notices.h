#pragma once
// The PostgreSQL side of ArchiveNotices (archive/notices.h): the channels, and a connection
// that LISTENs to them. Private to winnow_archive.
#include <memory>
#include <string>

#include "daemon/archive/notices.h"

namespace winnow::archive::postgres {

// NOTIFY channels, with the id (article) or seq (event) as payload, sent in the storing
// transaction so that they are heard at its commit, never for one rolled back.
inline constexpr const char* kArticlesChannel = "winnow_articles";
inline constexpr const char* kEventsChannel = "winnow_events";

// Connects and runs LISTEN on both channels; throws PgError when it cannot.
std::unique_ptr<ArchiveNotices> connect_notices(const std::string& conninfo);

}  // namespace winnow::archive::postgres
