// tousu: the command line. Thin: each subcommand parses its flags and calls into app/.
//   tousu init  --data DIR [--log-origin NAME] [--postgres CONNINFO]
//   tousu serve --data DIR --listen HOST:PORT [--test-clock] [--config FILE]
//   tousu demo  --data DIR [--listen HOST:PORT]
//   tousu key show --data DIR
//   tousu verify --checkpoint FILE --key PUBKEY --proof FILE [--file EVIDENCE]
//   tousu verify --store DIR [--key PUBKEY]
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/config.h"
#include "app/data_dir.h"
#include "app/demo.h"
#include "app/log_tools.h"
#include "app/serve.h"

namespace {

int RunInit(const std::string& dir, const std::string& log_origin, const std::string& postgres) {
  auto result = tousu::InitDataDir(dir, log_origin, postgres);
  if (!result.ok()) {
    std::fprintf(stderr, "tousu init: %s\n", result.status().ToString().c_str());
    return 1;
  }
  if (!result->created) {
    if (result->key_created) {
      std::fprintf(stderr, "tousu init: %s was initialised already; created its missing log signing key %s\n",
                   dir.c_str(), result->verifier_key.c_str());
    } else {
      std::fprintf(stderr, "tousu init: %s is already initialised; nothing changed\n", dir.c_str());
    }
    return 0;
  }
  std::printf("{\"admin_token\": \"%s\"}\n", result->admin_token.c_str());
  std::fprintf(stderr, "tousu init: initialised %s; keep the admin token: it is shown only once\n",
               dir.c_str());
  std::fprintf(stderr, "tousu init: the log's public key is %s (see `tousu key show`)\n",
               result->verifier_key.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tousu: complaints and dispute resolution for virtual-goods platforms (卡盟)"};
  app.set_version_flag("--version", std::string("tousu ") + TOUSU_VERSION);
  app.require_subcommand(1);

  std::string init_dir, log_origin, postgres;
  auto* init = app.add_subcommand("init", "Create a data directory: the store, the admin token and the log's signing key");
  init->add_option("--data", init_dir, "Data directory to create")->required();
  init->add_option("--log-origin", log_origin,
                   "Name of the transparency log, the first line of its checkpoints (default tousu/<random>)");
  init->add_option("--postgres", postgres,
                   "Keep the store in this PostgreSQL database instead of DIR/tousu.db: a libpq connection "
                   "string, e.g. \"host=/run/postgresql dbname=tousu\" (the database must exist; DIR keeps "
                   "the string in postgres.conninfo, mode 0600; put a password in ~/.pgpass rather than here)");

  tousu::Config config;
  std::string config_file, data_flag, listen_flag, log_level_flag;
  int threads_flag = -1;
  bool test_clock = false;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API on a data directory");
  serve->add_option("--config", config_file, "TOML configuration file (flags override it)");
  serve->add_option("--data", data_flag, "Data directory (default ./data)");
  serve->add_option("--listen", listen_flag, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--threads", threads_flag, "HTTP worker threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--log-level", log_level_flag, "debug, info, warn, error or off (default info)");
  serve->add_flag("--test-clock", test_clock,
                  "Enable POST /v1/test/clock to move time by hand (for tests; never in production)");

  std::string demo_dir;
  auto* demo = app.add_subcommand("demo", "Load the demo world into an initialised data directory");
  demo->add_option("--data", demo_dir, "Data directory")->required();
  std::string demo_listen = "127.0.0.1:8080";
  demo->add_option("--listen", demo_listen, "HOST:PORT the server will listen on (for the login example)")
      ->capture_default_str();

  std::string key_dir;
  auto* key = app.add_subcommand("key", "The transparency log's signing key");
  key->require_subcommand(1);
  auto* key_show = key->add_subcommand("show", "Print the log's public key (C2SP verifier key and hex)");
  key_show->add_option("--data", key_dir, "Data directory")->required();

  tousu::OfflineVerifyArgs offline;
  std::string evidence_file, store_dir;
  auto* verify = app.add_subcommand(
      "verify", "Check a proof offline (--checkpoint --key --proof [--file]) or a whole store (--store)");
  auto* v_store = verify->add_option("--store", store_dir, "Data directory to re-check completely");
  auto* v_checkpoint = verify->add_option("--checkpoint", offline.checkpoint_file, "Signed checkpoint (text file)");
  verify->add_option("--key", offline.key, "The log's public key: verifier key, hex, or a file holding one");
  auto* v_proof = verify->add_option("--proof", offline.proof_file, "Proof JSON from GET .../proof");
  auto* v_file = verify->add_option("--file", evidence_file, "The evidence file the proof is about");
  v_store->excludes(v_checkpoint)->excludes(v_proof)->excludes(v_file);

  CLI11_PARSE(app, argc, argv);

  if (*init) return RunInit(init_dir, log_origin, postgres);
  if (*key_show) return tousu::RunKeyShow(key_dir);
  if (*verify) {
    if (!store_dir.empty()) return tousu::RunVerifyStore(store_dir, offline.key);
    if (offline.checkpoint_file.empty() || offline.key.empty() || offline.proof_file.empty()) {
      std::fprintf(stderr, "tousu verify: give --store DIR, or --checkpoint FILE --key PUBKEY --proof FILE\n");
      return 2;
    }
    if (!evidence_file.empty()) offline.evidence_file = evidence_file;
    return tousu::RunVerifyOffline(offline);
  }
  if (*demo) return tousu::LoadDemo(demo_dir, demo_listen);
  if (*serve) {
    if (!config_file.empty()) {
      auto loaded = tousu::LoadConfigFile(config_file);
      if (!loaded.ok()) {
        std::fprintf(stderr, "tousu serve: %s\n", loaded.status().message().c_str());
        return 2;
      }
      config = *loaded;
    }
    if (!data_flag.empty()) config.data_dir = data_flag;
    if (!listen_flag.empty()) config.listen = listen_flag;
    if (threads_flag >= 0) config.threads = threads_flag;
    if (!log_level_flag.empty() && !tousu::log::ParseLevel(log_level_flag, &config.log_level)) {
      std::fprintf(stderr, "tousu serve: --log-level must be debug, info, warn, error or off\n");
      return 2;
    }
    config.test_clock = test_clock;
    return tousu::Serve(config);
  }
  return 2;
}
