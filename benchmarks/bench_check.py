"""``cglib check`` of a 300-entry lock, with 20 ms latency per response.

A small index server (tests/support/fakeindex.py: one PEP 503 / 691 page per
project, each answer delayed by the latency; headers and body in one write,
so that no answer waits for a delayed ACK) and two locks of N pinned
projects, half of them with a hash that differs from the index's: a
requirements.txt with ``--hash`` options and a uv.lock with the same pins.
``cglib check`` reads the lock, fetches each project page once
(concurrently) and compares; the goal is at most 2 s (sequential fetching
alone would take N x latency = 6 s).  The row's detail
gives cglib's CPU time: on a machine busy with other work, the wall time is
mostly waiting for a core.

    python benchmarks/bench_check.py [--entries N] [--latency S] [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

GOAL_SECONDS = 2.0


def build(root: Path, entries: int, index: Any) -> tuple[Path, Path]:
    """Fill ``index`` and write the two locks; returns the locks."""
    req_lines, uv_parts = [], ['version = 1\nrevision = 3\nrequires-python = ">=3.10"\n']
    for n in range(entries):
        name = f"project-{n:04d}"
        wheel = f"project_{n:04d}-1.0-py3-none-any.whl"
        data = f"{name} served".encode()
        index.link(name, wheel, data)
        served = hashlib.sha256(data).hexdigest()
        locked = served if n % 2 else hashlib.sha256(f"{name} old".encode()).hexdigest()
        req_lines.append(f"{name}==1.0 \\\n    --hash=sha256:{locked}\n")
        uv_parts.append(
            f'\n[[package]]\nname = "{name}"\nversion = "1.0"\n'
            'source = { registry = "https://example.org/simple" }\n'
            f'wheels = [\n    {{ url = "https://example.org/files/{wheel}", '
            f'hash = "sha256:{locked}", size = 100 }},\n]\n'
        )
    requirements = root / "requirements.txt"
    requirements.write_text("".join(req_lines))
    uv_lock = root / "uv.lock"
    uv_lock.write_text("".join(uv_parts))
    return requirements, uv_lock


def measure(lock: Path, url: str, env: dict[str, str], runs: int) -> tuple[float, float, int]:
    """Median wall time, median CPU time (user + system) and the exit code."""
    times, cpu, code = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [common.cglib_exe(), "check", str(lock), "--index-url", url, "--json"],
            capture_output=True,
            env=env,
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        )
        code = done.returncode
    return statistics.median(times), statistics.median(cpu), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with common.temp_dir("cglib-bench-check-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        env = common.cglib_env(home)
        fakeindex = common.support("fakeindex")
        served = fakeindex.FakeIndex(store=None, latency=args.latency)
        with fakeindex.serve_http(served) as index:
            locks = build(root, args.entries, index)
            url = index.url
            for lock in locks:
                seconds, cpu, code = measure(lock, url, env, args.runs)
                if code != 7:
                    raise SystemExit(f"cglib check {lock.name} exited {code}, expected 7")
                rows.append(
                    common.Row(
                        f"check {args.entries}-entry {lock.name}, {args.latency * 1000:.0f} ms",
                        seconds,
                        GOAL_SECONDS,
                        unit="s",
                        detail=f"cglib CPU {cpu:.2f} s; sequential pages alone "
                        f"{args.entries * args.latency:.1f} s; load {os.getloadavg()[0]:.1f}",
                    )
                )
    common.emit(rows, as_json=args.json, title="cglib check")


if __name__ == "__main__":
    main()
