#include "tests/daemon/pg_cluster.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "tests/daemon/temp_dir.h"

namespace winnow::testing {
namespace {

namespace fs = std::filesystem;

// The directory holding initdb and pg_ctl: pg_config's word, else the newest Debian one.
fs::path find_bin() {
  std::error_code ec;
  if (FILE* pipe = popen("pg_config --bindir 2>/dev/null", "r")) {
    char line[4096] = {};
    const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
    pclose(pipe);
    std::string dir = got ? line : "";
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (!dir.empty() && fs::exists(fs::path(dir) / "initdb", ec) && fs::exists(fs::path(dir) / "pg_ctl", ec))
      return dir;
  }
  fs::path best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb", ec) && fs::exists(bin / "pg_ctl", ec) && (best.empty() || bin > best)) best = bin;
  }
  if (best.empty())
    throw std::runtime_error(
        "PostgreSQL server programs (initdb, pg_ctl) not found under pg_config --bindir or "
        "/usr/lib/postgresql/*/bin: install the Debian package `postgresql` (scripts/setup does)");
  return best;
}

struct ConnFinish {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};

std::unique_ptr<PGresult, ResultClear> run_sql(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, ConnFinish> conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("pg_cluster: cannot connect to " + url + ": " + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, ResultClear> result(PQexec(conn.get(), sql.c_str()));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("pg_cluster: " + sql + ": " + PQerrorMessage(conn.get()));
  return result;
}

}  // namespace

PgCluster& PgCluster::shared() {
  static PgCluster cluster;
  return cluster;
}

PgCluster::PgCluster() : bin_(find_bin()) {
  std::string pattern = (fs::temp_directory_path() / "winnow-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("pg_cluster: mkdtemp failed");
  dir_ = pattern;
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (!user) user = getpwnam("nobody");
    if (!user) throw std::runtime_error("pg_cluster: running as root, and no `postgres` or `nobody` user to run the server");
    run_as_ = user->pw_name;
    if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0)
      throw std::runtime_error("pg_cluster: cannot chown " + dir_.string());
  }
  const std::string data = (dir_ / "data").string();
  run("initdb", {"-D", data, "-U", "winnow", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"});
  {
    std::ofstream conf(dir_ / "data" / "postgresql.conf", std::ios::app);
    conf << "\n# winnow tests: a Unix socket here only, speed over durability\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << dir_.string() << "'\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
         << "max_connections = 100\nshared_buffers = 32MB\n";
  }
  run("pg_ctl", {"-D", data, "-l", (dir_ / "server.log").string(), "-w", "-t", "60", "start"});
  started_ = true;
}

PgCluster::~PgCluster() {
  if (started_) {
    try {
      run("pg_ctl", {"-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"});
    } catch (...) {
    }
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void PgCluster::run(const std::string& program, const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (!run_as_.empty()) argv = {"runuser", "-u", run_as_, "--"};
  argv.push_back((bin_ / program).string());
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  const std::string log = (dir_ / (program + ".out")).string();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("pg_cluster: fork failed");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    execvp(raw[0], raw.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("pg_cluster: " + program + " failed:\n" + read_file(log) + "\nserver log:\n" +
                             read_file(dir_ / "server.log"));
}

std::string PgCluster::url(const std::string& name) const {
  return "postgresql:///" + name + "?host=" + dir_.string() + "&user=winnow";
}

std::string PgCluster::create_database() {
  const std::string name = "case" + std::to_string(++databases_);
  // FILE_COPY: with fsync off, copying template0's files beats logging every page.
  exec(url("postgres"), "CREATE DATABASE " + name + " TEMPLATE template0 STRATEGY FILE_COPY");
  return url(name);
}

std::int64_t PgCluster::integer(const std::string& url, const std::string& sql) {
  auto result = run_sql(url, sql);
  if (PQntuples(result.get()) == 0 || PQgetisnull(result.get(), 0, 0)) return 0;
  return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
}

std::string PgCluster::text(const std::string& url, const std::string& sql) {
  auto result = run_sql(url, sql);
  if (PQntuples(result.get()) == 0) return "";
  return PQgetvalue(result.get(), 0, 0);
}

void PgCluster::exec(const std::string& url, const std::string& sql) { run_sql(url, sql); }

}  // namespace winnow::testing
