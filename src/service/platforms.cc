#include "service/platforms.h"

namespace tousu {

Status CheckRef(std::string_view field, std::string_view ref) {
  if (ref.empty() || ref.size() > 128) {
    return Status::BadField(std::string(field), "must be 1 to 128 characters");
  }
  for (char c : ref) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == ':' || c == '@';
    if (!ok) {
      return Status::BadField(std::string(field),
                              "may contain only letters, digits and . _ - : @");
    }
  }
  return Status::Ok();
}

namespace {

Status CheckName(std::string_view field, std::string_view name, size_t max = 200) {
  if (name.empty()) return Status::BadField(std::string(field), "is required");
  if (name.size() > max) {
    return Status::BadField(std::string(field), "is longer than " + std::to_string(max) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CreatedPlatform> PlatformService::CreatePlatform(WriteTx& tx, std::string name,
                                                          std::string id) const {
  TOUSU_RETURN_IF_ERROR(CheckName("name", name));
  if (id.empty()) {
    id = ids_.Next("plt");
  } else {
    if (id.size() < 2 || id.size() > 40) return Status::BadField("id", "must be 2 to 40 characters");
    for (char c : id) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return Status::BadField("id", "may contain only lower-case letters, digits and -");
      }
    }
  }
  TOUSU_ASSIGN_OR_RETURN(auto existing, tx.GetPlatform(id));
  if (existing) return Status::Conflict("a platform with id " + id + " already exists");
  Platform p{id, std::move(name), clock_.Now()};
  TOUSU_RETURN_IF_ERROR(tx.InsertPlatform(p));
  TOUSU_ASSIGN_OR_RETURN(IssuedToken key, auth_.Issue(tx, Role::kPlatform, p.id, ""));
  return CreatedPlatform{std::move(p), std::move(key.token)};
}

StatusOr<Upserted<Merchant>> PlatformService::PutMerchant(WriteTx& tx, const Principal& who,
                                                          std::string ref, MerchantInput in) const {
  TOUSU_RETURN_IF_ERROR(CheckRef("ref", ref));
  TOUSU_RETURN_IF_ERROR(CheckName("name", in.name));
  if (in.terms.size() > 200000) return Status::BadField("terms", "is longer than 200000 bytes");
  TOUSU_ASSIGN_OR_RETURN(auto existing, tx.GetMerchant(who.platform_id, ref));
  const Instant now = clock_.Now();
  Merchant m{who.platform_id, std::move(ref), std::move(in.name), in.kyc_verified,
             std::move(in.terms), existing ? existing->created_at : now, now};
  TOUSU_RETURN_IF_ERROR(tx.UpsertMerchant(m));
  return Upserted<Merchant>{std::move(m), !existing};
}

StatusOr<Upserted<User>> PlatformService::PutUser(WriteTx& tx, const Principal& who,
                                                  std::string ref, UserInput in) const {
  TOUSU_RETURN_IF_ERROR(CheckRef("ref", ref));
  TOUSU_RETURN_IF_ERROR(CheckName("name", in.name));
  if (!IsUserRole(in.role)) {
    return Status::BadField("role", "must be one of consumer, merchant, agent, risk, arbitrator");
  }
  if (in.role == Role::kMerchant) {
    if (in.merchant_ref.empty()) return Status::BadField("merchant", "is required for merchant staff");
    TOUSU_ASSIGN_OR_RETURN(auto m, tx.GetMerchant(who.platform_id, in.merchant_ref));
    if (!m) return Status::BadField("merchant", "no merchant " + in.merchant_ref + " on this platform");
  } else if (!in.merchant_ref.empty()) {
    return Status::BadField("merchant", "only merchant staff belong to a merchant");
  }
  TOUSU_ASSIGN_OR_RETURN(auto existing, tx.GetUser(who.platform_id, ref));
  if (!existing && in.password_hash.empty()) {
    return Status::BadField("password", "is required for a new user");
  }
  const Instant now = clock_.Now();
  User u{who.platform_id,
         std::move(ref),
         in.role,
         std::move(in.name),
         std::move(in.merchant_ref),
         in.password_hash.empty() ? existing->password_hash : std::move(in.password_hash),
         existing ? existing->created_at : now,
         now};
  TOUSU_RETURN_IF_ERROR(tx.UpsertUser(u));
  return Upserted<User>{std::move(u), !existing};
}

StatusOr<Upserted<Order>> PlatformService::PutOrder(WriteTx& tx, const Principal& who,
                                                    std::string order_no, OrderInput in) const {
  TOUSU_RETURN_IF_ERROR(CheckRef("order_no", order_no));
  TOUSU_RETURN_IF_ERROR(CheckRef("consumer", in.consumer_ref));
  TOUSU_RETURN_IF_ERROR(CheckRef("merchant", in.merchant_ref));
  TOUSU_RETURN_IF_ERROR(CheckName("title", in.title, 500));
  if (in.amount.fen() <= 0) return Status::BadField("amount_fen", "must be a positive number of fen");
  if (in.amount.fen() > int64_t{100000000000}) {
    return Status::BadField("amount_fen", "is larger than 1,000,000,000 yuan");
  }
  if (in.service_starts_at.has_value() != in.service_ends_at.has_value()) {
    return Status::BadField("service_ends_at",
                            "service_starts_at and service_ends_at come together or not at all");
  }
  if (in.service_starts_at && *in.service_ends_at <= *in.service_starts_at) {
    return Status::BadField("service_ends_at", "must be after service_starts_at");
  }
  if (in.delivered_at && *in.delivered_at < in.paid_at) {
    return Status::BadField("delivered_at", "must not be before paid_at");
  }
  TOUSU_ASSIGN_OR_RETURN(auto consumer, tx.GetUser(who.platform_id, in.consumer_ref));
  if (!consumer || consumer->role != Role::kConsumer) {
    return Status::BadField("consumer", "no consumer " + in.consumer_ref + " on this platform");
  }
  TOUSU_ASSIGN_OR_RETURN(auto merchant, tx.GetMerchant(who.platform_id, in.merchant_ref));
  if (!merchant) return Status::BadField("merchant", "no merchant " + in.merchant_ref + " on this platform");
  TOUSU_ASSIGN_OR_RETURN(auto existing, tx.GetOrder(who.platform_id, order_no));
  const Instant now = clock_.Now();
  Order o;
  o.platform_id = who.platform_id;
  o.order_no = std::move(order_no);
  o.consumer_ref = std::move(in.consumer_ref);
  o.merchant_ref = std::move(in.merchant_ref);
  o.product_kind = in.product_kind;
  o.title = std::move(in.title);
  o.amount = in.amount;
  o.paid_at = in.paid_at;
  o.delivered_at = in.delivered_at;
  o.service_starts_at = in.service_starts_at;
  o.service_ends_at = in.service_ends_at;
  o.payment_channel = std::move(in.payment_channel);
  o.payment_ref = std::move(in.payment_ref);
  o.created_at = existing ? existing->created_at : now;
  o.updated_at = now;
  TOUSU_RETURN_IF_ERROR(tx.UpsertOrder(o));
  return Upserted<Order>{std::move(o), !existing};
}

StatusOr<Incident> PlatformService::AddIncident(WriteTx& tx, const Principal& who,
                                                IncidentInput in) const {
  if (in.ends_at < in.starts_at) return Status::BadField("ends_at", "must not be before starts_at");
  if (in.description.size() > 20000) return Status::BadField("description", "is longer than 20000 bytes");
  if (in.kind != IncidentKind::kMaintenance && in.announced_at) {
    return Status::BadField("announced_at", "applies to maintenance only");
  }
  if (!in.merchant_ref.empty()) {
    TOUSU_ASSIGN_OR_RETURN(auto m, tx.GetMerchant(who.platform_id, in.merchant_ref));
    if (!m) return Status::BadField("merchant", "no merchant " + in.merchant_ref + " on this platform");
  }
  Incident i;
  i.platform_id = who.platform_id;
  i.id = ids_.Next("inc");
  i.kind = in.kind;
  i.starts_at = in.starts_at;
  i.ends_at = in.ends_at;
  i.announced_at = in.announced_at;
  i.members_notified = in.members_notified;
  i.merchant_ref = std::move(in.merchant_ref);
  i.description = std::move(in.description);
  i.created_at = clock_.Now();
  TOUSU_RETURN_IF_ERROR(tx.InsertIncident(i));
  return i;
}

}  // namespace tousu
