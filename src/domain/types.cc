#include "domain/types.h"

namespace tousu {

CategoryGroup GroupOf(Category c) {
  switch (c) {
    case Category::kNotReceived:
    case Category::kNotAsDescribed:
    case Category::kInvalidCode:
    case Category::kDeliveryLate:
    case Category::kAutoRenewal:
      return CategoryGroup::kTrade;
    case Category::kDisconnected:
    case Category::kRightsNotOpened:
    case Category::kAfterSaleRefused:
    case Category::kMerchantUnreachable:
      return CategoryGroup::kService;
    case Category::kAccountStolen:
    case Category::kDataLeak:
    case Category::kAbnormalCharge:
      return CategoryGroup::kSecurity;
  }
  return CategoryGroup::kTrade;
}

std::string_view ChineseLabel(Category c) {
  switch (c) {
    case Category::kNotReceived: return "充值未到账";
    case Category::kNotAsDescribed: return "与描述不符";
    case Category::kInvalidCode: return "卡密/授权码无效";
    case Category::kDeliveryLate: return "超时未交付";
    case Category::kAutoRenewal: return "自动续费强制扣款";
    case Category::kDisconnected: return "会员掉线/服务中断";
    case Category::kRightsNotOpened: return "权益未开通";
    case Category::kAfterSaleRefused: return "售后推诿";
    case Category::kMerchantUnreachable: return "商家失联";
    case Category::kAccountStolen: return "账号被盗/被找回";
    case Category::kDataLeak: return "信息泄露";
    case Category::kAbnormalCharge: return "交易记录异常";
  }
  return "";
}

}  // namespace tousu
