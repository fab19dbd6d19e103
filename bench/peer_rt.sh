#!/usr/bin/env bash
# make bench-peer: tousu side by side with a real peer, Request Tracker 5 from Debian, on this
# machine and in the same run. Installs request-tracker5 + rt5-db-sqlite + rt5-standalone with
# a debconf preseed (SQLite database, no cron jobs) and a site config override (mail goes to a
# file, never out), runs RT's own rt-server on 127.0.0.1, and drives it with wrk:
#   - create: REST2 POST /REST/2.0/ticket, with the session cookie of a /NoAuth/Login.html login;
#   - read:   REST2 GET  /REST/2.0/ticket/{id} on the tickets created so far.
# tousu takes the same two loads (Release build, a freshly seeded store of 100,000 complaints,
# the connections of make bench), on the store as shipped and on a copy of it after SQLite's
# ANALYZE. ROUNDS rounds (3), each: RT create, RT read, tousu file and read as shipped, the same
# after ANALYZE; every filing load on orders no other load used. A ratio tousu / RT is taken
# within its round; the table gives each round and the medians of the rates and of the ratios.
# Finally it removes every package the script installed (and RT's database and config) unless
# KEEP_RT=1.
#   bench/peer_rt.sh BUILD_DIR [SECONDS]        (ROUNDS=3 in the environment)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:?usage: bench/peer_rt.sh BUILD_DIR [SECONDS]}" && pwd)
seconds=${2:-10}
rounds=${ROUNDS:-3}
rt_port=${RT_PORT:-18080}
rt_conns=${RT_CONNECTIONS:-4}
work="$build/peer-rt"
rm -rf "$work" && mkdir -p "$work"
export BENCH_WRK_DIR="$PWD/bench/wrk"
password="tousu-bench-$$"
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

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

# Each filing load gets a block of orders of its own: ORDERS_PER_THREAD for each of wrk's two
# threads, room for 10,000 filings/s per thread (tousu files well under 10,000/s in all), so
# no order is filed twice across the 2 × ROUNDS filing loads.
orders_per_thread=$(( seconds * 10000 ))
orders_per_load=$(( 2 * orders_per_thread ))
filing_loads=$(( 2 * rounds ))
run_wrk() {  # NAME URL SCRIPT CONNECTIONS ARGS... → $work/NAME.json (wrk's JSON line)
  local name=$1 url=$2 script=$3 conns=$4
  shift 4
  wrk -t2 -c"$conns" -d"${seconds}s" --latency --timeout 30s -s "bench/wrk/$script" "$url" -- "$@" >"$work/$name.out" 2>&1 || true
  if grep -q "out of seeded orders" "$work/$name.out"; then
    echo "peer: $name ran out of seeded orders (see $work/$name.out)" >&2; exit 1
  fi
  sed -n 's/^BENCH_JSON //p' "$work/$name.out" >"$work/$name.json"
  [ -s "$work/$name.json" ] || { echo "peer: $name gave no figures:" >&2; cat "$work/$name.out" >&2; exit 1; }
}
ok_count() {  # NAME → the successful answers of that load
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ok"])' "$work/$1.json"
}

echo "peer: tousu's store, 100,000 complaints and $(( orders_per_load * filing_loads )) spare orders" >&2
"$build/bench/bench_seed" --data "$work/tousu-data" --complaints 100000 \
  --load-orders $(( orders_per_load * filing_loads )) --out "$work/meta.json" 2>"$work/seed.log" \
  || { cat "$work/seed.log" >&2; exit 1; }
# The same store after SQLite's ANALYZE (the planner-statistics fix that docs/benchmarks.md
# describes), as a copy, so that every round loads both.
cp -a "$work/tousu-data" "$work/tousu-data-analyzed"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("ANALYZE"); c.commit()' \
  "$work/tousu-data-analyzed/tousu.db"

tousu_run() {  # SIDE ROUND DATA_DIR FIRST_ORDER → $work/SIDE-file-ROUND.json, $work/SIDE-read-ROUND.json
  rm -f "$work/tousu.out"  # else the last run's address could be read before this one's
  "$build/tousu" serve --config "$(dirname "$0")/tousu-bench.toml" --data "$3" --listen 127.0.0.1:0 --log-level warn >"$work/tousu.out" 2>"$work/tousu-$1-$2.log" &
  tousu_pid=$!
  for _ in $(seq 1 100); do grep -qs "http://127.0.0.1:" "$work/tousu.out" && break; sleep 0.1; done
  local url
  url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/tousu.out") || { echo "peer: tousu did not start:" >&2; cat "$work/tousu-$1-$2.log" >&2; exit 1; }
  run_wrk "$1-file-$2" "$url" file.lua 64 "$work/meta.json" "$4" "$orders_per_thread"
  run_wrk "$1-read-$2" "$url" read.lua 64 "$work/meta.json"
  kill "$tousu_pid"; wait "$tousu_pid" 2>/dev/null || true; tousu_pid=
}

load_at_rounds=$(cut -d' ' -f1-3 /proc/loadavg)
echo "peer: load average $load_at_rounds (at the script's start: $load_at_start); $rounds rounds" >&2
tickets=1  # the probe
block=0
for r in $(seq 1 "$rounds"); do
  echo "peer: round $r/$rounds: RT create, $rt_conns connections, ${seconds}s" >&2
  run_wrk "rt-create-$r" "http://127.0.0.1:$rt_port" rt_create.lua "$rt_conns" "$cookie" "$origin"
  tickets=$(( tickets + $(ok_count "rt-create-$r") ))
  echo "peer: round $r/$rounds: RT read on its $tickets tickets" >&2
  run_wrk "rt-read-$r" "http://127.0.0.1:$rt_port" rt_read.lua "$rt_conns" "$cookie" "$tickets"
  echo "peer: round $r/$rounds: tousu as shipped, 64 connections" >&2
  tousu_run shipped "$r" "$work/tousu-data" $(( block * orders_per_load )); block=$(( block + 1 ))
  echo "peer: round $r/$rounds: tousu after ANALYZE, 64 connections" >&2
  tousu_run analyzed "$r" "$work/tousu-data-analyzed" $(( block * orders_per_load )); block=$(( block + 1 ))
done
kill "$rt_pid"; wait "$rt_pid" 2>/dev/null || true; rt_pid=

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
changed=$(git --no-optional-locks diff --name-only HEAD 2>/dev/null | sed 's|/.*|/|' | sort -u | paste -sd' ' || true)
[ -z "$changed" ] || commit="$commit (built from the working tree, uncommitted changes under: $changed)"
python3 - "$work" "$rounds" "$rt_conns" "$seconds" "$load_at_start" "$load_at_rounds" "$commit" <<'PY' | tee "$work/result.md"
import datetime, json, statistics, sys
work, rounds, conns, secs, load_start, load_rounds, commit = sys.argv[1:8]
rounds = int(rounds)
def load(name):
    return [json.load(open(f"{work}/{name}-{r}.json")) for r in range(1, rounds + 1)]
rc, rr = load("rt-create"), load("rt-read")
tf, tr = load("shipped-file"), load("shipped-read")
af, ar = load("analyzed-file"), load("analyzed-read")
med = statistics.median
def rate(xs):
    return med(x["ok_per_s"] for x in xs)
def p99(xs):
    return med(x["p99_ms"] for x in xs)
def ratios(xs, peer):
    return [x["ok_per_s"] / max(p["ok_per_s"], 1e-9) for x, p in zip(xs, peer)]
def rt_cell(xs):
    return f"{rate(xs):.1f}/s (p99 {p99(xs):,.0f} ms)"
def cell(xs):
    return f"{rate(xs):,.0f}/s (p99 {p99(xs):.1f} ms)"
def times(xs, peer):
    rs = ratios(xs, peer)
    return f"{med(rs):,.0f}× (rounds {' / '.join(f'{x:,.0f}' for x in rs)})"
print(f"### tousu vs Request Tracker 5.0.3 (Debian), {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
print()
print(f"Same machine, same run, commit {commit}. {rounds} rounds, each: RT create, RT read, tousu file and "
      f"read as shipped, the same after ANALYZE; wrk {secs}s each; RT with {conns} connections (its rt-server is "
      "one process), tousu with 64. A figure is the median of the rounds; a ratio is taken within each round "
      f"and the median of those ratios is given. Load average (1/5/15 min) at the start: {load_start}; "
      f"before the first round: {load_rounds}.")
print()
print("| load | RT 5 | tousu as shipped | tousu / RT | tousu after ANALYZE | tousu / RT |")
print("| --- | --- | --- | --- | --- | --- |")
print(f"| create a ticket / file a complaint | {rt_cell(rc)} | {cell(tf)} | {times(tf, rc)} | {cell(af)} | {times(af, rc)} |")
print(f"| read one by id | {rt_cell(rr)} | {cell(tr)} | {times(tr, rr)} | {cell(ar)} | {times(ar, rr)} |")
print()
print("Each round (rates per second; tousu / RT within the round):")
print()
print("| round | RT create | RT read | tousu file | / RT | tousu read | / RT | file after ANALYZE | / RT | read after ANALYZE | / RT |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for i in range(rounds):
    def x(a, p):
        return f"{a[i]['ok_per_s']:,.0f} | {a[i]['ok_per_s'] / max(p[i]['ok_per_s'], 1e-9):,.0f}×"
    print(f"| {i + 1} | {rc[i]['ok_per_s']:.1f} | {rr[i]['ok_per_s']:.1f} | {x(tf, rc)} | {x(tr, rr)} | {x(af, rc)} | {x(ar, rr)} |")
print()
def s(xs):
    return " + ".join(str(x["not_ok"] + x["socket_errors"]) for x in xs)
print(f"tousu's store: 100,000 complaints seeded by bench_seed (the ANALYZE side on a copy of it); each filing "
      f"load on fresh orders. Answers other than success (and socket errors), by round: RT create {s(rc)}, "
      f"RT read {s(rr)}, tousu file {s(tf)} / {s(af)}, tousu read {s(tr)} / {s(ar)}.")
PY
mkdir -p bench/results
cp "$work/result.md" "bench/results/peer-rt-$(date -u +%Y-%m-%d-%H%M).md"
