// Property tests of the remedies: over many generated facts (fixed seed, so failures repeat),
// refunds never exceed the price, pro-rata refunds grow with lost time, every fen is accounted
// for (refund + kept = price, and the rounding is within half a fen of the exact share), and
// the engine is deterministic.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "rules/engine.h"

namespace tousu {
namespace {

constexpr int kRounds = 3000;
const Instant kStart = Instant::FromUnixSeconds(1893456000);  // 2030-01-01T00:00:00Z

AssessmentFacts Interruption(int64_t price, int64_t period, int64_t offset, int64_t lost, DemandKind choice) {
  AssessmentFacts f;
  f.order.order_no = "O-1";
  f.order.merchant_ref = "m1";
  f.order.product_kind = ProductKind::kMembership;
  f.order.amount = Money::Fen(price);
  f.order.paid_at = kStart;
  f.order.service_starts_at = kStart;
  f.order.service_ends_at = kStart + Duration(period);
  f.merchant_ref = "m1";
  f.filing.category = Category::kDisconnected;
  f.filing.incident_at = kStart + Duration(offset);
  f.filing.incident_ends_at = kStart + Duration(offset + lost);
  f.filing.filed_at = kStart + Duration(offset + lost);
  Demand d;
  d.kind = choice;
  if (choice == DemandKind::kRefund) d.amount = Money::Fen(1);
  if (choice == DemandKind::kExtend) d.days = 1;
  f.filing.demands = {d};
  Incident outage;
  outage.id = "inc_1";
  outage.kind = IncidentKind::kOutage;
  outage.starts_at = f.filing.incident_at;
  outage.ends_at = *f.filing.incident_ends_at;
  f.incidents = {outage};
  return f;
}

RemedyAssessment RemedyOf(const AssessmentFacts& f) {
  const Policy& p = Policy::Default();
  return AssessRemedy(p, f, AssessResponsibility(p, f), f.filing.filed_at);
}

TEST(RemedyProperties, ProRataRefundIsBoundedExactAndSumsToThePrice) {
  std::mt19937_64 rng(20300101);
  for (int i = 0; i < kRounds; ++i) {
    const int64_t price = std::uniform_int_distribution<int64_t>(1, 100000000000)(rng);
    const int64_t period = std::uniform_int_distribution<int64_t>(1, 400 * 86400)(rng);
    const int64_t offset = std::uniform_int_distribution<int64_t>(0, period - 1)(rng);
    const int64_t lost = std::uniform_int_distribution<int64_t>(0, period - offset - 1)(rng);
    const RemedyAssessment r = RemedyOf(Interruption(price, period, offset, lost, DemandKind::kRefund));
    SCOPED_TRACE("price " + std::to_string(price) + " period " + std::to_string(period) + " lost " +
                 std::to_string(lost));
    ASSERT_GE(r.refund.fen(), 0);
    ASSERT_LE(r.refund.fen(), price);
    ASSERT_EQ(r.refund.fen() + r.kept.fen(), price);
    // Half up: |refund − price × lost / period| ≤ 1/2 fen, i.e. |2·refund·period − 2·price·lost| ≤ period.
    const __int128 diff = static_cast<__int128>(2) * r.refund.fen() * period - static_cast<__int128>(2) * price * lost;
    ASSERT_LE(diff < 0 ? -diff : diff, period);
    if (diff < 0) {
      ASSERT_LT(-diff, period);  // exactly half rounds up, never down
    }
  }
}

TEST(RemedyProperties, ProRataRefundIsMonotoneInLostTime) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < kRounds; ++i) {
    const int64_t price = std::uniform_int_distribution<int64_t>(1, 10000000)(rng);
    const int64_t period = std::uniform_int_distribution<int64_t>(2, 62 * 86400)(rng);
    int64_t a = std::uniform_int_distribution<int64_t>(0, period - 1)(rng);
    int64_t b = std::uniform_int_distribution<int64_t>(0, period - 1)(rng);
    if (a > b) std::swap(a, b);
    const RemedyAssessment ra = RemedyOf(Interruption(price, period, 0, a, DemandKind::kRefund));
    const RemedyAssessment rb = RemedyOf(Interruption(price, period, 0, b, DemandKind::kRefund));
    ASSERT_LE(ra.refund, rb.refund) << price << " " << period << " " << a << " " << b;
    const RemedyAssessment ea = RemedyOf(Interruption(price, period, 0, a, DemandKind::kExtend));
    const RemedyAssessment eb = RemedyOf(Interruption(price, period, 0, b, DemandKind::kExtend));
    ASSERT_LE(ea.extension_days, eb.extension_days);
    ASSERT_EQ(ea.extension_days, (a + 86399) / 86400);  // whole days, rounded up
  }
}

TEST(RemedyProperties, RefundsNeverExceedThePriceInAnyCategory) {
  std::mt19937_64 rng(42);
  const std::vector<Category> cats = AllOf<Category>();
  for (int i = 0; i < kRounds; ++i) {
    const int64_t price = std::uniform_int_distribution<int64_t>(1, 1000000000)(rng);
    const int64_t period = std::uniform_int_distribution<int64_t>(1, 40 * 86400)(rng);
    const int64_t offset = std::uniform_int_distribution<int64_t>(-86400, period + 86400)(rng);
    const int64_t lost = std::uniform_int_distribution<int64_t>(0, 2 * period)(rng);
    AssessmentFacts f = Interruption(price, period, offset, lost, DemandKind::kRefund);
    f.filing.category = cats[std::uniform_int_distribution<size_t>(0, cats.size() - 1)(rng)];
    if (rng() % 2) f.filing.incident_ends_at.reset();
    if (rng() % 3 == 0) f.order.delivered_at = f.order.paid_at + Duration(std::uniform_int_distribution<int64_t>(0, 300000)(rng));
    const Instant now = f.filing.incident_at + Duration(std::uniform_int_distribution<int64_t>(0, 3 * period)(rng));
    const Assessment a = Assess(Policy::Default(), f, now);
    ASSERT_GE(a.remedy.refund.fen(), 0) << ToString(f.filing.category);
    ASSERT_LE(a.remedy.refund.fen(), price) << ToString(f.filing.category);
    ASSERT_EQ(a.remedy.refund.fen() + a.remedy.kept.fen(), price);
    ASSERT_EQ(a.remedy.punitive.fen(), 0);  // no fraud decided
  }
}

TEST(RemedyProperties, ConsecutiveDaysOfAPeriodSumToThePriceWithinRounding) {
  // Splitting a period into its days: the daily refunds add up to the price within half a fen
  // per day, and never to more than the price plus that rounding.
  for (int64_t days_in_period : {28, 29, 30, 31, 365, 366}) {
    for (int64_t price : {1, 99, 2800, 2900, 3100, 36600, 999999}) {
      int64_t sum = 0;
      for (int64_t d = 0; d < days_in_period; ++d) {
        sum += RemedyOf(Interruption(price, days_in_period * 86400, d * 86400, 86400, DemandKind::kRefund)).refund.fen();
      }
      EXPECT_LE(std::abs(sum - price), (days_in_period + 1) / 2) << days_in_period << " days, price " << price;
    }
  }
}

TEST(RemedyProperties, TheEngineIsDeterministic) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 200; ++i) {
    const int64_t period = std::uniform_int_distribution<int64_t>(1, 40 * 86400)(rng);
    AssessmentFacts f = Interruption(std::uniform_int_distribution<int64_t>(1, 1000000)(rng), period, 0,
                                     std::uniform_int_distribution<int64_t>(0, period)(rng), DemandKind::kRefund);
    f.merchant_terms = "本店保留最终解释权。售出概不退换。";
    f.similar.same_platform = {f.filing.incident_at, f.filing.incident_at - hours(1)};
    const Instant now = f.filing.filed_at;
    const std::string first = boost::json::serialize(AssessmentJson(Assess(Policy::Default(), f, now)));
    const std::string second = boost::json::serialize(AssessmentJson(Assess(Policy::Default(), f, now)));
    ASSERT_EQ(first, second);
    ASSERT_EQ(AssessmentText(Assess(Policy::Default(), f, now)), first);
  }
}

}  // namespace
}  // namespace tousu
