#include "tests/integration/evidence_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tousu::testing {

namespace fs = std::filesystem;
namespace net = boost::asio;

std::string Enc(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpResult Upload(const Server& s, const std::string& token, const std::string& complaint,
                  const std::string& body, const std::string& query, const std::string& content_type,
                  const std::map<std::string, std::string>& headers) {
  std::map<std::string, std::string> h = headers;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  if (!content_type.empty()) h["Content-Type"] = content_type;
  return Http(s.port(), "POST", "/v1/complaints/" + complaint + "/evidence" + (query.empty() ? "" : "?" + query),
              body, h);
}

std::string Multipart(const std::string& boundary, const std::map<std::string, std::string>& fields,
                      const std::string& file_name, const std::string& file_type,
                      const std::string& file_bytes) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  if (!file_name.empty()) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
            "\"\r\nContent-Type: " + file_type + "\r\n\r\n" + file_bytes + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

std::string StreamChunked(uint16_t port, const std::string& head, size_t total,
                          const std::string& prefix) {
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  boost::system::error_code ec;
  net::write(sock, net::buffer(head + "Transfer-Encoding: chunked\r\n\r\n"), ec);
  if (!prefix.empty()) {
    char line[32];
    std::snprintf(line, sizeof line, "%zx\r\n", prefix.size());
    net::write(sock, net::buffer(std::string(line) + prefix + "\r\n"), ec);
  }
  const std::string piece(256 * 1024, 'z');
  for (size_t sent = 0; sent < total && !ec;) {
    const size_t n = std::min(piece.size(), total - sent);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    net::write(sock, net::buffer(std::string(size_line) + piece.substr(0, n) + "\r\n"), ec);
    sent += n;
  }
  if (!ec) net::write(sock, net::buffer(std::string("0\r\n\r\n")), ec);
  sock.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = sock.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  }
  return out;
}

std::string VerifierKey(const std::string& data_dir) {
  CommandResult r = RunCommand({TOUSU_BINARY, "key", "show", "--data", data_dir});
  const std::string prefix = "verifier_key: ";
  const size_t at = r.out.find(prefix);
  if (r.exit_code != 0 || at == std::string::npos) throw std::runtime_error("key show failed: " + r.err);
  return r.out.substr(at + prefix.size(), r.out.find('\n', at) - at - prefix.size());
}

std::string Png(size_t n, char fill) { return std::string("\x89PNG\r\n\x1a\n", 8) + std::string(n, fill); }

}  // namespace tousu::testing
