// The transparency log's command-line tools; each returns the process exit code:
// 0 everything checked, 1 something failed verification (the output says what), 2 the inputs
// could not be read or the usage is wrong.
//   tousu key show --data DIR
//   tousu verify --checkpoint FILE --key PUBKEY --proof FILE [--file EVIDENCE]   (offline)
//   tousu verify --store DIR [--key PUBKEY]
#ifndef TOUSU_APP_LOG_TOOLS_H_
#define TOUSU_APP_LOG_TOOLS_H_

#include <optional>
#include <string>

namespace tousu {

// Prints the log's public key as a C2SP verifier key and as hex.
int RunKeyShow(const std::string& data_dir);

struct OfflineVerifyArgs {
  std::string checkpoint_file;
  std::string key;  // a verifier key, 64 hex digits, or a file holding either
  std::string proof_file;
  std::optional<std::string> evidence_file;
};
// Needs nothing but its arguments: no server, no store.
int RunVerifyOffline(const OfflineVerifyArgs& args);

// Re-checks a whole data directory (evidence/store_verifier.h). The key defaults to the one of
// the directory's own log.key; give the published one to check against it instead.
int RunVerifyStore(const std::string& data_dir, const std::string& key);

}  // namespace tousu

#endif  // TOUSU_APP_LOG_TOOLS_H_
