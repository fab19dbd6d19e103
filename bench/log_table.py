#!/usr/bin/env python3
"""make bench-log: the transparency log's figures at 10^6 leaves, as the median of 3 repetitions.

Runs tousu_log_bench (Google Benchmark) with --benchmark_repetitions, its console output on the
terminal, then prints a Markdown table: for each figure the median of the repetitions and each
repetition's value, with the goal and whether the median meets it. Every ratio to the SHA-256
ceiling is taken within one repetition (against the node-hash rate that repetition measured
right after its appends), then the median of those ratios is given. Writes the figures, with
Google Benchmark's raw JSON, to bench/results/<stamp>-log.json and the table to
bench/results/<stamp>-log.md and latest-log.md.

  bench/log_table.py --build build-release [--repetitions 3] [--out bench/results]
  bench/log_table.py --render bench/results/STAMP-log.json   (the table of a stored run, again)
"""
import argparse, datetime, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def git(*args):
    return subprocess.run(["git", "--no-optional-locks", "-C", ROOT] + list(args),
                          capture_output=True, text=True).stdout


def commit():
    """HEAD's short hash, with -dirty when tracked files differ from it (as git describe --dirty).
    bench/results/ does not count: make bench has just written its own tables there."""
    head = git("rev-parse", "--short", "HEAD").strip()
    dirty = [l[3:] for l in git("status", "--porcelain", "--untracked-files=no").splitlines()
             if l and not l[3:].startswith("bench/results/")]
    return (head + "-dirty" if dirty else head), dirty


def per_us(run):
    """A run's wall time per iteration, in µs."""
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[run.get("time_unit", "ns")]
    return run["real_time"] * scale


def repetitions(raw, function, arg=None):
    """The iteration runs (one per repetition, in order) of a benchmark function [with an arg]."""
    out = []
    for b in raw["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        parts = b["run_name"].split("/")
        if parts[0] == function and (arg is None or (len(parts) > 1 and parts[1] == str(arg))):
            out.append(b)
    return sorted(out, key=lambda b: b.get("repetition_index", 0))


def rates(values, median):
    """Rates in the unit the median reads best in: "1.89 M/s", or "1.75 / 1.89 / 1.89 M/s"."""
    if median >= 1e6:
        scale, unit, digits = 1e6, " M/s", 2
    elif median >= 1e4:
        scale, unit, digits = 1e3, " k/s", 0
    else:
        scale, unit, digits = 1, "/s", 0
    return " / ".join(f"{v / scale:,.{digits}f}" for v in values) + unit


def ratio(v):
    return f"{v:.2g}"


def render(result):
    """The Markdown table of a run, from its stored figures."""
    figures, n = result["figures"], result["params"]["repetitions"]
    memory, hashes = figures["append_memory"], figures["node_hashes_per_s"]

    def goal(ok):
        return "met" if ok else "**missed**"

    def append_row(label, f, goal_text="", verdict=""):
        return (f"| {label} | {rates([f['median']], f['median'])}; {ratio(f['ceiling_ratio_median'])} of the "
                f"ceiling | {rates(f['values'], f['median'])}; {' / '.join(ratio(r) for r in f['ceiling_ratios'])} | "
                f"{goal_text} | {verdict} |")

    def proof_row(label, f):
        return (f"| {label} | {f['median']:.1f} µs | {' / '.join(f'{v:.1f}' for v in f['values'])} µs | "
                f"< 50 µs | {goal(f['median'] < 50)} |")

    lines = [
        f"### tousu log benchmark, {result['date']} (commit {result['git']})", "",
        f"`make bench-log` (`tousu_log_bench`, Release build), {result['machine']['cores']} cores, load average "
        f"before start {result['machine']['loadavg_before'][0]:.2f}. Each figure is the median of {n} "
        f"repetitions, followed by the {n} values in order. Each ratio to the ceiling is taken within one "
        f"repetition, against the raw SHA-256 node-hash rate measured right after its appends; an append's "
        f"ceiling is half that rate. Times are wall time.", "",
        "| figure | median | repetitions | goal | |", "| --- | --- | --- | --- | --- |",
        f"| raw SHA-256 node hashes (measured beside the in-memory appends) | "
        f"{rates([hashes['median']], hashes['median'])} | {rates(hashes['values'], hashes['median'])} | | |",
        append_row("append, in memory (0 to 10^6 leaves)", memory, "≥ 0.5 of the ceiling",
                   goal(memory["ceiling_ratio_median"] >= 0.5)),
        append_row("append through SQLite at 10^6 leaves, 1 per transaction", figures["append_sqlite_1_per_tx"]),
        append_row("the same, 100 per transaction", figures["append_sqlite_100_per_tx"]),
        append_row("the same, 1,000 per transaction", figures["append_sqlite_1000_per_tx"]),
        proof_row("inclusion proof through SQLite at 10^6 leaves", figures["inclusion_proof_sqlite_1e6_us"]),
        proof_row("consistency proof through SQLite at 10^6 leaves", figures["consistency_proof_sqlite_1e6_us"]),
    ]
    if result["errors"]:
        lines += ["", "**Errors:** " + "; ".join(result["errors"])]
    return "\n".join(lines)


def write_table(result, out, stamp):
    """Prints the table and writes it to STAMP.md, and to latest-log.md if STAMP is the newest run."""
    table = render(result)
    print("\n" + table)
    with open(os.path.join(out, f"{stamp}.md"), "w") as f:
        f.write(table + "\n")
    latest = max(x for x in os.listdir(out) if x.endswith("-log.json")) == f"{stamp}.json"
    if latest:
        with open(os.path.join(out, "latest-log.md"), "w") as f:
            f.write(table + "\n")
    print(f"\nbench-log: {os.path.relpath(os.path.join(out, stamp), ROOT)}.json and .md"
          + (", latest-log.md" if latest else "") + " written")


def measure(build, n):
    """Runs the benchmark n times over and returns the run's record (figures and raw JSON)."""
    binary = os.path.join(build, "bench", "tousu_log_bench")
    raw_path = os.path.join(build, "bench", "tousu_log_bench.json")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    git_commit, dirty = commit()

    print(f"bench-log: {binary}, {n} repetitions (the 10^6-leaf tree is built once into "
          f"{os.path.join(build, 'bench-data')}) ...", flush=True)
    if os.path.exists(raw_path):
        os.remove(raw_path)
    rc = subprocess.run([binary, f"--benchmark_repetitions={n}",
                         f"--benchmark_out={raw_path}", "--benchmark_out_format=json"]).returncode
    if rc != 0 or not os.path.exists(raw_path):
        sys.exit(f"bench-log: tousu_log_bench failed (exit {rc})")
    raw = json.load(open(raw_path))
    errors = [f"{b['name']}: {b.get('error_message', '')}" for b in raw["benchmarks"] if b.get("error_occurred")]

    figures = {}

    def appends(key, function, arg=None):
        runs = repetitions(raw, function, arg)
        values = [r["appends_per_s"] for r in runs]
        ratios = [r["ceiling_ratio"] for r in runs]  # each against its own repetition's node hashes
        figures[key] = {"unit": "appends/s", "median": statistics.median(values), "values": values,
                        "ceiling_ratio_median": statistics.median(ratios), "ceiling_ratios": ratios,
                        "node_hashes_per_s": [r["node_hashes_per_s"] for r in runs]}

    def proof(key, function):
        values = [per_us(r) for r in repetitions(raw, function)]
        figures[key] = {"unit": "µs, wall time", "median": statistics.median(values), "values": values}

    appends("append_memory", "BM_AppendMemory")
    for per_tx in (1, 100, 1000):
        appends(f"append_sqlite_{per_tx}_per_tx", "BM_AppendSqliteAt1e6", per_tx)
    proof("inclusion_proof_sqlite_1e6_us", "BM_InclusionProofSqliteAt1e6")
    proof("consistency_proof_sqlite_1e6_us", "BM_ConsistencyProofSqliteAt1e6")
    hashes = figures["append_memory"]["node_hashes_per_s"]
    figures["node_hashes_per_s"] = {"unit": "node hashes/s", "median": statistics.median(hashes), "values": hashes,
                                    "note": "measured in each repetition of BM_AppendMemory, right after its appends"}
    for key, f in figures.items():
        if len(f["values"]) != n:
            errors.append(f"{key}: {len(f['values'])} values, expected {n}")
    return started, {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "git": git_commit, "dirty_files": dirty,
        "machine": {"cores": os.cpu_count(), "loadavg_before": load_before},
        "params": {"repetitions": n, "binary": binary},
        "figures": figures, "errors": errors,
        "google_benchmark": raw,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--render", metavar="STAMP-log.json",
                    help="run nothing: print the table of a stored run again and rewrite its .md")
    a = ap.parse_args()
    if a.render:
        path = os.path.abspath(a.render)
        write_table(json.load(open(path)), os.path.dirname(path), os.path.basename(path)[:-len(".json")])
        return
    started, result = measure(os.path.abspath(a.build), a.repetitions)
    os.makedirs(a.out, exist_ok=True)
    stamp = started.strftime("%Y-%m-%d-%H%M") + "-log"
    with open(os.path.join(a.out, f"{stamp}.json"), "w") as f:
        json.dump(result, f, indent=1)
    write_table(result, a.out, stamp)
    sys.exit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
