#include "http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <optional>

#include "base/log.h"
#include "http/problem.h"

namespace tousu::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// The request headers tousu reads; everything else is ignored.
constexpr const char* kKeptHeaders[] = {"authorization", "content-type", "idempotency-key",
                                        "x-request-id", "accept"};

bool IsCleanRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoReadHeader(); });
  }

  // From StopAccepting: close now when idle, else after the current answer.
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->idle_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.socket().close(ec);
      }
    });
  }

  ~Session() {
    std::lock_guard lock(server_->mu);
    server_->sessions.erase(this);
  }

 private:
  void DoReadHeader() {
    if (closing_) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    parser_->body_limit(server_->limits.max_body_bytes);
    idle_ = buffer_.size() == 0;
    stream_.expires_after(server_->limits.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
  }

  void OnReadHeader(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof || ec == net::error::connection_reset) {
      return Close();
    }
    request_id_ = NextRequestId();
    if (ec == bhttp::error::header_limit) {
      return WriteError(Status::TooLarge("request header is larger than " +
                                         std::to_string(server_->limits.max_header_bytes) + " bytes"),
                        431);
    }
    if (ec == bhttp::error::body_limit) {  // a Content-Length over the limit, seen with the header
      return WriteError(Status::TooLarge("request body is over the limit of " +
                                         std::to_string(server_->limits.max_body_bytes) + " bytes"),
                        0);
    }
    if (ec) return WriteError(Status::InvalidArgument("malformed HTTP request: " + ec.message()), 0);

    auto& header = parser_->get();
    if (auto cl = parser_->content_length(); cl && *cl > server_->limits.max_body_bytes) {
      return WriteError(Status::TooLarge("request body of " + std::to_string(*cl) +
                                         " bytes is over the limit of " +
                                         std::to_string(server_->limits.max_body_bytes) + " bytes"),
                        0);
    }
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, header.version());
      stream_.expires_after(server_->limits.write_timeout);
      return bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
        if (ec) return self->Close();
        self->DoReadBody();
      });
    }
    DoReadBody();
  }

  void DoReadBody() {
    stream_.expires_after(server_->limits.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
  }

  void OnReadBody(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit) {
      return WriteError(Status::TooLarge("request body is over the limit of " +
                                         std::to_string(server_->limits.max_body_bytes) + " bytes"),
                        0);
    }
    if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream) {
      return WriteError(Status::InvalidArgument("the request body ended before its Content-Length"), 0);
    }
    if (ec == beast::error::timeout) {
      return WriteError(Status::InvalidArgument("the request body did not arrive in time"), 408);
    }
    if (ec) return Close();
    Dispatch();
  }

  void Dispatch() {
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.request_id = request_id_;
    for (const char* name : kKeptHeaders) {
      auto it = msg.find(name);
      if (it != msg.end()) req.headers[name] = std::string(it->value());
    }
    if (auto given = req.Header("x-request-id"); IsCleanRequestId(given)) {
      req.request_id = request_id_ = given;
    }
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) req.remote = ep.address().to_string();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;

    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) {
      return WriteError(Status::InvalidArgument("the request target is not a valid path"), 0);
    }
    req.path = std::string(url->encoded_path());
    for (auto param : url->params()) req.query[std::string(param.key)] = std::string(param.value);
    req.body = std::move(msg.body());

    server_->api->Serve(std::move(req), [self = shared_from_this()](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->DoWrite(std::move(r)); });
    });
  }

  void WriteError(const Status& s, int override_status) {
    keep_alive_ = false;  // the connection's framing may be unknown; start over
    if (parser_) version_ = parser_->get().version() ? parser_->get().version() : 11;
    Response r = Problem(s, request_id_);
    if (override_status != 0) r.status = override_status;
    DoWrite(std::move(r));
  }

  void DoWrite(Response r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version_ == 10 ? 10 : 11);
    res->result(static_cast<unsigned>(r.status));
    if (!r.content_type.empty()) res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    if (!request_id_.empty()) res->set("X-Request-Id", request_id_);
    for (auto& [name, value] : r.headers) res->set(name, value);
    const bool keep = keep_alive_ && !closing_ && !server_->stopping.load();
    res->keep_alive(keep);
    const size_t length = r.body.size();
    if (!head_) res->body() = std::move(r.body);
    if (r.status == 204) {
      res->chunked(false);
    } else {
      res->content_length(length);
    }
    stream_.expires_after(server_->limits.write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      if (!keep) return self->LingeringClose();
      self->DoReadHeader();
    });
  }

  // After an answer sent before the request was fully read (413, 431, 400), closing at once
  // would make the kernel reset the connection over the unread bytes, and the client could
  // lose the answer. So: stop sending, then read and drop what is still coming, briefly.
  void LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    drained_ = 0;
    stream_.expires_after(std::chrono::seconds(2));
    DoDrain();
  }

  void DoDrain() {
    drain_buffer_.resize(16 * 1024);
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
      self->DoDrain();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  std::string NextRequestId() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "r%llx", static_cast<unsigned long long>(server_->next_request++));
    return buf;
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Shared> server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string request_id_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool idle_ = false;
  bool closing_ = false;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
  static constexpr size_t kMaxDrainBytes = 4 * 1024 * 1024;
};

HttpServer::HttpServer(net::io_context& ioc, Api& api, ServerLimits limits)
    : ioc_(ioc), shared_(std::make_shared<Shared>()), acceptor_(net::make_strand(ioc)) {
  shared_->api = &api;
  shared_->limits = limits;
}

size_t HttpServer::ActiveSessions() const {
  std::lock_guard lock(shared_->mu);
  return shared_->sessions.size();
}

HttpServer::~HttpServer() = default;

Status HttpServer::Start(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("listen address " + host + " is not an IP address");
  tcp::endpoint ep(address, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  DoAccept();
  return Status::Ok();
}

void HttpServer::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (shared_->stopping.load()) return;
    if (!ec) {
      if (ActiveSessions() >= static_cast<size_t>(shared_->limits.max_connections)) {
        beast::error_code ignored;
        socket.close(ignored);  // over the connection cap: refuse at once
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        auto s = std::make_shared<Session>(std::move(socket), shared_);
        {
          std::lock_guard lock(shared_->mu);
          shared_->sessions[s.get()] = s;
        }
        s->Run();
      }
    }
    DoAccept();
  });
}

void HttpServer::StopAccepting() {
  if (shared_->stopping.exchange(true)) return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(shared_->mu);
    for (auto& [p, w] : shared_->sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
}

}  // namespace tousu::http
