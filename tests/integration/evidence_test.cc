// The evidence vault over HTTP against the real binary: raw and multipart uploads, downloads
// and their headers, size limits with nothing left behind, authorization and bad input.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "base/crypto.h"
#include "tests/integration/evidence_client.h"

namespace tousu::testing {
namespace {

namespace json = boost::json;

constexpr size_t kLimit = 20 * 1024 * 1024;

class EvidenceTest : public ::testing::Test {
 protected:
  EvidenceTest() : data_(dir_.path() + "/data"), server_(data_), world_(server_) {
    world_.AddOrder("E-1", 9900);
    HttpResult c = world_.File("E-1", "invalid_code", "2029-12-31T22:00:00Z",
                               json::array{json::object{{"kind", "refund"}, {"amount_fen", 9900}}});
    EXPECT_EQ(c.status, 201) << c.body;
    complaint_ = c.Str("id");
  }

  HttpResult UploadAs(const std::string& role, const std::string& body, const std::string& query,
                      const std::string& type = "image/png") {
    return Upload(server_, world_.tokens.at(role), complaint_, body, query, type);
  }

  // The blobs on disk (fan-out files and leftovers in tmp/).
  std::vector<std::string> Blobs() const { return FilesUnder(data_ + "/blobs"); }

  TempDir dir_;
  std::string data_;
  Server server_;
  World world_;
  std::string complaint_;
};

TEST_F(EvidenceTest, RawUploadIsStoredByHashAndRecorded) {
  const std::string png = Png(5000);
  HttpResult r = UploadAs("consumer", png,
                          "kind=transaction&captured_at=" + Enc("2029-12-31T20:01:00+08:00") +
                              "&filename=" + Enc("付款截图.png") + "&order_no=E-1&amount_fen=9900");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Str("sha256"), Sha256Hex(png));
  EXPECT_EQ(r.obj().at("size").as_int64(), static_cast<int64_t>(png.size()));
  EXPECT_EQ(r.Str("kind"), "transaction");
  EXPECT_EQ(r.Str("media_type"), "image/png");
  EXPECT_FALSE(r.obj().at("media_type_mismatch").as_bool());
  EXPECT_EQ(r.Str("captured_at"), "2029-12-31T12:01:00Z");
  EXPECT_EQ(r.Str("received_at"), kT0);
  EXPECT_EQ(r.Str("filename"), "付款截图.png");
  EXPECT_EQ(r.Str("declared_order_no"), "E-1");
  EXPECT_EQ(r.obj().at("declared_amount_fen").as_int64(), 9900);
  EXPECT_TRUE(r.obj().at("log_index").is_int64());
  EXPECT_EQ(r.Header("location"), "/v1/evidence/" + r.Str("id"));
  const std::string hex = r.Str("sha256");
  EXPECT_EQ(Blobs(), (std::vector<std::string>{hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex}));
  EXPECT_EQ(ReadFile(data_ + "/blobs/" + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex), png);

  // The same bytes again: recorded twice, stored once.
  HttpResult again = UploadAs("agent", png, "kind=incident");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Str("sha256"), hex);
  EXPECT_NE(again.Str("id"), r.Str("id"));
  EXPECT_EQ(Blobs().size(), 1u);
  HttpResult list = world_.Get("merchant", "/v1/complaints/" + complaint_ + "/evidence");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.obj().at("items").as_array().size(), 2u);
  EXPECT_EQ(list.obj().at("items").as_array()[1].at("uploader").at("role").as_string(), "agent");
}

// Evidence is a fact of the assessment: a transaction record whose amount does not match the
// order shows up as present and mismatched, in the same transaction as the upload.
TEST_F(EvidenceTest, EvidenceFeedsTheAssessment) {
  auto ids = [](const json::value& list) {
    std::vector<std::string> out;
    for (const auto& v : list.as_array()) out.emplace_back(v.as_string());
    return out;
  };
  HttpResult before = world_.Get("consumer", "/v1/complaints/" + complaint_ + "/assessment");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(before.obj().at("evidence").at("present").as_array().empty()) << before.body;
  HttpResult up = UploadAs("consumer", Png(100), "kind=transaction&order_no=E-1&amount_fen=100");
  ASSERT_EQ(up.status, 201) << up.body;
  HttpResult after = world_.Get("consumer", "/v1/complaints/" + complaint_ + "/assessment");
  const json::value& ev = after.obj().at("evidence");
  EXPECT_EQ(ids(ev.at("present")), std::vector<std::string>{"transaction"}) << after.body;
  EXPECT_EQ(ids(ev.at("mismatched")), std::vector<std::string>{up.Str("id")}) << after.body;
  HttpResult timeline = world_.Get("consumer", "/v1/complaints/" + complaint_ + "/timeline");
  const auto& last = timeline.obj().at("items").as_array().back();
  EXPECT_EQ(last.at("type").as_string(), "reassessed");
  EXPECT_EQ(last.at("data").at("reason").as_string(), "evidence_added");
}

TEST_F(EvidenceTest, MultipartUploadWithFieldsInTheForm) {
  const std::string text = "客服聊天记录：答应今天退款\n";
  const std::string body = Multipart("b0undary", {{"kind", "communication"}, {"captured_at", "2029-12-31T21:00:00Z"}},
                                     "C:\\fakepath\\chat.txt", "text/plain", text);
  HttpResult r = Upload(server_, world_.tokens.at("merchant"), complaint_, body, "",
                        "multipart/form-data; boundary=b0undary");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Str("sha256"), Sha256Hex(text));
  EXPECT_EQ(r.Str("kind"), "communication");
  EXPECT_EQ(r.Str("filename"), "chat.txt");
  EXPECT_EQ(r.Str("media_type"), "text/plain");
  EXPECT_EQ(r.obj().at("uploader").at("ref").as_string(), "m1-staff");
  // The kind may also come in the query.
  HttpResult q = Upload(server_, world_.tokens.at("consumer"), complaint_,
                        Multipart("xx", {}, "a.png", "image/png", Png(10)), "kind=delivery",
                        "multipart/form-data; boundary=xx");
  EXPECT_EQ(q.status, 201) << q.body;
}

TEST_F(EvidenceTest, DownloadsCarryTheStoredTypeAndSafeHeaders) {
  const std::string png = Png(300);
  HttpResult img = UploadAs("consumer", png, "kind=incident&filename=a.png");
  ASSERT_EQ(img.status, 201) << img.body;
  HttpResult got = world_.Get("arbitrator", "/v1/evidence/" + img.Str("id") + "/content");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, png);
  EXPECT_EQ(got.Header("content-type"), "image/png");
  EXPECT_EQ(got.Header("content-length"), std::to_string(png.size()));
  EXPECT_EQ(got.Header("etag"), "\"" + Sha256Hex(png) + "\"");
  EXPECT_EQ(got.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(got.Header("content-disposition").rfind("inline;", 0), 0u) << got.Header("content-disposition");

  // HTML declared as an image: sniffed as HTML, flagged, and only ever downloaded.
  const std::string html = "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
  HttpResult h = UploadAs("consumer", html, "kind=incident&filename=" + Enc("证据.png"), "image/png");
  ASSERT_EQ(h.status, 201) << h.body;
  EXPECT_EQ(h.Str("media_type"), "text/html");
  EXPECT_EQ(h.Str("declared_media_type"), "image/png");
  EXPECT_TRUE(h.obj().at("media_type_mismatch").as_bool());
  HttpResult dl = world_.Get("merchant", "/v1/evidence/" + h.Str("id") + "/content");
  ASSERT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body, html);
  EXPECT_EQ(dl.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(dl.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(dl.Header("content-disposition"),
            "attachment; filename=\"______.png\"; filename*=UTF-8''%E8%AF%81%E6%8D%AE.png");
  EXPECT_NE(dl.Header("content-security-policy").find("sandbox"), std::string::npos);

  // HEAD: the headers, no body.
  HttpResult head = Http(server_.port(), "HEAD", "/v1/evidence/" + img.Str("id") + "/content", "",
                         {{"Authorization", "Bearer " + world_.tokens.at("consumer")}});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(png.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST_F(EvidenceTest, AFileAtTheLimitIsTakenOneByteMoreIsRefusedAndLeavesNothing) {
  // Content-Length over the limit: refused before a byte of the body is read.
  const std::string head = "POST /v1/complaints/" + complaint_ + "/evidence?kind=incident HTTP/1.1\r\nHost: x\r\n"
                           "Authorization: Bearer " + world_.tokens.at("consumer") + "\r\nContent-Type: image/png\r\n";
  std::string answer = RawHttp(server_.port(), head + "Content-Length: " + std::to_string(kLimit + 1) +
                                                   "\r\n\r\n" + std::string(1000, 'x'));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos);

  // A chunked stream that passes the limit: refused as soon as it does.
  answer = StreamChunked(server_.port(), head, kLimit + 512 * 1024);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 300);
  // Through multipart: a file 1000 bytes over the limit in a body within the framing allowance
  // is refused by the file's own limit.
  answer = StreamChunked(server_.port(),
                         "POST /v1/complaints/" + complaint_ + "/evidence?kind=incident HTTP/1.1\r\nHost: x\r\n"
                         "Authorization: Bearer " + world_.tokens.at("consumer") +
                             "\r\nContent-Type: multipart/form-data; boundary=b\r\n",
                         kLimit + 1000,
                         "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 300);
  EXPECT_NE(answer.find("the file is over the upload limit"), std::string::npos) << answer.substr(0, 600);
  EXPECT_TRUE(Blobs().empty()) << Blobs().front();
  EXPECT_TRUE(world_.Get("consumer", "/v1/complaints/" + complaint_ + "/evidence").obj().at("items").as_array().empty());

  // Exactly the limit is fine.
  HttpResult ok = UploadAs("consumer", Png(kLimit - 8), "kind=incident");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.obj().at("size").as_int64(), static_cast<int64_t>(kLimit));
  EXPECT_EQ(Blobs().size(), 1u);
}

TEST_F(EvidenceTest, OnlyTheComplaintsPeopleSeeOrAddEvidence) {
  HttpResult r = UploadAs("consumer", Png(10), "kind=incident");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.Str("id");
  for (std::string role : {"consumer", "merchant", "agent", "risk", "arbitrator"}) {
    EXPECT_EQ(world_.Get(role, "/v1/evidence/" + id).status, 200) << role;
    EXPECT_EQ(world_.Get(role, "/v1/evidence/" + id + "/content").status, 200) << role;
  }
  for (std::string role : {"consumer2", "merchant2"}) {
    EXPECT_EQ(world_.Get(role, "/v1/evidence/" + id).status, 404) << role;
    EXPECT_EQ(world_.Get(role, "/v1/evidence/" + id + "/content").status, 404) << role;
    EXPECT_EQ(world_.Get(role, "/v1/evidence/" + id + "/proof").status, 404) << role;
    EXPECT_EQ(world_.Get(role, "/v1/complaints/" + complaint_ + "/evidence").status, 404) << role;
    EXPECT_EQ(UploadAs(role, Png(10), "kind=incident").status, 404) << role;
  }
  World other(server_, "other");
  EXPECT_EQ(other.Get("agent", "/v1/evidence/" + id).status, 404);
  EXPECT_EQ(Upload(server_, other.tokens.at("consumer"), complaint_, Png(10), "kind=incident", "image/png").status, 404);
  EXPECT_EQ(world_.Get("platform", "/v1/evidence/" + id).status, 403);
  EXPECT_EQ(Upload(server_, "", complaint_, Png(10), "kind=incident", "image/png").status, 401);
  // A closed complaint takes no more evidence.
  ASSERT_EQ(world_.Act("consumer", complaint_, {{"action", "withdraw"}}).status, 200);
  EXPECT_EQ(UploadAs("consumer", Png(10), "kind=incident").status, 409);
  EXPECT_EQ(Blobs().size(), 1u);
}

TEST_F(EvidenceTest, BadUploadsGetAClearFourHundred) {
  const struct {
    std::string query;
    std::string body;
    std::string type;
    int want;
    std::string field;
  } cases[] = {
      {"", Png(10), "image/png", 400, "kind"},
      {"kind=selfie", Png(10), "image/png", 422, "kind"},
      {"kind=incident&captured_at=yesterday", Png(10), "image/png", 400, "captured_at"},
      {"kind=incident&captured_at=2030-01-02T00:00:00Z", Png(10), "image/png", 422, "captured_at"},
      {"kind=incident&order_no=E-1", Png(10), "image/png", 422, "order_no"},
      {"kind=transaction&amount_fen=12.5", Png(10), "image/png", 400, "amount_fen"},
      {"kind=transaction&amount_fen=-1", Png(10), "image/png", 422, "amount_fen"},
      {"kind=incident", "", "image/png", 422, "file"},
      {"kind=incident&filename=" + Enc("a\nb"), Png(10), "image/png", 422, "filename"},
      {"", Multipart("q", {{"kind", "incident"}}, "", "", ""), "multipart/form-data; boundary=q", 400, "file"},
      {"", Multipart("q", {{"kind", "incident"}, {"colour", "red"}}, "a.png", "image/png", Png(1)),
       "multipart/form-data; boundary=q", 400, ""},
      {"kind=incident", "--q\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nnever ends",
       "multipart/form-data; boundary=q", 400, ""},
      {"kind=incident", Png(10), "multipart/form-data", 400, ""},
      {"kind=delivery", Multipart("q", {{"kind", "incident"}}, "a.png", "image/png", Png(1)),
       "multipart/form-data; boundary=q", 400, "kind"},
  };
  for (const auto& c : cases) {
    HttpResult r = UploadAs("consumer", c.body, c.query, c.type);
    SCOPED_TRACE(c.query + " " + c.type + " → " + r.body);
    EXPECT_EQ(r.status, c.want);
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    if (!c.field.empty()) {
      ASSERT_TRUE(r.obj().contains("errors"));
      EXPECT_EQ(r.obj().at("errors").as_array()[0].at("field").as_string(), c.field);
    }
  }
  EXPECT_TRUE(world_.Get("consumer", "/v1/complaints/" + complaint_ + "/evidence").obj().at("items").as_array().empty());
  // Nothing half-written remains; only blobs whose upload failed its claims after the file
  // arrived may stay (content-addressed, unreferenced, harmless).
  for (const auto& f : Blobs()) EXPECT_NE(f.rfind("tmp/", 0), 0u) << f;
}

// With Expect: 100-continue the client learns whether the upload is welcome before sending it.
TEST_F(EvidenceTest, ExpectContinueIsAnsweredBeforeTheBody) {
  namespace net = boost::asio;
  const std::string body = Png(100000);
  auto head = [&](const std::string& query) {
    return "POST /v1/complaints/" + complaint_ + "/evidence?" + query + " HTTP/1.1\r\nHost: x\r\n"
           "Authorization: Bearer " + world_.tokens.at("consumer") + "\r\nContent-Type: image/png\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n";
  };
  net::io_context ioc;
  net::ip::tcp::socket sock(ioc);
  sock.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server_.port()));
  net::write(sock, net::buffer(head("kind=incident")));
  std::string in;
  net::read_until(sock, net::dynamic_buffer(in), "\r\n\r\n");
  ASSERT_EQ(in.rfind("HTTP/1.1 100 Continue", 0), 0u) << in;
  in.erase(0, in.find("\r\n\r\n") + 4);
  net::write(sock, net::buffer(body));
  net::read_until(sock, net::dynamic_buffer(in), "\r\n\r\n");
  EXPECT_EQ(in.rfind("HTTP/1.1 201", 0), 0u) << in;

  // Refused at once: no 100, no body read.
  std::string refused = RawHttp(server_.port(), head("kind=selfie"));
  EXPECT_EQ(refused.rfind("HTTP/1.1 422", 0), 0u) << refused.substr(0, 200);
  EXPECT_EQ(refused.find("100 Continue"), std::string::npos);
}

TEST_F(EvidenceTest, AnIdempotentUploadIsRecordedOnce) {
  const std::map<std::string, std::string> key{{"Idempotency-Key", "upload-1"}};
  HttpResult a = Upload(server_, world_.tokens.at("consumer"), complaint_, Png(50), "kind=incident", "image/png", key);
  HttpResult b = Upload(server_, world_.tokens.at("consumer"), complaint_, Png(50), "kind=incident", "image/png", key);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(b.status, 201);
  EXPECT_EQ(b.Str("id"), a.Str("id"));
  EXPECT_EQ(b.Header("idempotent-replayed"), "true");
  HttpResult other = Upload(server_, world_.tokens.at("consumer"), complaint_, Png(51), "kind=incident", "image/png", key);
  EXPECT_EQ(other.status, 409) << other.body;
  HttpResult kind = Upload(server_, world_.tokens.at("consumer"), complaint_, Png(50), "kind=delivery", "image/png", key);
  EXPECT_EQ(kind.status, 409) << kind.body;
  EXPECT_EQ(world_.Get("consumer", "/v1/complaints/" + complaint_ + "/evidence").obj().at("items").as_array().size(), 1u);
}

}  // namespace
}  // namespace tousu::testing
