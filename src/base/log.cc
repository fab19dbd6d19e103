#include "base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <mutex>

namespace tousu::log {

namespace {

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("tousu");
    // The message (%v) is the rest of a JSON object; ts and level come first.
    l->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                   spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return *logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "debug") *out = Level::kDebug;
  else if (text == "info") *out = Level::kInfo;
  else if (text == "warn") *out = Level::kWarn;
  else if (text == "error") *out = Level::kError;
  else if (text == "off") *out = Level::kOff;
  else return false;
  return true;
}

void Init(Level level) { SetLevel(level); }

void SetLevel(Level level) {
  Logger().set_level(ToSpd(level));
  Logger().flush_on(ToSpd(level) == spdlog::level::debug ? spdlog::level::debug
                                                          : spdlog::level::info);
}

bool Enabled(Level level) { return Logger().should_log(ToSpd(level)); }

void Write(Level level, std::string_view event, const boost::json::object& fields) {
  const auto spd_level = ToSpd(level);
  spdlog::logger& logger = Logger();
  if (!logger.should_log(spd_level)) return;
  std::string line = "\"event\":" + boost::json::serialize(boost::json::string_view(event));
  for (const auto& [key, value] : fields) {
    line += ',';
    line += boost::json::serialize(boost::json::string_view(key));
    line += ':';
    line += boost::json::serialize(value);
  }
  logger.log(spd_level, line);
}

}  // namespace tousu::log
