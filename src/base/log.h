// Structured logging: one JSON object per line on stderr, through spdlog.
//
//   log::Info("request", {{"request_id", id}, {"status", 200}});
// prints {"ts":"2026-11-01T08:00:00.123Z","level":"info","event":"request","request_id":...}.
// Fields are JSON values, so text is always escaped. Never pass a token, password, API key or
// request body as a field: the call sites are the only filter.
// Thread-safety: safe from any thread.
#ifndef TOUSU_BASE_LOG_H_
#define TOUSU_BASE_LOG_H_

#include <boost/json/object.hpp>
#include <string_view>

namespace tousu::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Parses "debug" | "info" | "warn" | "error" | "off".
bool ParseLevel(std::string_view text, Level* out);

// Sets the level; before Init() logging goes to stderr at info.
void Init(Level level);
void SetLevel(Level level);
bool Enabled(Level level);

void Write(Level level, std::string_view event, const boost::json::object& fields);
inline void Debug(std::string_view e, const boost::json::object& f = {}) { Write(Level::kDebug, e, f); }
inline void Info(std::string_view e, const boost::json::object& f = {}) { Write(Level::kInfo, e, f); }
inline void Warn(std::string_view e, const boost::json::object& f = {}) { Write(Level::kWarn, e, f); }
inline void Error(std::string_view e, const boost::json::object& f = {}) { Write(Level::kError, e, f); }

}  // namespace tousu::log

#endif  // TOUSU_BASE_LOG_H_
