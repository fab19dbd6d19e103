// Helpers for the evidence and log integration tests: uploads over HTTP (raw, multipart and
// raw-socket streams), files, and `tousu verify` runs.
#ifndef TOUSU_TESTS_INTEGRATION_EVIDENCE_CLIENT_H_
#define TOUSU_TESTS_INTEGRATION_EVIDENCE_CLIENT_H_

#include <map>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace tousu::testing {

// Percent-encodes a query value.
std::string Enc(const std::string& value);

// POST /v1/complaints/{id}/evidence?query with `body` as it is.
HttpResult Upload(const Server& s, const std::string& token, const std::string& complaint,
                  const std::string& body, const std::string& query, const std::string& content_type,
                  const std::map<std::string, std::string>& headers = {});

// A multipart/form-data body with text `fields` and, when `file_name` is not empty, a "file" part.
std::string Multipart(const std::string& boundary, const std::map<std::string, std::string>& fields,
                      const std::string& file_name, const std::string& file_type,
                      const std::string& file_bytes);

// Sends `head` (request line and header lines, each ending in CRLF, without the blank line)
// and then `prefix` and `total` more bytes of body
// in chunked transfer coding, as fast as the server takes them; returns the raw answer.
std::string StreamChunked(uint16_t port, const std::string& head, size_t total,
                          const std::string& prefix = "");

void WriteFile(const std::string& path, const std::string& bytes);
std::string ReadFile(const std::string& path);
// Every regular file under `dir`, relative paths.
std::vector<std::string> FilesUnder(const std::string& dir);

// `tousu key show --data DIR`'s verifier key.
std::string VerifierKey(const std::string& data_dir);

// A PNG's first bytes followed by `n` bytes of `fill`.
std::string Png(size_t n, char fill = 'p');

}  // namespace tousu::testing

#endif  // TOUSU_TESTS_INTEGRATION_EVIDENCE_CLIENT_H_
