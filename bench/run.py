#!/usr/bin/env python3
"""make bench: tousu's load figures on this machine, next to a bare Beast server's ceiling.

Seeds a fresh data directory with N complaints (bench_seed), starts bench_hello_server and
`tousu serve` from a Release build on 127.0.0.1, and runs wrk (Lua scripts in bench/wrk) for
each scenario in ROUNDS rounds; each figure is the median of the rounds and every ratio is taken
within one round (with the complaint cache's hit ratio during each read run). Then it checks that every filing answered 201 is in the store, reads the
server's RSS, serves the same store again with the complaint cache off for the read
rounds alone (what a read costs when it is not cached), times deadline sweeps over the same store (bench_sweep), prints a Markdown table
and writes it, with the raw figures as JSON, to bench/results/. Nothing leaves 127.0.0.1.

  bench/run.py --build build-release [--complaints 1000000] [--rounds 3] [--seconds 10]
"""
import argparse, datetime, json, os, re, shutil, signal, sqlite3, statistics, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def start(argv, log_path):
    log = open(log_path, "w")
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    line = p.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        p.kill()
        sys.exit(f"bench: {argv[0]} did not start: {line!r}; see {log_path}")
    return p, int(m.group(1))


def wrk(url, script, args, seconds, connections, threads):
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            "-s", os.path.join(HERE, "wrk", script), url, "--"] + [str(a) for a in args]
    env = dict(os.environ, BENCH_WRK_DIR=os.path.join(HERE, "wrk"))
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 60)
    m = re.search(r"^BENCH_JSON (\{.*\})$", out.stdout, re.M)
    if not m:
        sys.exit(f"bench: wrk {script} printed no figures:\n{out.stdout}\n{out.stderr}")
    r = json.loads(m.group(1))
    if "error" in out.stderr.lower() or "out of seeded orders" in out.stdout:
        r["wrk_stderr"] = out.stderr.strip()[:500]
    return r


def warm_store(data_dir):
    """Reads the store's files once, start to end (into the kernel's page cache)."""
    for name in ("tousu.db", "tousu.db-wal"):
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb", buffering=0) as f:
            while f.read(8 << 20):
                pass


def rss_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid, limit=900):
    """Waits until the server has drained what the last run left queued (under 5 % of a core
    for a second), so that one scenario's backlog is not billed to the next. Returns seconds."""
    t0 = time.time()
    while time.time() - t0 < limit:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.05:
            break
    return time.time() - t0


def metric(url, name):
    """The sum of a counter over its labels, from the server's /metrics."""
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and line[len(name):len(name) + 1] in (" ", "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def cache_counts(url):
    return (metric(url, "tousu_complaint_cache_hits_total"), metric(url, "tousu_complaint_cache_misses_total"))


def hit_ratio(before, after):
    hits, misses = after[0] - before[0], after[1] - before[1]
    return hits / (hits + misses) if hits + misses else 0.0


def med(values):
    return statistics.median(values) if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--server-threads", type=int, default=0, help="0: tousu's default (one per core)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--analyze", action="store_true",
                    help="run SQLite's ANALYZE on the seeded store before serving (what-if: planner statistics)")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    tousu, hello = os.path.join(build, "tousu"), os.path.join(build, "bench", "bench_hello_server")
    seed, sweep = os.path.join(build, "bench", "bench_seed"), os.path.join(build, "bench", "bench_sweep")
    work = os.path.join(build, "bench-data")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data, meta_path = os.path.join(work, "data"), os.path.join(work, "meta.json")
    per_run_orders = 200_000
    scenario_rounds = 2 * a.rounds  # file and mixed rounds each use a fresh block of orders
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()

    print(f"bench: seeding {a.complaints:,} complaints ...", flush=True)
    subprocess.run([seed, "--data", data, "--complaints", str(a.complaints),
                    "--load-orders", str(per_run_orders * scenario_rounds), "--out", meta_path], check=True)
    meta = json.load(open(meta_path))
    db_bytes = os.path.getsize(os.path.join(data, "tousu.db"))
    if a.analyze:
        print("bench: ANALYZE (planner statistics) ...", flush=True)
        con = sqlite3.connect(os.path.join(data, "tousu.db"))
        con.execute("ANALYZE")
        con.commit()
        con.close()
    store_note = "store after ANALYZE (planner statistics)" if a.analyze else "store as tousu creates it (with its fixed planner statistics)"

    # The store into the page cache, as a server that has been running has its working set.
    # Seeding takes a quarter of an hour, and this machine's kernel pages out file pages left
    # idle for about a minute (a DAMON pageout scheme, seen on 2026-12-03): without this, the
    # first read rounds measured the virtual disk (1.6k reads/s, rising round by round).
    print(f"bench: reading the {db_bytes / 2**30:.1f} GiB store once into the page cache ...", flush=True)
    warm_store(data)

    threads = ["--threads", str(a.server_threads)] if a.server_threads else []
    hello_p, hello_port = start([hello] + (["--threads", str(a.server_threads)] if a.server_threads else []),
                                os.path.join(work, "hello.log"))
    tousu_p, tousu_port = start([tousu, "serve", "--config", os.path.join(os.path.dirname(os.path.abspath(__file__)), "tousu-bench.toml"),
                                 "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn"] + threads,
                                os.path.join(work, "tousu.log"))
    hello_url, tousu_url = f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{tousu_port}"
    c, t, d = a.connections, a.wrk_threads, a.seconds
    order_block = 0
    rounds = []
    file_ranges = []
    mixed_ranges = []
    try:
        # Warm-up, not counted: page cache, connection pools, allocator.
        wrk(hello_url, "hello.lua", [], 2, c, t)
        wrk(tousu_url, "read.lua", [meta_path], 3, c, t)
        for r in range(a.rounds):
            print(f"bench: round {r + 1}/{a.rounds}", flush=True)
            row = {"ceiling": wrk(hello_url, "hello.lua", [], d, c, t)}
            counts = cache_counts(tousu_url)
            row["read"] = wrk(tousu_url, "read.lua", [meta_path], d, c, t)
            row["read"]["cache_hit_ratio"] = hit_ratio(counts, cache_counts(tousu_url))
            first = order_block * per_run_orders
            row["file"] = wrk(tousu_url, "file.lua", [meta_path, first, per_run_orders // t], d, c, t)
            file_ranges.append((first, first + per_run_orders - 1))
            order_block += 1
            row["file"]["drain_seconds"] = wait_idle(tousu_p.pid)
            first = order_block * per_run_orders
            row["mixed"] = wrk(tousu_url, "mixed.lua", [meta_path, first, per_run_orders // t], d, c, t)
            mixed_ranges.append((first, first + per_run_orders - 1))
            order_block += 1
            row["mixed"]["drain_seconds"] = wait_idle(tousu_p.pid)
            row["read_vs_ceiling"] = row["read"]["ok_per_s"] / row["ceiling"]["ok_per_s"]
            rounds.append(row)
            for k in ("ceiling", "read", "file", "mixed"):
                x = row[k]
                print(f"  {k:8s} {x['ok_per_s']:10.1f}/s ok  p99 {x['p99_ms']:8.2f} ms  not_ok {x['not_ok']}  "
                      f"timeouts {x['timeouts']}  drain {x.get('drain_seconds', 0):.0f}s", flush=True)
        rss, hwm = rss_kib(tousu_p.pid)
    finally:
        hello_p.send_signal(signal.SIGTERM)
        tousu_p.send_signal(signal.SIGTERM)
        hello_p.wait(timeout=30)
        tousu_rc = tousu_p.wait(timeout=60)

    # Durability: every 201 of the filing runs is a complaint in the store, after shutdown.
    db = sqlite3.connect(f"file:{os.path.join(data, 'tousu.db')}?mode=ro", uri=True)
    def filed(lo, hi):
        return db.execute("SELECT count(*) FROM complaints WHERE platform_id = 'bench' AND order_no GLOB 'f[0-9]*' "
                          "AND CAST(substr(order_no, 2) AS INTEGER) BETWEEN ? AND ?", (lo, hi)).fetchone()[0]
    durable = [filed(lo, hi) for lo, hi in file_ranges]
    mixed_filed = [filed(lo, hi) for lo, hi in mixed_ranges]
    total = db.execute("SELECT count(*) FROM complaints").fetchone()[0]
    db.close()
    acked = [row["file"]["ok"] for row in rounds]
    sent = [row["file"]["filings_sent"] for row in rounds]
    # wrk stops counting at the end of its run while requests are still in flight; those may
    # commit unseen. So: every 201 is in the store (acked <= in_store) and nothing else is
    # (in_store <= sent).
    durable_ok = all(ak <= st <= sn for ak, st, sn in zip(acked, durable, sent))

    # The read rounds again with the complaint cache off: every read from SQLite. The rounds
    # above draw from 50,000 complaints, which the cache's default 32 MiB holds; this is the
    # figure for reads the cache has not seen (or a server configured without it).
    print("bench: read rounds with the complaint cache off ...", flush=True)
    nocache_cfg = os.path.join(work, "tousu-nocache.toml")
    with open(os.path.join(HERE, "tousu-bench.toml")) as src, open(nocache_cfg, "w") as dst:
        dst.write(src.read() + "\n[cache]\ncomplaint_bytes = 0\n")
    hello_p, hello_port = start([hello] + (["--threads", str(a.server_threads)] if a.server_threads else []),
                                os.path.join(work, "hello-nocache.log"))
    tousu_p, tousu_port = start([tousu, "serve", "--config", nocache_cfg, "--data", data, "--listen", "127.0.0.1:0",
                                 "--log-level", "warn"] + threads, os.path.join(work, "tousu-nocache.log"))
    hello_url, tousu_url = f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{tousu_port}"
    try:
        wrk(tousu_url, "read.lua", [meta_path], 3, c, t)
        for row in rounds:
            row["ceiling_nocache"] = wrk(hello_url, "hello.lua", [], d, c, t)
            row["read_nocache"] = wrk(tousu_url, "read.lua", [meta_path], d, c, t)
            row["read_nocache_vs_ceiling"] = row["read_nocache"]["ok_per_s"] / row["ceiling_nocache"]["ok_per_s"]
            print(f"  read without cache {row['read_nocache']['ok_per_s']:10.1f}/s ok = "
                  f"{row['read_nocache_vs_ceiling']:.0%} of {row['ceiling_nocache']['ok_per_s']:.1f}/s", flush=True)
    finally:
        hello_p.send_signal(signal.SIGTERM)
        tousu_p.send_signal(signal.SIGTERM)
        hello_p.wait(timeout=30)
        tousu_p.wait(timeout=60)

    # Deadline sweeps over the same store: 0 %, then three sweeps that each find 0.1 % of the
    # seeded complaints newly due, then three that each find 1 % (see docs/benchmarks.md).
    sweeps = {"0%": [], "0.1%": [], "1%": []}
    plan = [("0%", 0.0)] * 3 + [("0.1%", 0.001 * i) for i in (1, 2, 3)] + [("1%", 0.003 + 0.01 * i) for i in (1, 2, 3)]
    for label, frac in plan:
        out = subprocess.run([sweep, "--data", data, "--meta", meta_path, "--due-fraction", f"{frac:.6f}"],
                             capture_output=True, text=True, check=True)
        sweeps[label].append(json.loads(out.stdout))

    def fig(key, field):
        return med([row[key][field] for row in rounds])

    result = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "git": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
        "machine": {"cores": os.cpu_count(), "loadavg_before": load_before,
                    "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]},
        "params": vars(a), "seed": {"complaints": a.complaints, "seconds": meta["seed_seconds"], "db_bytes": db_bytes},
        "rounds": rounds, "store": store_note, "durable": {"acked_201": acked, "in_store": durable, "sent": sent, "ok": durable_ok, "mixed_filings_in_store": mixed_filed,
                                      "complaints_total": total, "server_exit": tousu_rc},
        "rss_kib": rss, "rss_peak_kib": hwm, "sweeps": sweeps,
    }
    ceiling = fig("ceiling", "ok_per_s")
    read = fig("read", "ok_per_s")
    ratio = med([row["read_vs_ceiling"] for row in rounds])
    hits = med([row["read"]["cache_hit_ratio"] for row in rounds])
    read_nocache = fig("read_nocache", "ok_per_s")
    ratio_nocache = med([row["read_nocache_vs_ceiling"] for row in rounds])
    filing, filing_p99 = fig("file", "ok_per_s"), fig("file", "p99_ms")
    mixed = fig("mixed", "ok_per_s")
    not_ok = {k: sum(row[k]["not_ok"] for row in rounds) for k in ("read", "file", "mixed")}
    sw = {k: (med([s["seconds"] for s in v]) * 1000, med([s["due"] for s in v]), sum(s["handled"] for s in v))
          for k, v in sweeps.items()}

    def goal(ok):
        return "met" if ok else "**missed**"
    lines = [
        f"### tousu benchmarks, {result['date']} (commit {result['git']})", "",
        f"{os.cpu_count()} cores shared by wrk and the server; {a.complaints:,} complaints seeded "
        f"({db_bytes / 2**30:.1f} GiB store, seeded in {meta['seed_seconds']:.0f} s); wrk -t{t} -c{c} -d{d}s; "
        f"median of {a.rounds} rounds; load average before start {load_before[0]:.2f}; {store_note}.", "",
        "| figure | result | goal | |", "| --- | --- | --- | --- |",
        f"| ceiling: bare Beast hello world | {ceiling:,.0f} req/s (p99 {fig('ceiling', 'p99_ms'):.1f} ms) | | |",
        f"| read a complaint by id, with auth | {read:,.0f} req/s (p99 {fig('read', 'p99_ms'):.1f} ms) = "
        f"{ratio:.0%} of the ceiling; {hits:.1%} answered from the complaint cache | ≥ 50 % of the ceiling | "
        f"{goal(ratio >= 0.5)} |",
        f"| the same with the complaint cache off | {read_nocache:,.0f} req/s (p99 {fig('read_nocache', 'p99_ms'):.1f} ms) = "
        f"{ratio_nocache:.0%} of the ceiling measured in the same rounds (run after the others) | | |",
        f"| file a complaint (durable 201) | "
        f"{(f'{filing:,.0f}/s, p99 {filing_p99:.1f} ms' if filing >= 1 else f'{filing:.1f}/s: {sum(acked)} answers in {a.rounds} × {d} s')} | "
        f"≥ 5,000/s, p99 < 50 ms | "
        f"{goal(filing >= 5000 and filing_p99 < 50)} |",
        f"| mixed 70 % read / 20 % message / 10 % file | {mixed:,.0f} req/s (p99 {fig('mixed', 'p99_ms'):.1f} ms) | | |",
        f"| deadline sweep over the same store, 0 % due | {sw['0%'][0]:.3f} ms | cost proportional to the due "
        f"items | |",
        f"| deadline sweep, 0.1 % due | {sw['0.1%'][0]:,.0f} ms for {sw['0.1%'][1]:,.0f} due "
        f"({1000 * sw['0.1%'][0] / max(sw['0.1%'][1], 1):.0f} µs each) | | |",
        f"| deadline sweep, 1 % due | {sw['1%'][0]:,.0f} ms for {sw['1%'][1]:,.0f} due "
        f"({1000 * sw['1%'][0] / max(sw['1%'][1], 1):.0f} µs each) | | "
        f"{goal(sw['0%'][0] < 10 and 5 <= sw['1%'][0] / max(sw['0.1%'][0], 1e-9) <= 20)} |",
        f"| server RSS after the load, {total:,} complaints | {rss / 1024:.0f} MiB (peak {hwm / 1024:.0f} MiB) | "
        f"< 100 MiB | {goal(rss / 1024 < 100)} |", "",
        f"Durability: the filing runs sent {sum(sent):,} filings and counted {sum(acked):,} answers 201 before wrk "
        f"stopped; after shutdown the store holds {sum(durable):,} of them "
        f"({'every 201 is there' if durable_ok else '**MISSING 201s**'}; the rest were in flight at the end). "
        f"Answers other than 200/201: read {not_ok['read']}, file {not_ok['file']}, mixed {not_ok['mixed']}; "
        f"wrk timeouts (10 s): file {sum(r['file']['timeouts'] for r in rounds)}, "
        f"mixed {sum(r['mixed']['timeouts'] for r in rounds)}.",
    ]
    table = "\n".join(lines)
    print("\n" + table)
    os.makedirs(a.out, exist_ok=True)
    stamp = started.strftime("%Y-%m-%d-%H%M") + ("-analyze" if a.analyze else "")
    with open(os.path.join(a.out, f"{stamp}.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(a.out, f"{stamp}.json"), "w") as f:
        json.dump(result, f, indent=1)
    shutil.copy(os.path.join(a.out, f"{stamp}.md"),
                os.path.join(a.out, "latest-analyze.md" if a.analyze else "latest.md"))
    bad = not durable_ok or tousu_rc != 0
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
