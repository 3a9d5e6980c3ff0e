#pragma once
// A TCP proxy on 127.0.0.1 for the tests, in front of a server on a Unix socket (the tests'
// PostgreSQL, pg_cluster.h): it passes bytes both ways and can cut the link the way a
// network partition does, which no socket the test could close would show.
//
// cut() makes a blackhole: every connection stays open and no byte passes, either way; new
// connections are accepted (the kernel completes the handshake) and not connected through.
// What arrives meanwhile is held, as TCP holds what the network does not deliver, and
// delivered by heal(); reset_all() drops every connection instead,
// as when TCP gives up on a peer (the client sees a reset; the server, on its Unix socket, the
// connection's end). The client's kernel gets its ACKs and keepalive answers from
// the proxy's side of loopback, so a cut is seen by the client only through time: what a
// proxy or load balancer in front of a partitioned server looks like.
//
// Serves on a thread of its own from the constructor to the destructor (which closes every
// connection). Every public member function is thread-safe and in effect when it returns.
#include <cstddef>
#include <memory>
#include <string>

namespace winnow::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 at a free port and forwards each connection to the Unix socket at
  // `upstream_socket`. Throws std::system_error if it cannot listen.
  explicit TcpProxy(const std::string& upstream_socket);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  unsigned short port() const;

  // The blackhole, until heal().
  void cut();
  // Bytes pass again: what was held is delivered, connections accepted meanwhile go through.
  void heal();
  // Every connection open now (passing or held) is dropped (a reset to the client); a cut stays.
  void reset_all();

  // Connections accepted so far, and open now.
  std::size_t accepted() const;
  std::size_t open() const;

  struct State;  // the .cc's

 private:
  std::unique_ptr<State> state_;
};

}  // namespace winnow::testing
