// HttpServer: Beast/Asio HTTP/1.1 with keep-alive over a fixed pool of threads.
//
// Each connection is a Session that reads a request header (with a header size limit and a
// header timeout) and then asks the Api how the route wants its body:
//   buffered  — refuses an oversized body from its Content-Length before reading it (413), reads
//               it under the body limit and timeout, and hands the Request to the Api;
//   streamed  — (uploads) lets the Api authorize the request and open the route's sink first,
//               refuses a Content-Length over the route's limit (413), then feeds the body to
//               the sink in 64 KiB pieces under the upload timeout, answering 413 as soon as the
//               stream passes the limit.
// A Response may name a file, which is streamed from disk. After an error answer sent before
// the body was read, the connection lingers briefly, discarding input, so that the client reads
// the answer instead of a reset. Shutdown stops accepting, closes idle connections, lets
// in-flight requests finish and reports when none is left.
// Thread-safety: Start/StopAccepting/ActiveSessions may be called from any thread.
#ifndef TOUSU_HTTP_SERVER_H_
#define TOUSU_HTTP_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "http/api.h"

namespace tousu::http {

struct ServerLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds header_timeout{10};  // whole request header, and idle keep-alive
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds upload_timeout{300};  // a whole streamed body (evidence upload)
  std::chrono::seconds write_timeout{30};
  int max_connections = 4096;
  // Open connections from one client address; 0: none of its own. Without it one client can
  // hold every slot of the cap (idle connections are reopened as they time out) and lock
  // everyone else out. Behind a reverse proxy every connection comes from the proxy: set it to
  // 0 there, and limit per client in the proxy.
  int max_connections_per_address = 1024;
  // The bodies still arriving, together, by their declared length (a chunked body counts as
  // max_body_bytes; one already received whole with its header is not counted). Beast reserves a body's declared length when it starts, so without this
  // every connection could pin max_body_bytes for the body timeout by sending one header:
  // 4096 x 1 MiB. Past it a request is answered 503 with Retry-After before its body is read.
  size_t max_buffered_body_bytes = 256 * 1024 * 1024;
};

class Session;

class HttpServer final {
 public:
  HttpServer(boost::asio::io_context& ioc, Api& api, ServerLimits limits);
  ~HttpServer();

  // Binds and listens on host:port (port 0 picks a free one); starts accepting.
  Status Start(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }

  // Stops accepting and closes idle keep-alive connections; busy ones close after answering.
  void StopAccepting();
  size_t ActiveSessions() const;

  // What sessions share with the server; kept alive by both, so that a session finishing
  // after the server object is gone stays safe.
  struct Shared {
    Api* api;
    // Taken from the Api at construction: a session may be destroyed after the Api (with the
    // io_context's last handlers), and its destructor updates the connections gauge.
    Metrics* metrics = nullptr;
    ServerLimits limits;
    std::atomic<bool> stopping{false};
    std::atomic<uint64_t> next_request{1};
    std::mutex mu;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // GUARDED_BY(mu)
    std::unordered_map<std::string, int> per_address;  // open sessions by client address; GUARDED_BY(mu)
    std::atomic<size_t> buffered_body_bytes{0};  // reserved by the bodies being received

    // Reserves `n` bytes of the body budget; false if they do not fit.
    bool ReserveBody(size_t n) {
      size_t now = buffered_body_bytes.load();
      do {
        if (n > limits.max_buffered_body_bytes || now > limits.max_buffered_body_bytes - n) return false;
      } while (!buffered_body_bytes.compare_exchange_weak(now, now + n));
      return true;
    }
    // The cap's warning is logged at most once a minute (a flood of refusals is one event).
    std::chrono::steady_clock::time_point last_cap_warning;  // GUARDED_BY(mu)
    uint64_t refused_since_warning = 0;                       // GUARDED_BY(mu)

    // Keeps the open-connections gauge equal to sessions.size(); call with `mu` held.
    void CountSessionsLocked() {
      if (metrics != nullptr) metrics->SetOpenConnections(sessions.size());
    }
  };

 private:
  void DoAccept();
  // Which limit an accepted connection is over, or null; REQUIRES: shared_->mu held.
  const char* OverLimitLocked(const std::string& address) const;
  void RefuseConnection(boost::asio::ip::tcp::socket socket, const char* limit, const std::string& address);

  boost::asio::io_context& ioc_;
  std::shared_ptr<Shared> shared_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

}  // namespace tousu::http

#endif  // TOUSU_HTTP_SERVER_H_
