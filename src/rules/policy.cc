#include "rules/policy.h"

#include <cstdio>
#include <cstdlib>

#include "rules/policy_toml.h"

namespace tousu {

std::map<Category, std::vector<EvidenceKind>> DefaultRequiredEvidence() {
  using C = Category;
  using K = EvidenceKind;
  return {
      {C::kNotReceived, {K::kTransaction, K::kIncident, K::kCommunication}},
      {C::kNotAsDescribed, {K::kTransaction, K::kDelivery, K::kIncident, K::kCommunication}},
      {C::kInvalidCode, {K::kTransaction, K::kDelivery, K::kIncident, K::kCommunication}},
      {C::kDeliveryLate, {K::kTransaction, K::kCommunication}},
      {C::kAutoRenewal, {K::kTransaction, K::kEntitlement, K::kCommunication}},
      {C::kDisconnected,
       {K::kIncident, K::kTransaction, K::kEntitlement, K::kCommunication, K::kPlatformFault}},
      {C::kRightsNotOpened, {K::kTransaction, K::kEntitlement, K::kCommunication}},
      {C::kAfterSaleRefused, {K::kTransaction, K::kCommunication}},
      {C::kMerchantUnreachable, {K::kTransaction, K::kCommunication}},
      {C::kAccountStolen, {K::kTransaction, K::kDelivery, K::kIncident, K::kCommunication}},
      {C::kDataLeak, {K::kIncident, K::kCommunication}},
      {C::kAbnormalCharge, {K::kTransaction, K::kIncident}},
  };
}

const std::string& Policy::BasisOf(const std::string& rule_id) const {
  static const std::string kPlatformRule = "平台规则";
  auto it = basis.find(rule_id);
  return it == basis.end() ? kPlatformRule : it->second;
}

const Policy& Policy::Default() {
  static const Policy kDefault = [] {
    StatusOr<Policy> p = ParsePolicy(DefaultPolicyText(), Policy());
    if (!p.ok()) {
      // The file is part of the build and tested; a broken one must not start a server.
      std::fprintf(stderr, "tousu: built-in policy/default.toml is invalid: %s\n",
                   p.status().ToString().c_str());
      std::abort();
    }
    return *p;
  }();
  return kDefault;
}

std::string ChineseDuration(Duration d) {
  const int64_t s = d.count();
  if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + " 天";
  if (s != 0 && s % 3600 == 0 && s < 72 * 3600) return std::to_string(s / 3600) + " 小时";
  if (s != 0 && s % 60 == 0 && s < 3600) return std::to_string(s / 60) + " 分钟";
  if (s < 60) return std::to_string(s) + " 秒";
  // Mixed: "1 天 2 小时 3 分 4 秒", leaving out zero parts.
  std::string out;
  auto add = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (!out.empty()) out += " ";
    out += std::to_string(v) + " " + unit;
  };
  add(s / 86400, "天");
  add(s % 86400 / 3600, "小时");
  add(s % 3600 / 60, "分");
  add(s % 60, "秒");
  return out;
}

}  // namespace tousu
