#include "evidence/leaf.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/crypto.h"

namespace tousu::evidence {
namespace {

EventRecord Event() {
  EventRecord e;
  e.platform_id = "shop";
  e.complaint_id = "cmp_1";
  e.seq = 3;
  e.type = "message";
  e.actor = Actor{"user", "alice", Role::kConsumer};
  e.from = e.to = ComplaintStatus::kAwaitingMerchant;
  e.at = e.recorded_at = *ParseRfc3339("2030-01-01T00:00:00Z");
  e.data_json = R"({"text":"卡密无效，请退款","message_id":"msg_1"})";
  return e;
}

EvidenceRecord Evidence() {
  EvidenceRecord r;
  r.platform_id = "shop";
  r.id = "evd_1";
  r.complaint_id = "cmp_1";
  r.uploader_ref = "alice";
  r.uploader_role = Role::kConsumer;
  r.kind = EvidenceKind::kTransaction;
  r.media_type = "image/png";
  r.declared_media_type = "image/png";
  r.filename = "付款截图.png";
  r.size = 1234;
  r.sha256_hex = Sha256Hex("file");
  r.received_at = *ParseRfc3339("2030-01-01T00:05:00Z");
  r.declared_order_no = "O-1";
  r.declared_amount = Money::Fen(9900);
  return r;
}

// The documented example of docs/log_format.md, byte for byte: changing the encoding must be a
// new version, never a silent change.
TEST(Leaf, EventLeafIsTheDocumentedBytes) {
  LeafBytes b = EventLeaf(Event()).value();
  EXPECT_EQ(b.content,
            R"({"actor_kind":"user","actor_ref":"alice","data":{"message_id":"msg_1","text":"卡密无效，请退款"},"v":1})");
  EXPECT_EQ(b.leaf,
            R"({"actor_role":"consumer","at":"2030-01-01T00:00:00Z","complaint":"cmp_1","content_sha256":")" +
                Sha256Hex(b.content) +
                R"(","event":"message","from":"awaiting_merchant","leaf":"event","platform":"shop","recorded_at":"2030-01-01T00:00:00Z","seq":3,"to":"awaiting_merchant","v":1})");
  LeafFacts f = ParseLeaf(b.leaf).value();
  EXPECT_EQ(f.type, "event");
  EXPECT_EQ(f.seq, 3);
  EXPECT_EQ(f.content_sha256, Sha256Hex(b.content));
}

// The hand-written event encoder against the general one, over awkward values: the same bytes,
// and the same refusal of what has no canonical form.
TEST(Leaf, TheFastEventEncoderWritesTheGeneralEncodersBytes) {
  const std::vector<std::string> texts = {"", "plain", "引号\"和\\反斜杠", "tab\tnl\ncr\r\x01\x1f",
                                          std::string("nul\0inside", 11), "emoji 😀 中文"};
  const std::vector<std::string> data = {
      R"({})", R"({"z":1,"a":[3,{"y":null,"b":true}],"m":"x"})",
      R"({"message_id":"msg_1","text":"卡密无效，请退款"})", R"({"n":-9223372036854775807})"};
  int checked = 0;
  for (const std::string& text : texts) {
    for (const std::string& d : data) {
      for (const auto& actor : {Actor{"user", text, Role::kMerchant}, Actor::System()}) {
        EventRecord e = Event();
        e.type = text.empty() ? "filed" : text;
        e.complaint_id = "cmp_" + text;
        e.seq = 1 + checked;
        e.actor = actor;
        const boost::json::value v = boost::json::parse(d);
        auto fast = EventLeaf(e, v);
        auto general = EventLeafFromObjects(e, v);
        ASSERT_TRUE(fast.ok()) << fast.status().ToString();
        ASSERT_TRUE(general.ok());
        EXPECT_EQ(fast->leaf, general->leaf);
        EXPECT_EQ(fast->content, general->content);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 48);
  EventRecord bad = Event();
  bad.actor.ref = "\xff\xfe";  // not UTF-8
  const boost::json::value v = boost::json::parse("{}");
  EXPECT_EQ(EventLeaf(bad, v).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EventLeafFromObjects(bad, v).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EventLeaf(Event(), boost::json::parse(R"({"f":1.5})")).status().code(), StatusCode::kInvalidArgument);
}

TEST(Leaf, EvidenceLeafCommitsToTheFileAndHidesPrivateFields) {
  LeafBytes b = EvidenceLeaf(Evidence()).value();
  EXPECT_EQ(b.leaf.find("付款截图"), std::string::npos);
  EXPECT_EQ(b.leaf.find("alice"), std::string::npos);
  EXPECT_EQ(b.leaf.find("O-1"), std::string::npos);
  EXPECT_NE(b.content.find("付款截图.png"), std::string::npos);
  EXPECT_NE(b.content.find(R"("declared_amount_fen":9900)"), std::string::npos);
  LeafFacts f = ParseLeaf(b.leaf).value();
  EXPECT_EQ(f.type, "evidence");
  EXPECT_EQ(f.evidence_id, "evd_1");
  EXPECT_EQ(f.file_sha256, Sha256Hex("file"));
  EXPECT_EQ(f.file_size, 1234);
  EXPECT_NE(b.leaf.find(R"("captured_at":null)"), std::string::npos);
}

TEST(Leaf, AnyChangeToTheRecordChangesTheLeaf) {
  const std::string base = EventLeaf(Event()).value().leaf;
  EventRecord e = Event();
  e.data_json = R"({"text":"卡密无效，请退款!","message_id":"msg_1"})";
  EXPECT_NE(EventLeaf(e).value().leaf, base);
  e = Event();
  e.actor.ref = "bob";
  EXPECT_NE(EventLeaf(e).value().leaf, base);
  e = Event();
  e.seq = 4;
  EXPECT_NE(EventLeaf(e).value().leaf, base);
  // The same data written another way is the same leaf.
  e = Event();
  e.data_json = R"({ "message_id" : "msg_1", "text" : "卡密无效，请退款" })";
  EXPECT_EQ(EventLeaf(e).value().leaf, base);
}

TEST(Leaf, ParseRefusesWhatIsNotAVersionOneLeaf) {
  for (std::string_view bad : {"", "[]", R"({"v":2,"leaf":"event"})", R"({"v":1,"leaf":"other"})",
                               R"({"v":1,"leaf":"event","platform":"p","complaint":"c"})"}) {
    EXPECT_FALSE(ParseLeaf(bad).ok()) << bad;
  }
  EventRecord e = Event();
  e.data_json = "not json";
  EXPECT_FALSE(EventLeaf(e).ok());
}

}  // namespace
}  // namespace tousu::evidence
