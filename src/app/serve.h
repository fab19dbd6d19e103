// `tousu serve`: wires the store, clock, services, sweeper and HTTP server together and runs
// until SIGINT/SIGTERM, then shuts down gracefully (stop accepting, finish in-flight requests,
// checkpoint the store) and returns the process exit code.
#ifndef TOUSU_APP_SERVE_H_
#define TOUSU_APP_SERVE_H_

#include "app/config.h"

namespace tousu {

int Serve(const Config& config);

}  // namespace tousu

#endif  // TOUSU_APP_SERVE_H_
