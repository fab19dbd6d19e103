#!/usr/bin/env bash
# make bench-peer: tousu side by side with a real peer, Request Tracker 5 from Debian, on this
# machine and in the same run. Installs request-tracker5 + rt5-db-sqlite + rt5-standalone with
# a debconf preseed (SQLite database, no cron jobs) and a site config override (mail goes to a
# file, never out), runs RT's own rt-server on 127.0.0.1, and drives it with wrk:
#   - create: REST2 POST /REST/2.0/ticket, with the session cookie of a /NoAuth/Login.html login;
#   - read:   REST2 GET  /REST/2.0/ticket/{id} on the tickets just created.
# Then the same two loads against tousu (Release build, a freshly seeded store of 100,000
# complaints) with the connections of make bench, as shipped and after SQLite's ANALYZE, and
# prints tousu's rates as multiples of RT's. Finally it removes
# every package the script installed (and RT's database and config) unless KEEP_RT=1.
#   bench/peer_rt.sh BUILD_DIR [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:?usage: bench/peer_rt.sh BUILD_DIR [SECONDS]}" && pwd)
seconds=${2:-10}
rt_port=${RT_PORT:-18080}
rt_conns=${RT_CONNECTIONS:-4}
work="$build/peer-rt"
rm -rf "$work" && mkdir -p "$work"
export BENCH_WRK_DIR="$PWD/bench/wrk"
password="tousu-bench-$$"

before="$work/packages-before"
dpkg-query -W -f='${Package}\n' | sort >"$before"
cleanup() {
  set +e
  [ -n "${rt_pid:-}" ] && kill "$rt_pid" 2>/dev/null && wait "$rt_pid" 2>/dev/null
  [ -n "${tousu_pid:-}" ] && kill "$tousu_pid" 2>/dev/null && wait "$tousu_pid" 2>/dev/null
  if [ "${KEEP_RT:-0}" != 1 ]; then
    dpkg-query -W -f='${Package}\n' | sort >"$work/packages-after"
    mapfile -t added < <(comm -13 "$before" "$work/packages-after")
    if [ ${#added[@]} -gt 0 ]; then
      echo "peer: removing the ${#added[@]} packages this script installed" >&2
      DEBIAN_FRONTEND=noninteractive flock /tmp/apt.lock apt-get purge -y -qq "${added[@]}" >"$work/purge.log" 2>&1 \
        || echo "peer: apt-get purge failed, see $work/purge.log" >&2
    fi
    rm -rf /var/lib/dbconfig-common/sqlite3/request-tracker5 /etc/request-tracker5
  fi
}
trap cleanup EXIT

echo "peer: installing Request Tracker 5 from Debian (preseeded; this takes a few minutes)" >&2
cat >"$work/preseed" <<PRESEED
request-tracker5 request-tracker5/rtname string tousu-bench
request-tracker5 request-tracker5/organization string bench.invalid
request-tracker5 request-tracker5/correspondaddress string rt@localhost
request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:$rt_port
request-tracker5 request-tracker5/webpath string
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean false
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/initial-root-password password $password
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
exim4-config exim4/dc_eximconfig_configtype select local delivery only; not on a network
PRESEED
flock /tmp/apt.lock debconf-set-selections "$work/preseed"
DEBIAN_FRONTEND=noninteractive flock /tmp/apt.lock apt-get install -y -qq --no-install-recommends \
  request-tracker5 rt5-db-sqlite rt5-standalone >"$work/install.log" 2>&1 \
  || { tail -30 "$work/install.log"; exit 1; }

# The override: no mail leaves the machine (RT writes each message to a file), and the web
# server answers on 127.0.0.1 only.
cat >/etc/request-tracker5/RT_SiteConfig.d/99-tousu-bench.pm <<SITE
Set(\$MailCommand, 'testfile');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $rt_port);
Set(\$WebBaseURL, 'http://127.0.0.1:$rt_port');
Set(@ReferrerWhitelist, qw(127.0.0.1:$rt_port));
Set(\$LogToSTDERR, 'warning');
Set(\$LogToSyslog, undef);
1;
SITE

/usr/share/request-tracker5/libexec/rt-server --host 127.0.0.1 --port "$rt_port" >"$work/rt-server.log" 2>&1 &
rt_pid=$!
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$rt_port/NoAuth/Login.html" && break
  sleep 1
done
curl -s -o /dev/null -c "$work/cookies" -d "user=root&pass=$password" "http://127.0.0.1:$rt_port/NoAuth/Login.html"
cookie=$(awk '$6 ~ /^RT_SID_/ {print $6 "=" $7}' "$work/cookies" | tail -1)
[ -n "$cookie" ] || { echo "peer: RT login gave no session cookie" >&2; cat "$work/rt-server.log" >&2; exit 1; }
# RT 5.0.3+dfsg-3~deb12u7 (a Debian security update) refuses a cookie-authenticated REST2
# POST without an Origin (or Referer) it trusts, as a browser would send: each request names
# RT's own address.
origin="http://127.0.0.1:$rt_port"
code=$(curl -s -o "$work/probe.json" -w '%{http_code}' -H "Cookie: $cookie" -H "Origin: $origin" -H 'Content-Type: application/json' \
  -d '{"Queue":"General","Subject":"probe"}' "http://127.0.0.1:$rt_port/REST/2.0/ticket")
[ "$code" = 201 ] || { echo "peer: REST2 create answered $code: $(cat "$work/probe.json")" >&2; exit 1; }

figure() {  # wrk's JSON line → one field
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}
run_wrk() {  # URL SCRIPT CONNECTIONS ARGS...
  local url=$1 script=$2 conns=$3
  shift 3
  wrk -t2 -c"$conns" -d"${seconds}s" --latency --timeout 30s -s "bench/wrk/$script" "$url" -- "$@" \
    | sed -n 's/^BENCH_JSON //p'
}
echo "peer: RT create load, $rt_conns connections, ${seconds}s" >&2
rt_create=$(run_wrk "http://127.0.0.1:$rt_port" rt_create.lua "$rt_conns" "$cookie" "$origin")
created=$(( $(figure "$rt_create" ok) + 1 ))
echo "peer: RT read load on $created tickets" >&2
rt_read=$(run_wrk "http://127.0.0.1:$rt_port" rt_read.lua "$rt_conns" "$cookie" "$created")
kill "$rt_pid"; wait "$rt_pid" 2>/dev/null || true; rt_pid=

echo "peer: tousu, same loads, 64 connections" >&2
"$build/bench/bench_seed" --data "$work/tousu-data" --complaints 100000 --load-orders 800000 --out "$work/meta.json" 2>"$work/seed.log"
tousu_run() {  # FIRST_ORDER → "FILE_JSON READ_JSON" on one line each
  rm -f "$work/tousu.out"  # else the last run's address could be read before this one's
  "$build/tousu" serve --config "$(dirname "$0")/tousu-bench.toml" --data "$work/tousu-data" --listen 127.0.0.1:0 --log-level warn >"$work/tousu.out" 2>"$work/tousu.log" &
  tousu_pid=$!
  for _ in $(seq 1 100); do grep -qs "http://127.0.0.1:" "$work/tousu.out" && break; sleep 0.1; done
  local url
  url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/tousu.out")
  run_wrk "$url" file.lua 64 "$work/meta.json" "$1" 200000
  run_wrk "$url" read.lua 64 "$work/meta.json"
  kill "$tousu_pid"; wait "$tousu_pid" 2>/dev/null || true; tousu_pid=
}
# As tousu creates its store, then after SQLite's ANALYZE (the planner-statistics fix that
# docs/benchmarks.md describes), each on fresh orders.
tousu_run 0 >"$work/tousu-shipped.jsonl"
mapfile -t shipped <"$work/tousu-shipped.jsonl"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("ANALYZE"); c.commit()' "$work/tousu-data/tousu.db"
tousu_run 400000 >"$work/tousu-analyzed.jsonl"
mapfile -t analyzed <"$work/tousu-analyzed.jsonl"
tousu_file=${shipped[0]}; tousu_read=${shipped[1]}

python3 - "$rt_create" "$rt_read" "$tousu_file" "$tousu_read" "$rt_conns" "$seconds" "${analyzed[0]}" "${analyzed[1]}" <<'PY' | tee "$work/result.md"
import datetime, json, sys
rc, rr, tf, tr = (json.loads(x) for x in sys.argv[1:5])
conns, secs = sys.argv[5], sys.argv[6]
af, ar = json.loads(sys.argv[7]), json.loads(sys.argv[8])
print(f"### tousu vs Request Tracker 5.0.3 (Debian), {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC")
print()
print(f"Same machine, same run, wrk {secs}s each; RT with {conns} connections (its rt-server is one process), "
      "tousu with 64.")
print()
print("| load | RT 5 | tousu as shipped | tousu / RT | tousu after ANALYZE | tousu / RT |")
print("| --- | --- | --- | --- | --- | --- |")
def cell(x):
    return f"{x['ok_per_s']:,.0f}/s (p99 {x['p99_ms']:.1f} ms)" if x["ok"] else f"0/s (no answer in {secs} s)"
def times(x, peer):
    return f"{x['ok_per_s'] / max(peer['ok_per_s'], 1e-9):,.0f}×"
print(f"| create a ticket / file a complaint | {rc['ok_per_s']:.1f}/s (p99 {rc['p99_ms']:.0f} ms) | {cell(tf)} | "
      f"{times(tf, rc)} | {cell(af)} | {times(af, rc)} |")
print(f"| read one by id | {rr['ok_per_s']:.1f}/s (p99 {rr['p99_ms']:.0f} ms) | {cell(tr)} | {times(tr, rr)} | "
      f"{cell(ar)} | {times(ar, rr)} |")
print()
print(f"tousu's store: 100,000 complaints seeded by bench_seed. Answers other than success: RT create "
      f"{rc['not_ok']}, RT read {rr['not_ok']}, tousu file {tf['not_ok']} / {af['not_ok']}, tousu read "
      f"{tr['not_ok']} / {ar['not_ok']}.")
PY
mkdir -p bench/results
cp "$work/result.md" "bench/results/peer-rt-$(date -u +%Y-%m-%d-%H%M).md"
