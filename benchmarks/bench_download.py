"""How fast `cglib download` is, against curl + sha256sum and pip, in one run.

Starts the test suite's redirecting index (front on 127.0.0.1, pre-signed
store on 127.0.0.2, bodies sent with sendfile) and times, alternating the
commands and taking medians:

1. one 200 MB wheel through the redirect: ``cglib download`` vs ``curl -L -o``
   followed by ``sha256sum`` vs ``pip download --no-deps`` (isolated pip
   config, no cache); peak RSS of cglib from ``wait4``;
2. 60 small wheels from a server adding 20 ms to every response:
   ``cglib download -r`` vs ``pip download --no-deps -r``.

It prints ratios against the goals (<= 1.0 x curl + sha256sum, <= 0.8 x pip,
RSS < 80 MB; <= 0.3 x pip for the small files), not timed assertions.

    python benchmarks/bench_download.py [--size-mb 200] [--small 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.dists import make_wheel  # noqa: E402
from support.store import IndexWithStore, run_store  # noqa: E402

GOAL_CURL = 1.0
GOAL_PIP_BIG = 0.8
GOAL_RSS_MB = 80
GOAL_PIP_SMALL = 0.3


TIME = "/usr/bin/time"


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run ``command``; return (seconds, peak RSS in MB) of that command alone.

    The peak RSS comes from ``/usr/bin/time -f %M`` when it exists (a child
    forked from this process would count this process's memory too), else
    from ``wait4``."""
    use_time = os.path.exists(TIME)
    rss_file = cwd / ".rss"
    full = [TIME, "-f", "%M", "-o", str(rss_file), *command] if use_time else command
    start = time.perf_counter()
    process = subprocess.Popen(
        full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {stderr[-500:]}")
    if use_time:
        return elapsed, int(rss_file.read_text().split()[-1]) / 1024
    return elapsed, usage.ru_maxrss / 1024


def big_wheel(directory: Path, size_mb: int) -> Path:
    """A real wheel holding ``size_mb`` MB of random data, written in pieces
    so that this process stays small."""
    import zipfile

    path = make_wheel(directory, "bigpkg", "1.0", "py3-none-any")
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("bigpkg/data.bin", date_time=(2026, 1, 1, 0, 0, 0))
        with archive.open(info, "w", force_zip64=True) as member:
            for _ in range(size_mb):
                member.write(os.urandom(1 << 20))
    return path


def tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found")
    return found


def environment(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CGLIB_", "CHAINGUARD_", "PIP_")) and "proxy" not in k.lower()
    }
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        NO_PROXY="*",
    )
    return env


def compare(
    runs: int, commands: dict[str, Callable[[int], tuple[float, float]]]
) -> dict[str, tuple[float, float]]:
    """Median seconds and max RSS of each command, alternating their order."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, float] = dict.fromkeys(commands, 0.0)
    names = list(commands)
    for run in range(runs):
        order = names if run % 2 == 0 else names[::-1]
        for name in order:
            seconds, peak = commands[name](run)
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)
    for name in names:
        shown = ", ".join(f"{t:.3f}" for t in times[name])
        print(f"  {name:<22} median {statistics.median(times[name]):.3f}s  [{shown}]")
    return {name: (statistics.median(times[name]), rss[name]) for name in names}


def fresh_dir(work: Path, name: str) -> Path:
    """An output directory that does not exist yet (the tools create it)."""
    path = work / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def pip_download(pip: str, dest: Path, index: str, *requirement: str) -> list[str]:
    """`pip download --no-deps` of ``requirement`` (names or ``-r FILE``) into ``dest``."""
    return [
        pip,
        "download",
        "--no-deps",
        "--no-cache-dir",
        "-q",
        "-d",
        str(dest),
        "--index-url",
        index,
        *requirement,
    ]


def verdict(label: str, value: float, goal: float, *, below: bool = True) -> None:
    ok = value <= goal if below else value >= goal
    print(f"  {label:<44} {value:6.2f}  (goal <= {goal})  {'ok' if ok else 'MISSED'}")


def bench_big(
    store: IndexWithStore, work: Path, env: dict[str, str], size_mb: int, runs: int
) -> None:
    print(f"\n== one {size_mb} MB wheel through the redirect ({runs} runs each) ==")
    wheel = big_wheel(work, size_mb)
    stored = store.add("bigpkg", wheel.name, source=wheel)
    wheel.unlink()
    file_url = f"http://{store.username}:{store.password}@127.0.0.1:{store.front_port}"
    file_url += f"/files/{stored.id}/{wheel.name}"
    cglib, pip = tool("cglib"), tool("pip")
    index = store.index_url_with_credentials

    def out(name: str, run: int) -> Path:
        return fresh_dir(work, f"{name}-{run}")

    def run_cglib(run: int) -> tuple[float, float]:
        return timed(
            [cglib, "download", "bigpkg", "-d", str(out("cglib", run)), "-q", "--index-url", index],
            env,
            work,
        )

    def run_curl(run: int) -> tuple[float, float]:
        target = out("curl", run)
        target.mkdir()
        first, rss = timed(["curl", "-sSfL", "-o", str(target / wheel.name), file_url], env, work)
        second, _ = timed(["sha256sum", str(target / wheel.name)], env, work)
        return first + second, rss

    def run_pip(run: int) -> tuple[float, float]:
        return timed(pip_download(pip, out("pip", run), index, "bigpkg==1.0"), env, work)

    results = compare(
        runs,
        {"cglib download": run_cglib, "curl -L + sha256sum": run_curl, "pip download": run_pip},
    )
    cg, cg_rss = results["cglib download"]
    verdict("cglib / (curl + sha256sum)", cg / results["curl -L + sha256sum"][0], GOAL_CURL)
    verdict("cglib / pip download", cg / results["pip download"][0], GOAL_PIP_BIG)
    verdict("cglib peak RSS (MB)", cg_rss, GOAL_RSS_MB)
    print(
        f"  (pip peak RSS {results['pip download'][1]:.0f} MB; "
        f"cglib {size_mb / cg:.0f} MB/s end to end)"
    )


def bench_small(
    store: IndexWithStore, work: Path, env: dict[str, str], count: int, runs: int
) -> None:
    print(f"\n== {count} small wheels, 20 ms added to every response ({runs} runs each) ==")
    names = [f"small{i:03d}" for i in range(count)]
    for name in names:
        wheel = make_wheel(work, name, "1.0", "py3-none-any", payload=name.encode() * 200)
        store.add(name, wheel.name, source=wheel)
        wheel.unlink()
    requirements = work / "requirements.txt"
    requirements.write_text("".join(f"{name}==1.0\n" for name in names))
    store.latency = 0.02
    cglib, pip = tool("cglib"), tool("pip")
    index = store.index_url_with_credentials

    def out(name: str, run: int) -> Path:
        return fresh_dir(work, f"small-{name}-{run}")

    def run_cglib(run: int) -> tuple[float, float]:
        return timed(
            [
                cglib,
                "download",
                "-r",
                str(requirements),
                "-d",
                str(out("cglib", run)),
                "-q",
                "--index-url",
                index,
            ],
            env,
            work,
        )

    def run_pip(run: int) -> tuple[float, float]:
        return timed(pip_download(pip, out("pip", run), index, "-r", str(requirements)), env, work)

    results = compare(runs, {"cglib download -r": run_cglib, "pip download -r": run_pip})
    verdict(
        "cglib / pip download -r",
        results["cglib download -r"][0] / results["pip download -r"][0],
        GOAL_PIP_SMALL,
    )
    store.latency = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--small", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cglib-bench-dl-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        env = environment(home)
        with run_store(work / "store") as store:
            print(
                f"front {store.index_url} -> store 127.0.0.2:{store.store_port}; "
                f"{os.cpu_count()} CPUs"
            )
            if args.size_mb:
                bench_big(store, work, env, args.size_mb, args.runs)
            if args.small:
                bench_small(store, work, env, args.small, args.runs)


if __name__ == "__main__":
    main()
