"""Catalogue latency: p50/p95 of create and list with 1 and with 8 concurrent processes.

Run: .venv/bin/python benchmarks/catalogue.py [--ops 50]

The baseline, run in the same process first, is a raw DuckDB connection held open for the whole
run (what a single-user tool would do). vidkit instead opens the file per unit of work so that
other processes can share it; the printed ratios show what that sharing costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.catalogue import Catalogue  # noqa: E402
from vidkit.catalogue._migrations import migrate  # noqa: E402

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from vidkit.catalogue import Catalogue

    path, worker, ops = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    go = path.with_suffix(".go")
    catalogue = Catalogue(path, lock_timeout_s=300)
    while not go.exists():
        time.sleep(0.002)
    create, listing = [], []
    for i in range(ops):
        t = time.perf_counter()
        catalogue.create_project(slug=f"w{worker}-{i}", title="bench")
        create.append(time.perf_counter() - t)
        t = time.perf_counter()
        catalogue.projects()
        listing.append(time.perf_counter() - t)
    print(json.dumps({"create": create, "list": listing}))
    """
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def baseline(folder: Path, ops: int) -> dict[str, list[float]]:
    """The same operations on one DuckDB connection held open throughout."""
    conn = duckdb.connect(str(folder / "baseline.duckdb"))
    migrate(conn)
    cols = "p.id, p.slug, p.title, p.subtitle, p.description, p.width, p.height, p.fps"
    create, listing = [], []
    for i in range(ops):
        t = time.perf_counter()
        conn.execute(
            "INSERT INTO projects (slug, title, created_at, updated_at) "
            "VALUES (?, 'bench', now()::TIMESTAMP, now()::TIMESTAMP)",
            [f"b-{i}"],
        )
        create.append(time.perf_counter() - t)
        t = time.perf_counter()
        conn.execute(f"SELECT {cols} FROM projects p ORDER BY p.updated_at DESC").fetchall()
        listing.append(time.perf_counter() - t)
    conn.close()
    return {"create": create, "list": listing}


def run(folder: Path, processes: int, ops: int) -> tuple[dict[str, list[float]], float]:
    path = folder / f"p{processes}.duckdb"
    Catalogue(path).projects()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(w), str(ops), str(REPO)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(processes)
    ]
    time.sleep(1.0)
    started = time.perf_counter()
    path.with_suffix(".go").touch()
    merged: dict[str, list[float]] = {"create": [], "list": []}
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"worker failed with exit code {proc.returncode}")
        data = json.loads(out)
        for key in merged:
            merged[key] += data[key]
    elapsed = time.perf_counter() - started
    rows = len(Catalogue(path).projects())
    assert rows == processes * ops, f"lost writes: {rows} of {processes * ops}"
    return merged, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=50, help="creates (and lists) per process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        folder = Path(tmp)
        base = baseline(folder, args.ops)
        results = {n: run(folder, n, args.ops) for n in (1, 8)}
    print(f"catalogue latency, {args.ops} creates + {args.ops} lists per process (ms)")
    print(f"{'run':<28}{'create p50':>11}{'p95':>9}{'list p50':>10}{'p95':>9}{'writes/s':>10}")
    b_c50, b_l50 = pct(base["create"], 0.5), pct(base["list"], 0.5)
    print(
        f"{'baseline: 1 open connection':<28}{b_c50:>11.2f}{pct(base['create'], 0.95):>9.2f}"
        f"{b_l50:>10.2f}{pct(base['list'], 0.95):>9.2f}{'':>10}"
    )
    for n, (data, elapsed) in results.items():
        c50, l50 = pct(data["create"], 0.5), pct(data["list"], 0.5)
        rate = n * args.ops / elapsed
        print(
            f"{f'vidkit, {n} process(es)':<28}{c50:>11.2f}{pct(data['create'], 0.95):>9.2f}"
            f"{l50:>10.2f}{pct(data['list'], 0.95):>9.2f}{rate:>10.1f}"
        )
    one, eight = results[1][0], results[8][0]
    print()
    print(f"ratio create p50, vidkit 1 process / baseline: {pct(one['create'], 0.5) / b_c50:8.1f}x")
    print(f"ratio list   p50, vidkit 1 process / baseline: {pct(one['list'], 0.5) / b_l50:8.1f}x")
    print(
        "ratio create p95, 8 processes / 1 process:     "
        f"{pct(eight['create'], 0.95) / pct(one['create'], 0.95):8.1f}x"
    )
    print(
        "median of all create latencies, 8 processes:   "
        f"{statistics.median(eight['create']) * 1000:8.1f} ms"
    )


if __name__ == "__main__":
    main()
