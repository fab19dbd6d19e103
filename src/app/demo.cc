#include "app/demo.h"

#include <cstdio>

#include "app/data_dir.h"
#include "base/clock.h"
#include "base/ids.h"
#include "service/auth.h"
#include "service/complaints.h"
#include "service/passwords.h"
#include "service/platforms.h"

namespace tousu {

namespace {

constexpr const char* kPlatform = "demo";
constexpr const char* kPassword = "tousu-demo";

struct DemoUser {
  const char* ref;
  Role role;
  const char* name;
  const char* merchant;
};

constexpr DemoUser kUsers[] = {
    {"zhangsan", Role::kConsumer, "张三", ""},
    {"lisi", Role::kConsumer, "李四", ""},
    {"wangwu", Role::kConsumer, "王五", ""},
    {"xingyun-kefu", Role::kMerchant, "星云充值客服", "xingyun"},
    {"kami-kefu", Role::kMerchant, "卡密小铺客服", "kamishop"},
    {"agent-chen", Role::kAgent, "陈客服", ""},
    {"agent-lin", Role::kAgent, "林客服", ""},
    {"risk-zhao", Role::kRisk, "赵风控", ""},
    {"arb-liu", Role::kArbitrator, "刘专员", ""},
};

Principal PlatformPrincipal() {
  Principal p;
  p.role = Role::kPlatform;
  p.platform_id = kPlatform;
  return p;
}

Principal UserPrincipal(const char* ref, Role role, const char* merchant = "") {
  Principal p;
  p.role = role;
  p.platform_id = kPlatform;
  p.user_ref = ref;
  p.merchant_ref = merchant;
  return p;
}

void PrintLogins(const std::string& url) {
  std::printf("\nDemo platform \"%s\"; every demo user's password is \"%s\":\n", kPlatform, kPassword);
  for (const auto& u : kUsers) {
    std::printf("  %-13s %-10s %s\n", u.ref, std::string(ToString(u.role)).c_str(), u.name);
  }
  std::printf("\nLog in, e.g.:\n  curl -s -X POST %s/v1/auth/login "
              "-H 'Content-Type: application/json' \\\n"
              "    -d '{\"platform\":\"demo\",\"user\":\"zhangsan\",\"password\":\"%s\"}'\n\n",
              url.c_str(), kPassword);
}

Status Load(Store& store, std::string* api_key) {
  // Backdated steps run on a manual clock, so the demo has history and overdue deadlines.
  const Instant now = SystemClock().Now();
  ManualClock clock(now - days(5));
  SystemClock wall_clock;
  IdGenerator ids;
  AuthService auth(wall_clock, ids, hours(12));
  PlatformService platforms(clock, ids, auth);
  ComplaintService complaints(clock, ids);
  const Principal platform = PlatformPrincipal();

  std::vector<std::pair<const DemoUser*, std::string>> hashed;
  for (const auto& u : kUsers) {
    TOUSU_ASSIGN_OR_RETURN(std::string h, HashPassword(kPassword));
    hashed.emplace_back(&u, std::move(h));
  }

  // One transaction: the demo world loads whole or not at all.
  return store.WriteSync([&](WriteTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(CreatedPlatform created, platforms.CreatePlatform(tx, "演示卡盟", kPlatform));
    *api_key = created.api_key;
    TOUSU_RETURN_IF_ERROR(platforms.PutMerchant(tx, platform, "xingyun",
        MerchantInput{"星云游戏充值", true,
                      "1. 充值到账时间一般为 10 分钟内。\n2. 如遇延迟请联系客服。\n"
                      "3. 本店保留最终解释权归本店所有。"}).status());
    TOUSU_RETURN_IF_ERROR(platforms.PutMerchant(tx, platform, "kamishop",
        MerchantInput{"卡密小铺", false,
                      "虚拟商品售出概不退换。因使用本店商品造成的任何损失，本店不承担任何责任。"}).status());
    for (const auto& [u, hash] : hashed) {
      TOUSU_RETURN_IF_ERROR(platforms.PutUser(tx, platform, u->ref,
                                              UserInput{u->role, u->name, hash, u->merchant}).status());
    }
    struct DemoOrder {
      const char* no;
      const char* consumer;
      const char* merchant;
      ProductKind kind;
      const char* title;
      int64_t fen;
      int paid_days_ago;
      bool delivered;
      int service_days;  // 0: not time-based
    };
    const DemoOrder orders[] = {
        {"DM202611001", "zhangsan", "xingyun", ProductKind::kMembership, "某视频平台年度会员", 19800, 20, true, 365},
        {"DM202611002", "zhangsan", "kamishop", ProductKind::kCardCode, "游戏点卡 100 元面值", 9500, 6, true, 0},
        {"DM202611003", "lisi", "xingyun", ProductKind::kRecharge, "手游钻石充值 648", 64800, 6, false, 0},
        {"DM202611004", "lisi", "kamishop", ProductKind::kLicence, "办公软件授权码", 12900, 8, true, 0},
        {"DM202611005", "wangwu", "xingyun", ProductKind::kGameAccount, "游戏账号（满级）", 88000, 30, true, 0},
    };
    for (const auto& o : orders) {
      OrderInput in;
      in.consumer_ref = o.consumer;
      in.merchant_ref = o.merchant;
      in.product_kind = o.kind;
      in.title = o.title;
      in.amount = Money::Fen(o.fen);
      in.paid_at = now - days(o.paid_days_ago);
      if (o.delivered) in.delivered_at = in.paid_at + minutes(3);
      if (o.service_days > 0) {
        in.service_starts_at = in.paid_at + minutes(3);
        in.service_ends_at = *in.service_starts_at + days(o.service_days);
      }
      in.payment_channel = "alipay";
      in.payment_ref = std::string("PAY-") + o.no;
      TOUSU_RETURN_IF_ERROR(platforms.PutOrder(tx, platform, o.no, in).status());
    }
    TOUSU_RETURN_IF_ERROR(platforms.AddIncident(tx, platform,
        IncidentInput{IncidentKind::kOutage, now - days(5) - hours(3), now - days(5) - hours(1),
                      std::nullopt, false, "", "会员服务器宕机约 2 小时"}).status());

    auto file = [&](const char* consumer, FileCommand cmd) {
      return complaints.File(tx, UserPrincipal(consumer, Role::kConsumer), cmd);
    };
    auto act = [&](const Principal& who, const std::string& id, ActionRequest r) {
      return complaints.Act(tx, who, id, r).status();
    };

  // Five days ago: a membership dropped during the outage; the merchant never answered, so its
  // 48 h deadline has passed and the sweeper moves the case to platform review at start.
  TOUSU_ASSIGN_OR_RETURN(Complaint dropped,
      file("zhangsan", FileCommand{"DM202611001", Category::kDisconnected, now - days(5) - hours(2),
                                   now - days(5) - hours(1), "会员在使用中突然掉线约两小时，期间无法观看。",
                                   {Demand{DemandKind::kExtend, Money(), 1}}, ""}));
  (void)dropped;

  // Two days ago: a dead card code; the merchant offered a replacement, waiting for the consumer.
  clock.AdvanceTo(now - days(2));
  TOUSU_ASSIGN_OR_RETURN(Complaint code,
      file("zhangsan", FileCommand{"DM202611002", Category::kInvalidCode, now - days(2) - hours(1),
                                   std::nullopt, "卡密提示“已被使用”，无法充值。",
                                   {Demand{DemandKind::kRefund, Money::Fen(9500), 0}},
                                   "收货后外出，第二天才尝试使用"}));
  clock.AdvanceTo(now - days(1));
  TOUSU_RETURN_IF_ERROR(act(UserPrincipal("kami-kefu", Role::kMerchant, "kamishop"), code.id,
                            ActionRequest{.action = Action::kOffer, .replace = true,
                                          .message = "抱歉，已为您补发一张新卡密。"}));

  // A large top-up that never arrived: risk tier, merchant rejected, now in platform review.
  TOUSU_ASSIGN_OR_RETURN(Complaint topup,
      file("lisi", FileCommand{"DM202611003", Category::kNotReceived, now - days(1) - hours(2),
                               std::nullopt, "充值 648 元后钻石一直未到账。",
                               {Demand{DemandKind::kRefund, Money::Fen(64800), 0}}, ""}));
  TOUSU_RETURN_IF_ERROR(act(UserPrincipal("xingyun-kefu", Role::kMerchant, "xingyun"), topup.id,
                            ActionRequest{.action = Action::kReject, .reason = "系统显示已到账。"}));

  // Resolved: an invalid licence, refunded after the consumer accepted the offer.
  clock.AdvanceTo(now - hours(6));
  TOUSU_ASSIGN_OR_RETURN(Complaint licence,
      file("lisi", FileCommand{"DM202611004", Category::kNotAsDescribed, now - hours(8), std::nullopt,
                               "授权码只能激活 7 天试用版，与“永久授权”描述不符。",
                               {Demand{DemandKind::kRefund, Money::Fen(12900), 0}},
                               "购买一周后首次激活才发现是试用版"}));
  const Principal kami = UserPrincipal("kami-kefu", Role::kMerchant, "kamishop");
  TOUSU_RETURN_IF_ERROR(act(kami, licence.id,
                            ActionRequest{.action = Action::kOffer, .refund = Money::Fen(12900),
                                          .message = "同意全额退款。"}));
  TOUSU_RETURN_IF_ERROR(act(UserPrincipal("lisi", Role::kConsumer), licence.id,
                            ActionRequest{.action = Action::kAcceptOffer}));
  TOUSU_RETURN_IF_ERROR(act(kami, licence.id,
                            ActionRequest{.action = Action::kPay, .amount = Money::Fen(12900)}));
  return Status::Ok();
  });
}

}  // namespace

int LoadDemo(const std::string& data_dir, const std::string& listen) {
  const std::string url = "http://" + listen;
  auto opened = OpenDataDir(data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "tousu demo: %s\n", opened.status().message().c_str());
    return 2;
  }
  auto store = std::move(*opened);
  bool present = false;
  Status s = store->Read([&](ReadTx& tx) -> Status {
    TOUSU_ASSIGN_OR_RETURN(auto p, tx.GetPlatform(kPlatform));
    present = p.has_value();
    return Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "tousu demo: %s\n", s.ToString().c_str());
    return 1;
  }
  if (present) {
    std::printf("The demo world is already loaded in %s.\n", data_dir.c_str());
    PrintLogins(url);
    store->Close();
    return 0;
  }
  std::string api_key;
  s = Load(*store, &api_key);
  store->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "tousu demo: loading the demo failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("Loaded the demo world into %s.\n", data_dir.c_str());
  std::printf("The demo platform's API key (shown once): %s\n", api_key.c_str());
  PrintLogins(url);
  return 0;
}

}  // namespace tousu
