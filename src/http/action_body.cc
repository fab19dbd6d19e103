#include "http/action_body.h"

#include <boost/json.hpp>

#include "http/json_body.h"

namespace tousu::http {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxExtensionDays = 3650;  // as for an "extend" demand (domain/codec.cc)

// extension_days: 0 to 3650. Read as int64 and checked before narrowing, so that a huge value
// is refused instead of wrapping to a small one (4294967297 used to become 1).
int ExtensionDays(Fields& f) {
  const int64_t days = f.Int("extension_days", false).value_or(0);
  if (days < 0 || days > kMaxExtensionDays) {
    f.Error("extension_days", "must be 0 to " + std::to_string(kMaxExtensionDays));
    return 0;
  }
  return static_cast<int>(days);
}

}  // namespace

StatusOr<ActionRequest> ParseAction(const json::object& body) {
  Fields f(body);
  ActionRequest r;
  auto action = f.Enum<Action>("action", true);
  r.if_version = f.Int("if_version", false);
  if (!action) {
    TOUSU_RETURN_IF_ERROR(f.Finish());
    return Status::BadField("action", "is required");
  }
  r.action = *action;
  switch (r.action) {
    case Action::kOffer:
      r.refund = f.Fen("refund_fen", false).value_or(Money());
      r.extension_days = ExtensionDays(f);
      r.replace = f.Bool("replace", false).value_or(false);
      r.restore = f.Bool("restore", false).value_or(false);
      r.message = f.Str("message", true).value_or("");
      break;
    case Action::kReject:
    case Action::kRejectOffer:
    case Action::kAppeal:
      r.reason = f.Str("reason", true).value_or("");
      break;
    case Action::kAcceptOffer:
      break;
    case Action::kWithdraw:
      r.reason = f.Str("reason", false).value_or("");
      break;
    case Action::kDecide: {
      auto party = f.Enum<Party>("responsibility", true);
      if (party) r.responsibility = *party;
      r.refund = f.Fen("refund_fen", false).value_or(Money());
      r.extension_days = ExtensionDays(f);
      r.fraud = f.Bool("fraud", false).value_or(false);
      r.reason = f.Str("reason", true).value_or("");
      break;
    }
    case Action::kPay:
      r.amount = f.Fen("amount_fen", false).value_or(Money());
      r.extension_days = ExtensionDays(f);
      r.replace = f.Bool("replace", false).value_or(false);
      r.restore = f.Bool("restore", false).value_or(false);
      break;
    case Action::kEscalate: {
      auto ch = f.Enum<EscalationChannel>("channel", true);
      if (ch) r.channel = *ch;
      break;
    }
    case Action::kRate: {
      auto stars = f.Int("stars", true);
      if (stars && (*stars < 1 || *stars > 5)) f.Error("stars", "must be 1 to 5");
      r.stars = static_cast<int>(stars.value_or(0));
      r.comment = f.Str("comment", false).value_or("");
      break;
    }
    case Action::kReassign:
      r.assignee = f.Str("assignee", true, 128).value_or("");
      r.reason = f.Str("reason", true).value_or("");
      break;
    case Action::kRequestEvidence: {
      r.evidence_from = f.Str("from", true, 20).value_or("");
      r.message = f.Str("message", true).value_or("");
      if (const json::value* kinds = f.Raw("kinds")) {
        if (!kinds->is_array()) {
          f.Error("kinds", "must be an array of evidence kinds");
        } else {
          for (const auto& k : kinds->as_array()) {
            if (!k.is_string()) {
              f.Error("kinds", "must be an array of strings");
              break;
            }
            r.evidence_kinds.emplace_back(k.as_string());
          }
        }
      }
      break;
    }
  }
  TOUSU_RETURN_IF_ERROR(f.Finish());
  return r;
}

}  // namespace tousu::http
