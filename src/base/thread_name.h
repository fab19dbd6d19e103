// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb tell the server's threads
// apart (tousu-io, tousu-writer, tousu-sweep, ...).
#ifndef TOUSU_BASE_THREAD_NAME_H_
#define TOUSU_BASE_THREAD_NAME_H_

#include <string>

namespace tousu {

// Linux keeps at most 15 bytes of a name; longer names are cut there.
void NameThisThread(const std::string& name);

// The calling thread's name, as the kernel holds it.
std::string ThisThreadName();

}  // namespace tousu

#endif  // TOUSU_BASE_THREAD_NAME_H_
