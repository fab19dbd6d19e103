// RFC 3339 times (base/time.h): every time field of every request body goes through it.
#include "base/time.h"
#include "fuzz/fuzz_target.h"

TOUSU_FUZZ_TARGET(rfc3339) {
  using namespace tousu;
  auto t = ParseRfc3339(fuzz::AsText(data, size));
  if (!t) return 0;
  // What parses formats in UTC and parses back to the same instant.
  const std::string text = FormatRfc3339(*t);
  auto again = ParseRfc3339(text);
  FUZZ_CHECK(again.has_value(), "formatted time does not parse: " + text);
  FUZZ_CHECK(*again == *t, "round trip changed the instant: " + text);
  FUZZ_CHECK(text.size() >= 20 && text.back() == 'Z', "not UTC: " + text);
  // The civil-date helpers agree with each other on the parsed day.
  const int64_t s = t->unix_seconds();
  const int64_t day = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  FUZZ_CHECK(DaysFromCivil(y, m, d) == day, "civil date round trip");
  return 0;
}
