// `tousu demo`: loads a small demo world into an initialised data dir — one platform, two
// merchants, consumers, staff, orders and complaints in different states, some filed days ago
// so that their deadlines act as soon as the server starts — and prints the logins.
#ifndef TOUSU_APP_DEMO_H_
#define TOUSU_APP_DEMO_H_

#include <string>

namespace tousu {

// Returns the process exit code. Idempotent: a data dir that has the demo is left alone.
// `listen` (HOST:PORT) is where the server will answer, for the login example it prints.
int LoadDemo(const std::string& data_dir, const std::string& listen);

}  // namespace tousu

#endif  // TOUSU_APP_DEMO_H_
