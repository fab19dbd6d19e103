// bench_hello_server: the ceiling for tousu's HTTP figures. A bare Beast HTTP/1.1 server with
// keep-alive on the same io_context-and-thread-pool design as tousu's (http/server.cc), built
// with the same compiler and flags, answering every request with a short text body. Whatever
// tousu does per request beyond this is the cost of being tousu.
//   bench_hello_server [--listen 127.0.0.1:0] [--threads N]   (--help for the options)
// Prints "serving on http://HOST:PORT" once it listens; stops on SIGINT/SIGTERM.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void Run() { net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); }); }

 private:
  void DoRead() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    res_ = {};
    res_.version(req_.version());
    res_.result(http::status::ok);
    res_.set(http::field::content_type, "text/plain");
    res_.keep_alive(req_.keep_alive());
    res_.body() = "Hello, world\n";
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }
  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return Close();
    DoRead();
  }
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Accept(tcp::acceptor& acceptor, net::io_context& ioc) {
  acceptor.async_accept(net::make_strand(ioc), [&acceptor, &ioc](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket))->Run();
    }
    if (acceptor.is_open()) Accept(acceptor, ioc);
  });
}

}  // namespace

constexpr const char* kUsage =
    "usage: bench_hello_server [--listen HOST:PORT] [--threads N]\n"
    "  The ceiling of make bench: a bare Beast HTTP/1.1 server answering every request with a\n"
    "  short text body, on tousu's threading. Prints \"serving on http://HOST:PORT\" once it\n"
    "  listens; stops on SIGINT/SIGTERM.\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:0, any free port)\n"
    "  --threads N         I/O threads, 1 to 256 (default: one per core)\n";

int Usage(const char* problem) {
  std::fprintf(stderr, "bench_hello_server: %s\n%s", problem, kUsage);
  return 2;
}

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg != "--listen" && arg != "--threads") return Usage(("unknown option " + arg).c_str());
    if (i + 1 >= argc) return Usage((arg + " needs a value").c_str());
    const std::string value = argv[++i];
    if (arg == "--listen") {
      listen = value;
    } else {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || n < 1 || n > 256) return Usage("--threads must be 1 to 256");
      threads = static_cast<int>(n);
    }
  }
  const size_t colon = listen.rfind(':');
  char* end = nullptr;
  const long port = colon == std::string::npos ? -1 : std::strtol(listen.c_str() + colon + 1, &end, 10);
  if (colon == std::string::npos || end == listen.c_str() + colon + 1 || *end != '\0' || port < 0 || port > 65535) {
    return Usage("--listen must be HOST:PORT");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(listen.substr(0, colon), ec);
  if (ec) return Usage(("--listen: " + listen.substr(0, colon) + " is not an IP address").c_str());
  net::io_context ioc(threads);
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  tcp::acceptor acceptor(net::make_strand(ioc));
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "bench_hello_server: cannot listen on %s: %s\n", listen.c_str(), ec.message().c_str());
    return 1;
  }
  Accept(acceptor, ioc);
  std::printf("serving on http://%s:%u\n", ep.address().to_string().c_str(), acceptor.local_endpoint().port());
  std::fflush(stdout);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
