// tousu_fuzz_replay: runs one fuzz target over files and directories of inputs, with the
// normal compiler and no fuzzing engine. CTest runs it once per target over the target's seed
// corpus and its regressions (see fuzz/CMakeLists.txt), so that every input that ever crashed a
// target stays a test.
//   tousu_fuzz_replay TARGET PATH...   (a PATH may be a file or a directory of files)
//   tousu_fuzz_replay --list
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace tousu::fuzz {

namespace {
std::map<std::string, TargetFn>& Targets() {
  static std::map<std::string, TargetFn> targets;
  return targets;
}
}  // namespace

bool RegisterTarget(const char* name, TargetFn fn) {
  Targets()[name] = fn;
  return true;
}

}  // namespace tousu::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  auto& targets = tousu::fuzz::Targets();
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const auto& [name, fn] : targets) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TARGET PATH...   |   %s --list\n", argv[0], argv[0]);
    return 2;
  }
  auto it = targets.find(argv[1]);
  if (it == targets.end()) {
    std::fprintf(stderr, "no fuzz target %s (try --list)\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
      }
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else if (i == 2) {
      std::fprintf(stderr, "%s: no such corpus\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no inputs for %s: an empty corpus tests nothing\n", argv[1]);
    return 1;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A failing input aborts inside the target; name it first so the log says which one.
    std::fprintf(stderr, "replay %s\n", f.c_str());
    it->second(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs replayed, no finding\n", argv[1], files.size());
  return 0;
}
