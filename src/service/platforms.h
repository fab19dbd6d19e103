// Platforms and what a platform pushes: merchants, users, orders and incidents (API.md "What the
// platform pushes"). PUTs are upserts that report whether they created the object.
// Thread-safety: stateless apart from the injected clock and id generator.
#ifndef TOUSU_SERVICE_PLATFORMS_H_
#define TOUSU_SERVICE_PLATFORMS_H_

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/ids.h"
#include "service/auth.h"
#include "store/store.h"

namespace tousu {

template <class T>
struct Upserted {
  T value;
  bool created = false;
};

struct MerchantInput {
  std::string name;
  bool kyc_verified = false;
  std::string terms;
};

struct UserInput {
  Role role = Role::kConsumer;
  std::string name;
  std::string password_hash;  // already Argon2id-hashed; empty keeps the current password
  std::string merchant_ref;   // merchant staff only
};

struct OrderInput {
  std::string consumer_ref;
  std::string merchant_ref;
  ProductKind product_kind = ProductKind::kOther;
  std::string title;
  Money amount;
  Instant paid_at;
  std::optional<Instant> delivered_at;
  std::optional<Instant> service_starts_at;
  std::optional<Instant> service_ends_at;
  std::string payment_channel;
  std::string payment_ref;
};

struct IncidentInput {
  IncidentKind kind = IncidentKind::kOutage;
  Instant starts_at;
  Instant ends_at;
  std::optional<Instant> announced_at;
  bool members_notified = false;
  std::string merchant_ref;
  std::string description;
};

struct CreatedPlatform {
  Platform platform;
  std::string api_key;  // shown once
};

class PlatformService final {
 public:
  PlatformService(const Clock& clock, IdGenerator& ids, const AuthService& auth)
      : clock_(clock), ids_(ids), auth_(auth) {}

  // `id` may be empty (the server picks one) or a slug the operator chose.
  StatusOr<CreatedPlatform> CreatePlatform(WriteTx& tx, std::string name, std::string id) const;

  StatusOr<Upserted<Merchant>> PutMerchant(WriteTx& tx, const Principal& who, std::string ref,
                                           MerchantInput in) const;
  StatusOr<Upserted<User>> PutUser(WriteTx& tx, const Principal& who, std::string ref,
                                   UserInput in) const;
  StatusOr<Upserted<Order>> PutOrder(WriteTx& tx, const Principal& who, std::string order_no,
                                     OrderInput in) const;
  StatusOr<Incident> AddIncident(WriteTx& tx, const Principal& who, IncidentInput in) const;

 private:
  const Clock& clock_;
  IdGenerator& ids_;
  const AuthService& auth_;
};

// Ids a platform chooses (merchant refs, user refs, order numbers): 1-128 characters of
// letters, digits and . _ - : @. The message names the field.
Status CheckRef(std::string_view field, std::string_view ref);

}  // namespace tousu

#endif  // TOUSU_SERVICE_PLATFORMS_H_
