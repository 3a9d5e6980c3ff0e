#include "bench/pg_server.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/daemon/pg_cluster.h"

namespace winnow::bench {
namespace {

namespace fs = std::filesystem;
using testing::PgCluster;

// utime + stime + cutime + cstime of /proc/PID/stat, and its parent's pid.
struct ProcTimes {
  double cpu_s = 0;
  int ppid = 0;
};
bool read_times(const fs::path& stat, ProcTimes& out) {
  std::ifstream in(stat);
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return false;
  std::istringstream fields(line.substr(paren + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field) f.push_back(field);
  // From field 3 (state) on: ppid is field 4, utime 14 .. cstime 17.
  if (f.size() < 15) return false;
  const double tick = double(sysconf(_SC_CLK_TCK));
  out.ppid = std::atoi(f[1].c_str());
  out.cpu_s = (std::stod(f[11]) + std::stod(f[12]) + std::stod(f[13]) + std::stod(f[14])) / tick;
  return true;
}

}  // namespace

PgServer& PgServer::shared(const std::string& shared_buffers, bool track_statements) {
  static PgServer server(shared_buffers, track_statements);
  return server;
}

PgServer::PgServer(const std::string& shared_buffers, bool track_statements) {
  PgCluster& cluster = PgCluster::shared();
  admin_url_ = cluster.url("postgres");
  // The tests' server trades durability for speed; a benchmark measures what production pays.
  for (const std::string& sql :
       {std::string("ALTER SYSTEM SET fsync = on"), std::string("ALTER SYSTEM SET synchronous_commit = on"),
        std::string("ALTER SYSTEM SET full_page_writes = on"),
        "ALTER SYSTEM SET shared_buffers = '" + shared_buffers + "'"})
    PgCluster::exec(admin_url_, sql);
  // Not set otherwise: '' would be read as a list of one library named "".
  if (track_statements) PgCluster::exec(admin_url_, "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  const fs::path data = cluster.directory() / "data";
  std::string command = (cluster.bin() / "pg_ctl").string() + " -D " + data.string() + " -w -t 60 -m fast restart -l " +
                        (cluster.directory() / "server.log").string() + " >/dev/null 2>&1";
  if (geteuid() == 0) {  // the server runs as the data directory's owner (pg_cluster.cc)
    struct stat st {};
    if (stat(data.c_str(), &st) != 0) throw std::runtime_error("pg_server: cannot stat " + data.string());
    const passwd* user = getpwuid(st.st_uid);
    if (!user) throw std::runtime_error("pg_server: no user for the data directory");
    command = "cd " + cluster.directory().string() + " && runuser -u " + user->pw_name + " -- " + command;
  }
  if (std::system(command.c_str()) != 0) throw std::runtime_error("pg_server: restart failed: " + command);
  std::ifstream pid_file(data / "postmaster.pid");
  pid_file >> postmaster_pid_;
}

std::string PgServer::create_database() { return PgCluster::shared().create_database(); }

void PgServer::print_settings() {
  std::printf("server: %s\n  fsync %s, synchronous_commit %s, full_page_writes %s, shared_buffers %s, "
              "Unix socket (no TCP)\n",
              PgCluster::text(admin_url_, "SELECT split_part(version(), ' on ', 1)").c_str(),
              PgCluster::text(admin_url_, "SHOW fsync").c_str(),
              PgCluster::text(admin_url_, "SHOW synchronous_commit").c_str(),
              PgCluster::text(admin_url_, "SHOW full_page_writes").c_str(),
              PgCluster::text(admin_url_, "SHOW shared_buffers").c_str());
}

void PgServer::reset_statements(const std::string& url) {
  PgCluster::exec(url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  PgCluster::exec(url, "SELECT pg_stat_statements_reset()");
}

void PgServer::print_statements(const std::string& url, long articles, int top) {
  if (articles <= 0) return;
  const std::string per = std::to_string(articles) + ".0";
  const std::string rows = PgCluster::text(
      url,
      "SELECT coalesce(string_agg(format('  %8s ms %7s calls %s', to_char(total_exec_time / " + per +
          ", 'FM990.000'), to_char(calls / " + per + ", 'FM9990.00'), left(regexp_replace(query, '\\s+', ' ', 'g'), "
          "110)), E'\\n' ORDER BY total_exec_time DESC), '') FROM (SELECT * FROM pg_stat_statements WHERE dbid = "
          "(SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT " +
          std::to_string(top) + ") s");
  const std::string total = PgCluster::text(
      url, "SELECT to_char(coalesce(sum(total_exec_time), 0) / " + per +
               ", 'FM990.000') FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
               "current_database())");
  std::printf("  statements by execution time per article (pg_stat_statements; all of them: %s ms):\n%s\n",
              total.c_str(), rows.c_str());
}

std::int64_t PgServer::database_bytes(const std::string& url) {
  return PgCluster::integer(url, "SELECT pg_database_size(current_database())");
}

double PgServer::cpu_s() const {
  double total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcTimes t;
    if (!read_times(entry.path() / "stat", t)) continue;
    if (std::atoi(name.c_str()) == postmaster_pid_ || t.ppid == postmaster_pid_) total += t.cpu_s;
  }
  return total;
}

}  // namespace winnow::bench
