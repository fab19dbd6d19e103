#include "app/config.h"

#include <charconv>
#include <set>
#include <toml++/toml.h>

namespace tousu {

namespace {

Status Bad(const std::string& key, const std::string& message) {
  return Status::InvalidArgument("config " + key + ": " + message);
}

Status ReadInt(const toml::table& t, const std::string& key, int64_t min, int64_t max, int64_t* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  // Type first: value<int64_t>() converts a float such as 2097E52 to int64, which is undefined
  // behaviour out of range.
  if (!n->is_integer()) return Bad(key, "must be an integer");
  auto v = n->value<int64_t>();
  if (!v) return Bad(key, "must be an integer");
  if (*v < min || *v > max) {
    return Bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  *out = *v;
  return Status::Ok();
}

Status ReadString(const toml::table& t, const std::string& key, std::string* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::Ok();
  if (!n->is_string()) return Bad(key, "must be a string");
  *out = *n->value<std::string>();
  return Status::Ok();
}

Status OnlyKeys(const toml::table& t, const std::string& where, const std::set<std::string>& known) {
  for (const auto& [k, v] : t) {
    if (!known.count(std::string(k.str()))) {
      return Bad(where + std::string(k.str()), "unknown option (see the README's configuration table)");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Config> LoadConfigFile(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("config file " + path + ": " + std::string(e.description()) +
                                   " at line " + std::to_string(e.source().begin.line));
  }
  Config c;
  TOUSU_RETURN_IF_ERROR(OnlyKeys(root, "", {"data", "listen", "threads", "log_level",
                                            "session_ttl_hours", "sweep_interval_seconds", "limits",
                                            "rate_limit", "evidence", "cache", "metrics"}));
  TOUSU_RETURN_IF_ERROR(ReadString(root, "data", &c.data_dir));
  TOUSU_RETURN_IF_ERROR(ReadString(root, "listen", &c.listen));
  int64_t v = c.threads;
  TOUSU_RETURN_IF_ERROR(ReadInt(root, "threads", 0, 256, &v));
  c.threads = static_cast<int>(v);
  std::string level = "info";
  TOUSU_RETURN_IF_ERROR(ReadString(root, "log_level", &level));
  if (!log::ParseLevel(level, &c.log_level)) return Bad("log_level", "must be debug, info, warn, error or off");
  v = c.session_ttl.count() / 3600;
  TOUSU_RETURN_IF_ERROR(ReadInt(root, "session_ttl_hours", 1, 24 * 90, &v));
  c.session_ttl = hours(v);
  v = c.sweep_interval.count();
  TOUSU_RETURN_IF_ERROR(ReadInt(root, "sweep_interval_seconds", 1, 3600, &v));
  c.sweep_interval = seconds(v);
  if (const toml::node* n = root.get("limits")) {
    const toml::table* lim = n->as_table();
    if (lim == nullptr) return Bad("limits", "must be a table");
    TOUSU_RETURN_IF_ERROR(OnlyKeys(*lim, "limits.", {"max_body_bytes", "max_header_bytes",
                                                     "header_timeout_seconds", "body_timeout_seconds",
                                                     "upload_timeout_seconds", "max_connections",
                                                     "max_connections_per_address", "max_buffered_body_bytes"}));
    v = static_cast<int64_t>(c.limits.max_body_bytes);
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "max_body_bytes", 1024, int64_t{1} << 30, &v));
    c.limits.max_body_bytes = static_cast<size_t>(v);
    v = static_cast<int64_t>(c.limits.max_header_bytes);
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "max_header_bytes", 1024, 1 << 20, &v));
    c.limits.max_header_bytes = static_cast<size_t>(v);
    v = c.limits.header_timeout.count();
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "header_timeout_seconds", 1, 3600, &v));
    c.limits.header_timeout = std::chrono::seconds(v);
    v = c.limits.body_timeout.count();
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "body_timeout_seconds", 1, 3600, &v));
    c.limits.body_timeout = std::chrono::seconds(v);
    v = c.limits.upload_timeout.count();
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "upload_timeout_seconds", 1, 24 * 3600, &v));
    c.limits.upload_timeout = std::chrono::seconds(v);
    v = c.limits.max_connections;
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "max_connections", 1, 1000000, &v));
    c.limits.max_connections = static_cast<int>(v);
    v = c.limits.max_connections_per_address;
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "max_connections_per_address", 0, 1000000, &v));
    c.limits.max_connections_per_address = static_cast<int>(v);
    v = static_cast<int64_t>(c.limits.max_buffered_body_bytes);
    TOUSU_RETURN_IF_ERROR(ReadInt(*lim, "max_buffered_body_bytes", 1024, int64_t{1} << 40, &v));
    c.limits.max_buffered_body_bytes = static_cast<size_t>(v);
  }
  if (c.limits.max_buffered_body_bytes < c.limits.max_body_bytes) {
    return Bad("limits.max_buffered_body_bytes", "must be at least limits.max_body_bytes (" +
                                                     std::to_string(c.limits.max_body_bytes) + ")");
  }
  if (const toml::node* n = root.get("rate_limit")) {
    const toml::table* rl = n->as_table();
    if (rl == nullptr) return Bad("rate_limit", "must be a table");
    TOUSU_RETURN_IF_ERROR(OnlyKeys(*rl, "rate_limit.", {"address_per_second", "address_burst", "token_per_second",
                                                        "token_burst", "login_free_failures"}));
    auto real = [&](const char* key, double* out) -> Status {
      int64_t v = static_cast<int64_t>(*out);
      TOUSU_RETURN_IF_ERROR(ReadInt(*rl, key, 0, 1000000, &v));
      *out = static_cast<double>(v);
      return Status::Ok();
    };
    TOUSU_RETURN_IF_ERROR(real("address_per_second", &c.address_per_second));
    TOUSU_RETURN_IF_ERROR(real("address_burst", &c.address_burst));
    TOUSU_RETURN_IF_ERROR(real("token_per_second", &c.token_per_second));
    TOUSU_RETURN_IF_ERROR(real("token_burst", &c.token_burst));
    v = c.login_free_failures;
    TOUSU_RETURN_IF_ERROR(ReadInt(*rl, "login_free_failures", 1, 1000, &v));
    c.login_free_failures = static_cast<int>(v);
  }
  if (const toml::node* n = root.get("evidence")) {
    const toml::table* ev = n->as_table();
    if (ev == nullptr) return Bad("evidence", "must be a table");
    TOUSU_RETURN_IF_ERROR(OnlyKeys(*ev, "evidence.", {"max_upload_bytes", "checkpoint_interval_seconds"}));
    v = c.max_upload_bytes;
    TOUSU_RETURN_IF_ERROR(ReadInt(*ev, "max_upload_bytes", 1, int64_t{4} << 30, &v));
    c.max_upload_bytes = v;
    v = c.checkpoint_interval.count();
    TOUSU_RETURN_IF_ERROR(ReadInt(*ev, "checkpoint_interval_seconds", 1, 24 * 3600, &v));
    c.checkpoint_interval = seconds(v);
  }
  if (const toml::node* n = root.get("cache")) {
    const toml::table* cache = n->as_table();
    if (cache == nullptr) return Bad("cache", "must be a table");
    TOUSU_RETURN_IF_ERROR(OnlyKeys(*cache, "cache.", {"complaint_bytes"}));
    v = c.complaint_cache_bytes;
    TOUSU_RETURN_IF_ERROR(ReadInt(*cache, "complaint_bytes", 0, int64_t{64} << 30, &v));
    c.complaint_cache_bytes = v;
  }
  if (const toml::node* n = root.get("metrics")) {
    const toml::table* metrics = n->as_table();
    if (metrics == nullptr) return Bad("metrics", "must be a table");
    TOUSU_RETURN_IF_ERROR(OnlyKeys(*metrics, "metrics.", {"counts_interval_seconds"}));
    v = c.metrics_counts_interval.count();
    TOUSU_RETURN_IF_ERROR(ReadInt(*metrics, "counts_interval_seconds", 0, 3600, &v));
    c.metrics_counts_interval = seconds(v);
  }
  return c;
}

Status ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = listen.substr(colon + 1);
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || ptr != p.data() + p.size() || v > 65535) {
    return Status::InvalidArgument("--listen port must be 0 to 65535");
  }
  *host = h;
  *port = static_cast<uint16_t>(v);
  return Status::Ok();
}

}  // namespace tousu
