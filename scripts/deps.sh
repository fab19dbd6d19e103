#!/usr/bin/env bash
# Installs, with apt, whatever tousu needs to build and test and is not installed yet.
# Idempotent and silent when everything is present. Needs root (or sudo) only to install.
#   scripts/deps.sh            build + test dependencies
#   scripts/deps.sh --extra X  also the packages of group X (bench, fuzz, test); repeatable
# Group test is the PostgreSQL server the PostgreSQL store's tests start a throwaway cluster of
# (make test, make test-sanitize): not needed to build or run tousu.
set -euo pipefail

base_packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libsqlite3-dev libpq-dev libssl-dev libsodium-dev libjemalloc-dev libzstd-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 curl procps
  prometheus
)
declare -A extra_groups=(
  [bench]="wrk sqlite3"
  [fuzz]="clang libclang-rt-14-dev"
  [test]="postgresql util-linux"
)

wanted=("${base_packages[@]}")
while [ $# -gt 0 ]; do
  case "$1" in
    --extra)
      [ $# -ge 2 ] || { echo "deps.sh: --extra needs a group name" >&2; exit 2; }
      group=${extra_groups[$2]:-}
      [ -n "$group" ] || { echo "deps.sh: unknown group '$2' (known: ${!extra_groups[*]})" >&2; exit 2; }
      read -r -a more <<<"$group"; wanted+=("${more[@]}"); shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "deps.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: missing packages (${missing[*]}) and not root; install them or run as root" >&2; exit 1; }
  sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
