// The vocabulary of tousu (SPEC.md "Actors", "Objects", "Categories", "Lifecycle") as enums with
// their wire names. Pure data, no I/O.
#ifndef TOUSU_DOMAIN_TYPES_H_
#define TOUSU_DOMAIN_TYPES_H_

#include "domain/enum_names.h"

namespace tousu {

// Who is calling. kPublic is the caller without a token.
enum class Role { kAdmin, kPlatform, kConsumer, kMerchant, kAgent, kRisk, kArbitrator, kPublic };
TOUSU_ENUM_NAMES(Role, {{Role::kAdmin, "admin"},
                        {Role::kPlatform, "platform"},
                        {Role::kConsumer, "consumer"},
                        {Role::kMerchant, "merchant"},
                        {Role::kAgent, "agent"},
                        {Role::kRisk, "risk"},
                        {Role::kArbitrator, "arbitrator"},
                        {Role::kPublic, "public"}});

// Platform staff: see every complaint of their platform.
constexpr bool IsStaff(Role r) {
  return r == Role::kAgent || r == Role::kRisk || r == Role::kArbitrator;
}
// Roles a platform may give its users with PUT /v1/users.
constexpr bool IsUserRole(Role r) { return r == Role::kConsumer || r == Role::kMerchant || IsStaff(r); }

enum class CategoryGroup { kTrade, kService, kSecurity };
TOUSU_ENUM_NAMES(CategoryGroup, {{CategoryGroup::kTrade, "trade"},
                                 {CategoryGroup::kService, "service"},
                                 {CategoryGroup::kSecurity, "security"}});

enum class Category {
  kNotReceived, kNotAsDescribed, kInvalidCode, kDeliveryLate, kAutoRenewal,       // 交易类
  kDisconnected, kRightsNotOpened, kAfterSaleRefused, kMerchantUnreachable,      // 服务类
  kAccountStolen, kDataLeak, kAbnormalCharge,                                    // 安全类
};
TOUSU_ENUM_NAMES(Category, {{Category::kNotReceived, "not_received"},
                            {Category::kNotAsDescribed, "not_as_described"},
                            {Category::kInvalidCode, "invalid_code"},
                            {Category::kDeliveryLate, "delivery_late"},
                            {Category::kAutoRenewal, "auto_renewal"},
                            {Category::kDisconnected, "disconnected"},
                            {Category::kRightsNotOpened, "rights_not_opened"},
                            {Category::kAfterSaleRefused, "after_sale_refused"},
                            {Category::kMerchantUnreachable, "merchant_unreachable"},
                            {Category::kAccountStolen, "account_stolen"},
                            {Category::kDataLeak, "data_leak"},
                            {Category::kAbnormalCharge, "abnormal_charge"}});

CategoryGroup GroupOf(Category c);
// Chinese label for UI and documents, e.g. "充值未到账".
std::string_view ChineseLabel(Category c);

enum class ProductKind { kRecharge, kCardCode, kGameAccount, kMembership, kLicence, kOther };
TOUSU_ENUM_NAMES(ProductKind, {{ProductKind::kRecharge, "recharge"},
                               {ProductKind::kCardCode, "card_code"},
                               {ProductKind::kGameAccount, "game_account"},
                               {ProductKind::kMembership, "membership"},
                               {ProductKind::kLicence, "licence"},
                               {ProductKind::kOther, "other"}});

enum class IncidentKind { kOutage, kMaintenance, kThirdParty };
TOUSU_ENUM_NAMES(IncidentKind, {{IncidentKind::kOutage, "outage"},
                                {IncidentKind::kMaintenance, "maintenance"},
                                {IncidentKind::kThirdParty, "third_party"}});

enum class ComplaintStatus {
  kSubmitted, kAwaitingMerchant, kOfferMade, kPlatformReview, kDecided, kRemedyDue,
  kResolved, kClosed, kWithdrawn, kEscalatedExternal,
};
TOUSU_ENUM_NAMES(ComplaintStatus, {{ComplaintStatus::kSubmitted, "submitted"},
                                   {ComplaintStatus::kAwaitingMerchant, "awaiting_merchant"},
                                   {ComplaintStatus::kOfferMade, "offer_made"},
                                   {ComplaintStatus::kPlatformReview, "platform_review"},
                                   {ComplaintStatus::kDecided, "decided"},
                                   {ComplaintStatus::kRemedyDue, "remedy_due"},
                                   {ComplaintStatus::kResolved, "resolved"},
                                   {ComplaintStatus::kClosed, "closed"},
                                   {ComplaintStatus::kWithdrawn, "withdrawn"},
                                   {ComplaintStatus::kEscalatedExternal, "escalated_external"}});

// Open: someone still owes an answer or a remedy (counts in an agent's load).
constexpr bool IsOpen(ComplaintStatus s) {
  return s == ComplaintStatus::kSubmitted || s == ComplaintStatus::kAwaitingMerchant ||
         s == ComplaintStatus::kOfferMade || s == ComplaintStatus::kPlatformReview ||
         s == ComplaintStatus::kDecided || s == ComplaintStatus::kRemedyDue;
}
// Final: nothing can happen to the complaint any more but reading it.
constexpr bool IsFinal(ComplaintStatus s) {
  return s == ComplaintStatus::kClosed || s == ComplaintStatus::kWithdrawn ||
         s == ComplaintStatus::kEscalatedExternal;
}

enum class Tier { kNormal, kRisk, kUrgent };
TOUSU_ENUM_NAMES(Tier, {{Tier::kNormal, "normal"}, {Tier::kRisk, "risk"}, {Tier::kUrgent, "urgent"}});

enum class DemandKind { kRefund, kExtend, kRestore, kReplace, kPunitive };
TOUSU_ENUM_NAMES(DemandKind, {{DemandKind::kRefund, "refund"},
                              {DemandKind::kExtend, "extend"},
                              {DemandKind::kRestore, "restore"},
                              {DemandKind::kReplace, "replace"},
                              {DemandKind::kPunitive, "punitive"}});

enum class Party { kPlatform, kMerchant, kThirdParty, kConsumer, kNone, kUndetermined };
TOUSU_ENUM_NAMES(Party, {{Party::kPlatform, "platform"},
                         {Party::kMerchant, "merchant"},
                         {Party::kThirdParty, "third_party"},
                         {Party::kConsumer, "consumer"},
                         {Party::kNone, "none"},
                         {Party::kUndetermined, "undetermined"}});

enum class EscalationChannel { k12315, kConsumerAssociation, kSmallClaims };
TOUSU_ENUM_NAMES(EscalationChannel, {{EscalationChannel::k12315, "12315"},
                                     {EscalationChannel::kConsumerAssociation, "consumer_association"},
                                     {EscalationChannel::kSmallClaims, "small_claims"}});

enum class Action {
  kOffer, kReject, kAcceptOffer, kRejectOffer, kDecide, kPay, kAppeal, kEscalate, kWithdraw,
  kRate, kReassign, kRequestEvidence,
};
TOUSU_ENUM_NAMES(Action, {{Action::kOffer, "offer"},
                          {Action::kReject, "reject"},
                          {Action::kAcceptOffer, "accept_offer"},
                          {Action::kRejectOffer, "reject_offer"},
                          {Action::kDecide, "decide"},
                          {Action::kPay, "pay"},
                          {Action::kAppeal, "appeal"},
                          {Action::kEscalate, "escalate"},
                          {Action::kWithdraw, "withdraw"},
                          {Action::kRate, "rate"},
                          {Action::kReassign, "reassign"},
                          {Action::kRequestEvidence, "request_evidence"}});

// Evidence classes (SPEC.md "Evidence completeness"; seeds 000, 002, 004).
enum class EvidenceKind { kIncident, kTransaction, kEntitlement, kCommunication, kPlatformFault, kDelivery };
TOUSU_ENUM_NAMES(EvidenceKind, {{EvidenceKind::kIncident, "incident"},
                                {EvidenceKind::kTransaction, "transaction"},
                                {EvidenceKind::kEntitlement, "entitlement"},
                                {EvidenceKind::kCommunication, "communication"},
                                {EvidenceKind::kPlatformFault, "platform_fault"},
                                {EvidenceKind::kDelivery, "delivery"}});

// The waits of SPEC.md's deadline table, by their names in a complaint's `deadlines`.
enum class DeadlineKind {
  kMerchantResponse, kOfferAnswer, kReview, kPlatformReply, kRemedy, kAppeal, kRating,
};
TOUSU_ENUM_NAMES(DeadlineKind, {{DeadlineKind::kMerchantResponse, "merchant_response"},
                                {DeadlineKind::kOfferAnswer, "offer_answer"},
                                {DeadlineKind::kReview, "review"},
                                {DeadlineKind::kPlatformReply, "platform_reply"},
                                {DeadlineKind::kRemedy, "remedy"},
                                {DeadlineKind::kAppeal, "appeal"},
                                {DeadlineKind::kRating, "rating"}});

}  // namespace tousu

#endif  // TOUSU_DOMAIN_TYPES_H_
