#include "domain/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace tousu {
namespace {

using S = ComplaintStatus;
using A = Action;

const Instant kNow = Instant::FromUnixSeconds(1893456000);  // 2030-01-01T00:00:00Z

// SPEC.md's lifecycle as a table: the actions each state allows for a plain complaint (no
// decision, nothing overdue). Guards that depend on history are tested below.
const std::map<S, std::set<A>> kStateActions = {
    {S::kSubmitted, {A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kAwaitingMerchant, {A::kOffer, A::kReject, A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kOfferMade, {A::kAcceptOffer, A::kRejectOffer, A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kPlatformReview, {A::kDecide, A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kDecided, {A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kRemedyDue, {A::kPay, A::kWithdraw, A::kReassign, A::kRequestEvidence}},
    {S::kResolved, {A::kRate, A::kReassign}},
    {S::kClosed, {}},
    {S::kWithdrawn, {}},
    {S::kEscalatedExternal, {}},
};

// Who may take each action at all (API.md's action table, plus staff's reassign and
// request_evidence).
const std::map<A, std::set<Role>> kActionRoles = {
    {A::kOffer, {Role::kMerchant}},
    {A::kReject, {Role::kMerchant}},
    {A::kAcceptOffer, {Role::kConsumer}},
    {A::kRejectOffer, {Role::kConsumer}},
    {A::kDecide, {Role::kArbitrator, Role::kRisk}},
    {A::kPay, {Role::kMerchant, Role::kPlatform}},
    {A::kAppeal, {Role::kConsumer}},
    {A::kEscalate, {Role::kConsumer}},
    {A::kWithdraw, {Role::kConsumer}},
    {A::kRate, {Role::kConsumer}},
    {A::kReassign, {Role::kAgent, Role::kRisk, Role::kArbitrator}},
    {A::kRequestEvidence, {Role::kAgent, Role::kRisk, Role::kArbitrator}},
};

Complaint InState(S s, Tier tier = Tier::kRisk) {
  Complaint c;
  c.platform_id = "p";
  c.id = "c";
  c.consumer_ref = "alice";
  c.merchant_ref = "m1";
  c.status = s;
  c.tier = tier;
  c.assignee = "agent1";
  if (s == S::kOfferMade) c.offer = Offer{Money::Fen(100), 0, false, false, "m", kNow};
  return c;
}

Principal As(Role r) {
  Principal p;
  p.role = r;
  p.platform_id = "p";
  p.user_ref = r == Role::kAgent ? "agent1" : "u";
  p.merchant_ref = r == Role::kMerchant ? "m1" : "";
  return p;
}

TEST(LifecycleTable, EveryStateTimesEveryActionTimesEveryRole) {
  ASSERT_EQ(kStateActions.size(), AllOf<ComplaintStatus>().size());
  ASSERT_EQ(kActionRoles.size(), AllOf<Action>().size());
  for (S s : AllOf<ComplaintStatus>()) {
    for (Role r : AllOf<Role>()) {
      const Complaint c = InState(s);
      std::set<A> expected;
      for (A a : kStateActions.at(s)) {
        if (kActionRoles.at(a).count(r)) expected.insert(a);
      }
      auto got = AllowedActions(c, As(r), kNow);
      EXPECT_EQ(std::set<A>(got.begin(), got.end()), expected)
          << ToString(s) << " as " << ToString(r);
      for (A a : AllOf<Action>()) {
        EXPECT_EQ(RoleMayTake(r, a), kActionRoles.at(a).count(r) == 1) << ToString(a) << " " << ToString(r);
      }
    }
  }
}

TEST(LifecycleTable, ApplyRefusesWithTheRightCode) {
  const DeadlineDurations d;
  for (S s : AllOf<ComplaintStatus>()) {
    for (A a : AllOf<Action>()) {
      for (Role r : AllOf<Role>()) {
        Complaint c = InState(s);
        ActionRequest req{.action = a};
        auto result = ApplyAction(c, As(r), req, kNow, d, Money::Fen(1000));
        if (!kActionRoles.at(a).count(r)) {
          EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
        } else if (!kStateActions.at(s).count(a)) {
          EXPECT_EQ(result.status().code(), StatusCode::kConflict) << ToString(s) << " " << ToString(a);
          EXPECT_TRUE(result.status().lists().count("allowed_actions"));
        } else {
          // Allowed: either done, or a field error because the request carries no fields.
          EXPECT_TRUE(result.ok() || result.status().code() == StatusCode::kUnprocessable)
              << ToString(s) << " " << ToString(a) << " " << result.status().ToString();
        }
      }
    }
  }
}

TEST(Lifecycle, FilingSetsTheFirstDeadlines) {
  Complaint c = InState(S::kSubmitted);
  Transition t = FileComplaint(c, Actor{"user", "alice", Role::kConsumer}, kNow, DeadlineDurations());
  EXPECT_EQ(c.status, S::kAwaitingMerchant);
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[0].type, "filed");
  EXPECT_EQ(t.events[1].type, "sent_to_merchant");
  EXPECT_TRUE(t.events[1].by_system);
  EXPECT_EQ(c.deadlines.at(DeadlineKind::kMerchantResponse), kNow + hours(48));
  EXPECT_EQ(c.deadlines.at(DeadlineKind::kPlatformReply), kNow + days(7));
  EXPECT_EQ(c.version, 1);
}

TEST(Lifecycle, ReviewDeadlineFollowsTheTier) {
  DeadlineDurations d;
  for (auto [tier, hours_] : {std::pair{Tier::kNormal, 72}, {Tier::kRisk, 48}, {Tier::kUrgent, 24}}) {
    Complaint c = InState(S::kAwaitingMerchant, tier);
    c.deadlines[DeadlineKind::kMerchantResponse] = kNow;
    auto t = OnDeadline(c, DeadlineKind::kMerchantResponse, kNow, d);
    ASSERT_TRUE(t);
    EXPECT_EQ(c.status, S::kPlatformReview);
    EXPECT_EQ(c.deadlines.at(DeadlineKind::kReview), kNow + hours(hours_));
    ASSERT_EQ(t->marks.size(), 1u);
    EXPECT_EQ(t->marks[0].kind, "missed_response");
  }
}

TEST(Lifecycle, StaleDeadlineDoesNothing) {
  Complaint c = InState(S::kOfferMade);
  c.deadlines[DeadlineKind::kMerchantResponse] = kNow;  // left over from before the offer
  EXPECT_FALSE(OnDeadline(c, DeadlineKind::kMerchantResponse, kNow, DeadlineDurations()));
  EXPECT_EQ(c.status, S::kOfferMade);
  Complaint other = InState(S::kAwaitingMerchant);
  other.deadlines[DeadlineKind::kMerchantResponse] = kNow + hours(1);
  EXPECT_FALSE(OnDeadline(other, DeadlineKind::kMerchantResponse, kNow, DeadlineDurations()));
}

TEST(Lifecycle, AppealIsOnceAndWithinTheWindow) {
  DeadlineDurations d;
  Complaint c = InState(S::kPlatformReview);
  auto decided = ApplyAction(c, As(Role::kArbitrator),
                             ActionRequest{.action = A::kDecide, .reason = "r", .responsibility = Party::kConsumer},
                             kNow, d, Money::Fen(100));
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(c.status, S::kResolved);
  EXPECT_TRUE(StateAllows(c, A::kAppeal, kNow + days(7)));
  EXPECT_FALSE(StateAllows(c, A::kAppeal, kNow + days(7) + seconds(1)));
  EXPECT_TRUE(StateAllows(c, A::kEscalate, kNow));
  ASSERT_TRUE(ApplyAction(c, As(Role::kConsumer), ActionRequest{.action = A::kAppeal, .reason = "x"}, kNow, d,
                          Money()).ok());
  EXPECT_EQ(c.status, S::kPlatformReview);
  ASSERT_TRUE(ApplyAction(c, As(Role::kArbitrator),
                          ActionRequest{.action = A::kDecide, .reason = "r", .responsibility = Party::kNone},
                          kNow, d, Money()).ok());
  EXPECT_FALSE(StateAllows(c, A::kAppeal, kNow));
}

TEST(Lifecycle, OverduePlatformOpensEscalation) {
  Complaint c = InState(S::kPlatformReview);
  EXPECT_FALSE(StateAllows(c, A::kEscalate, kNow));
  c.deadlines[DeadlineKind::kReview] = kNow;
  auto t = OnDeadline(c, DeadlineKind::kReview, kNow, DeadlineDurations());
  ASSERT_TRUE(t);
  EXPECT_TRUE(c.review_overdue);
  EXPECT_EQ(t->marks[0].subject, Mark::Subject::kPlatform);
  EXPECT_TRUE(StateAllows(c, A::kEscalate, kNow));
}

TEST(Lifecycle, PaymentsSettleExactly) {
  DeadlineDurations d;
  Complaint c = InState(S::kPlatformReview);
  ASSERT_TRUE(ApplyAction(c, As(Role::kArbitrator),
                          ActionRequest{.action = A::kDecide, .refund = Money::Fen(1000), .extension_days = 3,
                                        .reason = "r", .responsibility = Party::kMerchant, .fraud = true},
                          kNow, d, PunitiveDamages(Money::Fen(1000))).ok());
  EXPECT_EQ(c.owed.punitive, Money::Yuan(500));  // 3 × 10 yuan < 500 yuan
  EXPECT_EQ(c.status, S::kRemedyDue);
  auto pay = [&](int64_t fen, int days_) {
    return ApplyAction(c, As(Role::kMerchant),
                       ActionRequest{.action = A::kPay, .extension_days = days_, .amount = Money::Fen(fen)},
                       kNow, d, Money());
  };
  EXPECT_EQ(pay(51001, 0).status().code(), StatusCode::kUnprocessable);  // more than owed
  EXPECT_EQ(pay(0, 4).status().code(), StatusCode::kUnprocessable);
  ASSERT_TRUE(pay(51000, 0).ok());
  EXPECT_EQ(c.status, S::kRemedyDue);
  ASSERT_TRUE(pay(0, 3).ok());
  EXPECT_EQ(c.status, S::kResolved);
  EXPECT_EQ(c.done.refund, Money::Fen(51000));
}

TEST(Lifecycle, PunitiveDamagesFloorAndTriple) {
  EXPECT_EQ(PunitiveDamages(Money::Fen(1)), Money::Yuan(500));
  EXPECT_EQ(PunitiveDamages(Money::Yuan(166)), Money::Yuan(500));
  EXPECT_EQ(PunitiveDamages(Money::Fen(16667)), Money::Fen(50001));
  EXPECT_EQ(PunitiveDamages(Money::Yuan(1000)), Money::Yuan(3000));
}

TEST(Lifecycle, RiskDecidesOnlyItsQueue) {
  Complaint c = InState(S::kPlatformReview, Tier::kNormal);
  auto r = ApplyAction(c, As(Role::kRisk),
                       ActionRequest{.action = A::kDecide, .reason = "r", .responsibility = Party::kNone}, kNow,
                       DeadlineDurations(), Money());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

// What the complaint view cache relies on (http/complaint_cache.h): for any complaint, viewer
// and `now`, the allowed actions stay the same at every second of [now, ActionsStableUntil), and
// the caller matters only through its Viewer. Checked over every state with and without a
// decision, appeal and overdue flags, deadlines around `now`, and every role.
TEST(ActionsStableUntil, TheAllowedActionsHoldOverTheWholeSpan) {
  const std::vector<Duration> offsets = {-days(2), -seconds(1), seconds(0), seconds(1), hours(3), days(7)};
  int checked = 0;
  for (S s : AllOf<S>()) {
    for (int variant = 0; variant < 8; ++variant) {
      Complaint c = InState(s, variant % 2 ? Tier::kNormal : Tier::kRisk);
      if (variant & 2) c.decision = Decision{Party::kMerchant, Money::Fen(100), 0, false, Money(), "r", "arb1", kNow};
      c.appealed = (variant & 4) != 0;
      c.review_overdue = variant == 3;
      for (size_t i = 0; i < offsets.size(); ++i) {
        c.deadlines.clear();
        c.deadlines[DeadlineKind::kAppeal] = kNow + offsets[i];
        c.deadlines[DeadlineKind::kRemedy] = kNow + offsets[(i + 2) % offsets.size()];
        const Instant until = ActionsStableUntil(c, kNow);
        ASSERT_GT(until, kNow);
        for (Role role : AllOf<Role>()) {
          for (bool is_assignee : {false, true}) {
            const Viewer v{role, is_assignee};
            const auto at_now = AllowedActions(c, v, kNow);
            // Every second up to a day ahead, or to the end of the span.
            const Instant last = std::min(until - seconds(1), kNow + days(1));
            for (Instant t = kNow; t <= last; t = t + seconds(t - kNow < seconds(5) || last - t < seconds(5) ? 1 : 997)) {
              ASSERT_EQ(AllowedActions(c, v, t), at_now) << ToString(s) << " variant " << variant << " t+" << (t - kNow).count();
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(ActionsStableUntil, EndsTheSecondAfterTheNextDeadline) {
  Complaint c = InState(S::kRemedyDue);
  EXPECT_EQ(ActionsStableUntil(c, kNow), Instant::Max());
  c.deadlines[DeadlineKind::kAppeal] = kNow + days(7);
  c.deadlines[DeadlineKind::kRemedy] = kNow + days(3);
  c.deadlines[DeadlineKind::kRating] = kNow - seconds(1);  // passed: no longer a boundary
  EXPECT_EQ(ActionsStableUntil(c, kNow), kNow + days(3) + seconds(1));
  EXPECT_EQ(ActionsStableUntil(c, kNow + days(3)), kNow + days(3) + seconds(1));
  EXPECT_EQ(ActionsStableUntil(c, kNow + days(3) + seconds(1)), kNow + days(7) + seconds(1));
}

// The view of a caller is the view of its Viewer: an agent sees reassign only on their own.
TEST(Viewer, IsTheRoleAndWhetherTheComplaintIsTheirs) {
  const Complaint c = InState(S::kAwaitingMerchant);
  Principal mine;
  mine.role = Role::kAgent;
  mine.user_ref = "agent1";
  Principal other = mine;
  other.user_ref = "agent2";
  EXPECT_EQ(Viewer::Of(c, mine), (Viewer{Role::kAgent, true}));
  EXPECT_EQ(Viewer::Of(c, other), (Viewer{Role::kAgent, false}));
  Principal platform;
  platform.role = Role::kPlatform;
  Complaint unassigned = c;
  unassigned.assignee.clear();
  EXPECT_FALSE(Viewer::Of(unassigned, platform).is_assignee);  // no user: never the assignee
  auto has_reassign = [](const std::vector<Action>& v) { return std::count(v.begin(), v.end(), A::kReassign) > 0; };
  EXPECT_TRUE(has_reassign(AllowedActions(c, mine, kNow)));
  EXPECT_FALSE(has_reassign(AllowedActions(c, other, kNow)));
}

}  // namespace
}  // namespace tousu
