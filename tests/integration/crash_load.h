// The load of the crash-safety test (crash_test.cc). One load client runs in its own forked
// process: it files complaints on fresh orders and uploads evidence to each complaint it was
// answered 201 for, until a stop file exists. Every POST carries an Idempotency-Key; a request
// whose connection died (the server was killed) is sent again with the same key until it is
// answered, as a real client would. What each request was answered is appended, one line per
// request, to two logs the test reads back once the clients have exited.
// Thread-safety: a client is single-threaded; the logs are read after it has exited.
#ifndef TOUSU_TESTS_INTEGRATION_CRASH_LOAD_H_
#define TOUSU_TESTS_INTEGRATION_CRASH_LOAD_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tousu::testing {

struct LoadClient {
  int index = 0;
  unsigned seed = 0;            // the client's own randomness (file sizes, kinds, repeats)
  std::string port_file;        // the server's current port; re-read before every attempt
  std::string stop_file;        // the client stops before its next complaint once it exists
  std::string filing_log;       // FilingAck lines
  std::string upload_log;       // UploadAck lines
  std::string platform_key;     // creates the orders
  std::string consumer_token;   // alice: files every complaint and uploads most evidence
  std::string merchant_token;   // m1's staff: uploads the rest
};

// Runs the load and exits the process: 0 when stopped, 3 when the server stayed unreachable for
// minutes, 4 when an order could not be created.
[[noreturn]] void RunLoadClient(const LoadClient& c);

// One complaint filing as the client saw it. Its key is "crash-" + the order number.
struct FilingAck {
  std::string key;
  int status = 0;
  std::string id;   // "-" when the answer had none
  int attempts = 0; // more than one: the connection died at least once
  bool replayed = false;
};

// Where an upload's bytes came from: fresh bytes, a file every client uploads (so the same
// blob is committed concurrently by several processes), or this client's previous file again.
enum class UploadSource { kFresh, kShared, kAgain };

// One evidence upload as the client saw it. Its key is "evidence-c<client>-<n>".
struct UploadAck {
  std::string key;
  int status = 0;
  std::string complaint;
  std::string id;           // "-" when the answer had none
  std::string sha256_sent;  // of the bytes the client sent
  std::string sha256;       // as answered ("-" when none)
  int64_t log_index = -1;   // as answered (-1 when none)
  int64_t size = 0;         // of the bytes sent
  std::string role;         // "consumer" or "merchant"
  UploadSource source = UploadSource::kFresh;
  int attempts = 0;
  bool replayed = false;
};

// The bodies of the load's requests: PUT /v1/orders/{order_no} (alice buys a top-up from m1)
// and POST /v1/complaints about it (not received, refund of the amount).
std::string LoadOrderBody(const std::string& order_no, int64_t amount_fen);
std::string LoadComplaintBody(const std::string& order_no, int64_t amount_fen);

std::vector<FilingAck> ReadFilingLog(const std::string& path);
std::vector<UploadAck> ReadUploadLog(const std::string& path);

}  // namespace tousu::testing

#endif  // TOUSU_TESTS_INTEGRATION_CRASH_LOAD_H_
