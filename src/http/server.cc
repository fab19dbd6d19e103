#include "http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <optional>
#include <utility>

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
  // `remote`: the client's address, as the server counts its connections.
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> server, std::string remote)
      : stream_(std::move(socket)),
        server_(std::move(server)),
        remote_(std::move(remote)),
        body_deadline_(stream_.get_executor()) {}

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
    ReleaseBody();
    if (auto it = server_->per_address.find(remote_); it != server_->per_address.end() && --it->second <= 0) {
      server_->per_address.erase(it);
    }
    server_->CountSessionsLocked();
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;

  // ---- header ---------------------------------------------------------------------------------

  void DoReadHeader() {
    if (closing_) return Close();
    header_parser_.emplace();
    parser_.reset();
    stream_parser_.reset();
    sink_.reset();
    header_parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    // The body's limit depends on the route; it is set once the header says which.
    header_parser_->body_limit(boost::none);
    idle_ = buffer_.size() == 0;
    stream_.expires_after(server_->limits.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *header_parser_,
                             beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
  }

  void OnReadHeader(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof || ec == net::error::connection_reset) {
      return Close();
    }
    request_id_ = NextRequestId();
    req_ = Request();  // until its head is read: an error below is counted under no route
    if (ec == bhttp::error::header_limit) {
      return WriteError(Status::TooLarge("request header is larger than " +
                                         std::to_string(server_->limits.max_header_bytes) + " bytes"),
                        431);
    }
    if (ec) return WriteError(Status::InvalidArgument("malformed HTTP request: " + ec.message()), 0);

    const auto& header = header_parser_->get();
    version_ = header.version();
    keep_alive_ = header.keep_alive();
    head_ = header.method() == bhttp::verb::head;
    expect_continue_ = beast::iequals(header[bhttp::field::expect], "100-continue");
    if (Status s = ReadRequestHead(header); !s.ok()) return WriteError(s, 0);

    const BodyPlan plan = server_->api->PlanBody(req_.method, req_.path);
    if (plan.streamed) return StartStream(plan.max_bytes);
    StartBuffered();
  }

  // The request line and the headers tousu reads, into req_.
  Status ReadRequestHead(const bhttp::request_header<>& msg) {
    req_ = Request();
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    req_.request_id = request_id_;
    for (const char* name : kKeptHeaders) {
      auto it = msg.find(name);
      if (it != msg.end()) req_.headers[name] = std::string(it->value());
    }
    if (auto given = req_.Header("x-request-id"); IsCleanRequestId(given)) {
      req_.request_id = request_id_ = given;
    }
    req_.remote = remote_;
    auto url = boost::urls::parse_origin_form(req_.target);
    if (!url) return Status::InvalidArgument("the request target is not a valid path");
    req_.path = std::string(url->encoded_path());
    for (auto param : url->params()) req_.query[std::string(param.key)] = std::string(param.value);
    return Status::Ok();
  }

  // Sends "100 Continue" when the client waits for it, then runs `next`.
  void ContinueThen(void (Session::*next)()) {
    if (!expect_continue_) return (this->*next)();
    auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
    stream_.expires_after(server_->limits.write_timeout);
    bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont, next](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      ((*self).*next)();
    });
  }

  // ---- buffered body --------------------------------------------------------------------------

  void StartBuffered() {
    parser_.emplace(std::move(*header_parser_));
    parser_->body_limit(server_->limits.max_body_bytes);
    if (auto cl = parser_->content_length(); cl && *cl > server_->limits.max_body_bytes) {
      return WriteError(Status::TooLarge("request body of " + std::to_string(*cl) +
                                         " bytes is over the limit of " +
                                         std::to_string(server_->limits.max_body_bytes) + " bytes"),
                        0);
    }
    if (parser_->is_done()) return Dispatch();
    const auto cl = parser_->content_length();
    // A body already here in full (a small one sent with its header, as filings are) holds
    // nothing for long: only a body still to come counts against the budget, so the hot path
    // pays no shared counter.
    if (cl && buffer_.size() >= *cl) return ContinueThen(&Session::DoReadBody);
    const size_t need = cl ? static_cast<size_t>(*cl) : server_->limits.max_body_bytes;
    if (!server_->ReserveBody(need)) {
      if (server_->metrics != nullptr) server_->metrics->CountBodyBudgetRefusal();
      keep_alive_ = false;  // the body is not read
      Response r = Problem(Status::Unavailable("the request bodies being received fill the body budget"), request_id_);
      r.headers.emplace_back("Retry-After", "1");
      server_->api->CountServerAnswer(req_, r.status);
      return DoWrite(std::move(r));
    }
    body_reserved_ = need;
    if (server_->metrics != nullptr) server_->metrics->AddBodyBytesReserved(static_cast<int64_t>(need));
    ContinueThen(&Session::DoReadBody);
  }

  void ReleaseBody() {
    if (body_reserved_ == 0) return;
    server_->buffered_body_bytes.fetch_sub(body_reserved_);
    if (server_->metrics != nullptr) server_->metrics->AddBodyBytesReserved(-static_cast<int64_t>(body_reserved_));
    body_reserved_ = 0;
  }

  void DoReadBody() {
    ArmBodyDeadline(server_->limits.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
  }

  void OnReadBody(beast::error_code ec, std::size_t) {
    ReleaseBody();
    ec = DisarmBodyDeadline(ec);
    if (ec) return FailBody(ec, server_->limits.max_body_bytes);
    Dispatch();
  }

  // The deadline of a whole body. Not the stream's own expiry, which closes the socket when it
  // fires and so leaves no way to answer 408: a timer that cancels the read instead. It holds
  // the session weakly, so a connection that dies meanwhile is not kept alive by it.
  void ArmBodyDeadline(std::chrono::seconds timeout) {
    stream_.expires_never();
    body_timed_out_ = false;
    const uint64_t armed = ++body_deadline_generation_;
    body_deadline_.expires_after(timeout);
    body_deadline_.async_wait([weak = weak_from_this(), armed](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->body_deadline_generation_ != armed) return;  // disarmed meanwhile
      self->body_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }

  // Ends the body's deadline when its read completes; a read the deadline cut short is a timeout.
  beast::error_code DisarmBodyDeadline(beast::error_code ec) {
    ++body_deadline_generation_;
    body_deadline_.cancel();
    if (ec && body_timed_out_) return beast::error::timeout;
    return ec;
  }

  void Dispatch() {
    req_.body = std::move(parser_->get().body());
    // post, not dispatch, even when the answer is ready on this strand: measured, writing it
    // inline cut reads by a fifth (19.8k/s to 15.8k/s on the profiling store).
    server_->api->Serve(std::move(req_), [self = shared_from_this()](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->DoWrite(std::move(r)); });
    });
  }

  // ---- streamed body --------------------------------------------------------------------------

  void StartStream(size_t max_bytes) {
    if (auto cl = header_parser_->content_length(); cl && *cl > max_bytes) {
      return WriteError(Status::TooLarge("upload of " + std::to_string(*cl) +
                                         " bytes is over the limit of " + std::to_string(max_bytes) +
                                         " bytes"),
                        0);
    }
    // Authorization and parameter checks come before any of the body is read.
    auto sink = server_->api->OpenStream(req_);
    if (!sink.ok()) {
      keep_alive_ = false;  // the body is not read: the connection's framing is lost
      return server_->api->RefuseStream(req_, sink.status(), [self = shared_from_this()](Response r) {
        net::post(self->stream_.get_executor(),
                  [self, r = std::move(r)]() mutable { self->DoWrite(std::move(r)); });
      });
    }
    sink_ = std::move(*sink);
    // The sink knows this request's own limit (an upload's framing may add to the file's).
    stream_limit_ = std::min(max_bytes, sink_->MaxBodyBytes());
    if (auto cl = header_parser_->content_length(); cl && *cl > stream_limit_) {
      sink_.reset();
      return WriteError(Status::TooLarge("upload of " + std::to_string(*cl) + " bytes is over the limit of " +
                                         std::to_string(stream_limit_) + " bytes"),
                        0);
    }
    stream_parser_.emplace(std::move(*header_parser_));
    stream_parser_->body_limit(stream_limit_);
    chunk_.resize(kChunk);
    if (stream_parser_->is_done()) return FinishStream();
    if (!expect_continue_) return BeginChunks();
    // "100 Continue" tells the client that its credentials and the complaint passed: told from
    // reads, it leaves only once what they saw is durable, as every answer from reads does.
    server_->api->AfterReadsDurable([self = shared_from_this()](Status durable) {
      net::post(self->stream_.get_executor(), [self, durable = std::move(durable)] {
        if (durable.ok()) return self->ContinueThen(&Session::BeginChunks);
        self->sink_.reset();
        self->WriteError(durable, 0);
      });
    });
  }

  // The whole streamed body must arrive within the upload timeout.
  void BeginChunks() {
    ArmBodyDeadline(server_->limits.upload_timeout);
    DoReadChunk();
  }

  void DoReadChunk() {
    auto& body = stream_parser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    bhttp::async_read(stream_, buffer_, *stream_parser_,
                      beast::bind_front_handler(&Session::OnReadChunk, shared_from_this()));
  }

  void OnReadChunk(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    // The deadline may fire just as a read completes: it still ends an upload that is not whole.
    if (!ec && body_timed_out_ && !stream_parser_->is_done()) ec = beast::error::timeout;
    if (ec) {
      ec = DisarmBodyDeadline(ec);
      sink_.reset();  // drops the partial upload
      return FailBody(ec, stream_limit_);
    }
    const size_t got = chunk_.size() - stream_parser_->get().body().size;
    if (got > 0) {
      Status s = sink_->Append(std::string_view(chunk_.data(), got));
      if (!s.ok()) {
        DisarmBodyDeadline({});
        sink_.reset();
        return WriteError(s, 0);
      }
    }
    if (stream_parser_->is_done()) {
      DisarmBodyDeadline({});
      return FinishStream();
    }
    DoReadChunk();
  }

  void FinishStream() {
    server_->api->FinishStream(std::move(req_), std::move(sink_), [self = shared_from_this()](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->DoWrite(std::move(r)); });
    });
  }

  // A body read failed: 413 past the limit, 400 cut short, 408 too slow; else just close.
  void FailBody(beast::error_code ec, size_t limit) {
    if (ec == bhttp::error::body_limit) {
      return WriteError(Status::TooLarge("request body is over the limit of " + std::to_string(limit) +
                                         " bytes"),
                        0);
    }
    if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream) {
      return WriteError(Status::InvalidArgument("the request body ended before its Content-Length"), 0);
    }
    if (ec == beast::error::timeout) {
      return WriteError(Status::InvalidArgument("the request body did not arrive in time"), 408);
    }
    if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension) {
      return WriteError(Status::InvalidArgument("malformed chunked body: " + ec.message()), 0);
    }
    Close();
  }

  // ---- answers --------------------------------------------------------------------------------

  void WriteError(const Status& s, int override_status) {
    keep_alive_ = false;  // the connection's framing may be unknown; start over
    Response r = Problem(s, request_id_);
    if (override_status != 0) r.status = override_status;
    server_->api->CountServerAnswer(req_, r.status);
    DoWrite(std::move(r));
  }

  template <class Message>
  void SetCommonHeaders(Message& res, const Response& r, bool keep) {
    res.version(version_ == 10 ? 10 : 11);
    res.result(static_cast<unsigned>(r.status));
    if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
    res.set(bhttp::field::cache_control, "no-store");
    if (!request_id_.empty()) res.set("X-Request-Id", request_id_);
    for (auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep);
  }

  template <class Message>
  void Send(std::shared_ptr<Message> res, bool keep) {
    stream_.expires_after(server_->limits.write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      if (!keep) return self->LingeringClose();
      self->DoReadHeader();
    });
  }

  void DoWrite(Response r) {
    r.RenderBody();
    const bool keep = keep_alive_ && !closing_ && !server_->stopping.load();
    if (!r.file_path.empty()) return DoWriteFile(std::move(r), keep);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    SetCommonHeaders(*res, r, keep);
    const size_t length = r.body.size();
    if (!head_) res->body() = std::move(r.body);
    if (r.status == 204) {
      res->chunked(false);
    } else {
      res->content_length(length);
    }
    Send(std::move(res), keep);
  }

  // Streams a file from disk; a file that cannot be opened is an internal error (the store
  // lost a blob it recorded).
  void DoWriteFile(Response r, bool keep) {
    bhttp::file_body::value_type file;
    beast::error_code ec;
    file.open(r.file_path.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      log::Error("file_response_failed", {{"request_id", request_id_}, {"detail", ec.message()}});
      return DoWrite(Problem(Status::Internal("cannot open a stored file"), request_id_));
    }
    const uint64_t size = file.size();
    if (head_) {
      auto res = std::make_shared<bhttp::response<bhttp::empty_body>>();
      SetCommonHeaders(*res, r, keep);
      res->content_length(size);
      return Send(std::move(res), keep);
    }
    auto res = std::make_shared<bhttp::response<bhttp::file_body>>();
    SetCommonHeaders(*res, r, keep);
    res->body() = std::move(file);
    res->content_length(size);
    Send(std::move(res), keep);
  }

  // ---- closing --------------------------------------------------------------------------------

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
      // An upload refused midway may still be arriving: drain up to its own limit.
      if (ec || self->drained_ > std::max(kMaxDrainBytes, self->stream_limit_)) return self->Close();
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
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;         // buffered bodies
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;  // streamed bodies
  std::unique_ptr<BodySink> sink_;
  std::vector<char> chunk_;
  size_t stream_limit_ = 0;
  Request req_;
  std::string request_id_;
  const std::string remote_;  // the peer's address, asked of the socket once, at accept
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool expect_continue_ = false;
  bool idle_ = false;
  bool closing_ = false;
  net::steady_timer body_deadline_;
  uint64_t body_deadline_generation_ = 0;  // a deadline's handler acts only if still current
  size_t body_reserved_ = 0;  // of the server's body budget, for the body being read
  bool body_timed_out_ = false;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
  static constexpr size_t kMaxDrainBytes = 4 * 1024 * 1024;
};

HttpServer::HttpServer(net::io_context& ioc, Api& api, ServerLimits limits)
    : ioc_(ioc), shared_(std::make_shared<Shared>()), acceptor_(net::make_strand(ioc)) {
  shared_->api = &api;
  shared_->metrics = api.metrics();
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
      beast::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      std::string address = peer_ec ? std::string() : peer.address().to_string();
      std::shared_ptr<Session> s;
      const char* over = nullptr;
      {
        std::lock_guard lock(shared_->mu);
        over = OverLimitLocked(address);
        if (over == nullptr) {
          socket.set_option(tcp::no_delay(true), ec);
          s = std::make_shared<Session>(std::move(socket), shared_, address);
          shared_->sessions[s.get()] = s;
          ++shared_->per_address[address];
          shared_->CountSessionsLocked();
        }
      }
      if (s) {
        s->Run();
      } else {
        RefuseConnection(std::move(socket), over, address);
      }
    }
    DoAccept();
  });
}

const char* HttpServer::OverLimitLocked(const std::string& address) const {
  const ServerLimits& l = shared_->limits;
  if (shared_->sessions.size() >= static_cast<size_t>(l.max_connections)) return "max_connections";
  if (l.max_connections_per_address > 0) {
    auto it = shared_->per_address.find(address);
    if (it != shared_->per_address.end() && it->second >= l.max_connections_per_address) {
      return "max_connections_per_address";
    }
  }
  return nullptr;
}

// Over a connection limit: closed at once, without reading a byte (an answer would need a
// session, which is what the limits bound). Counted, and logged at most once a minute.
void HttpServer::RefuseConnection(tcp::socket socket, const char* limit, const std::string& address) {
  beast::error_code ignored;
  socket.close(ignored);
  const bool per_address = std::string_view(limit) == "max_connections_per_address";
  if (shared_->metrics != nullptr) shared_->metrics->CountRefusedConnection(per_address);
  const auto now = std::chrono::steady_clock::now();
  uint64_t refused = 0;
  {
    std::lock_guard lock(shared_->mu);
    ++shared_->refused_since_warning;
    if (shared_->last_cap_warning != std::chrono::steady_clock::time_point{} &&
        now - shared_->last_cap_warning < std::chrono::minutes(1)) {
      return;
    }
    shared_->last_cap_warning = now;
    refused = std::exchange(shared_->refused_since_warning, 0);
  }
  boost::json::object fields{{"limit", limit},
                             {"max_connections", shared_->limits.max_connections},
                             {"max_connections_per_address", shared_->limits.max_connections_per_address},
                             {"refused_since_last_warning", refused}};
  // The address that met its own limit: who holds the connections.
  if (per_address) fields["address"] = address;
  log::Warn("connection_cap_reached", fields);
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
