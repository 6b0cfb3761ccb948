"""Shared helpers for the benchmarks: timing commands, isolated environments, local servers.

Every benchmark runs programs the way a user would (as subprocesses), on this
machine only (servers on 127.0.0.1), and compares cglib with what the user
would run instead.  The machine is noisy, so commands are *alternated* round
by round (A B, B A, A B, ...) and the *median* of the rounds is reported, with
the peak resident memory (RSS) of each command taken from ``os.wait4``.

Import from a script in this folder with ``import common`` (this folder is on
``sys.path`` when a script here runs) or ``from benchmarks import common``.

Run ``python benchmarks/common.py serve DIR [--latency S] [--port N]`` to serve
a folder over HTTP on 127.0.0.1 with an optional delay before each response
(what :func:`static_server` starts).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "benchmarks"
TESTS = REPO / "tests"
BIN = Path(sys.executable).parent

#: Besides what the test suite scrubs: what would change what pip or cglib do.
_ALSO_PREFIXES = ("PIP_",)
_ALSO = (
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONDONTWRITEBYTECODE",  # a user's install has its .pyc files
)


# -- environments ---------------------------------------------------------------------


def clean_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``os.environ`` with its own HOME/XDG dirs and nothing that could change a result.

    The keyring is the null backend, so no desktop keyring is ever asked (cglib
    gets its credentials from the environment or the URL in every benchmark).
    """
    env = support("isolation").isolated_env(home, also_prefixes=_ALSO_PREFIXES, also=_ALSO)
    for sub in (".config", ".cache", ".local/share", ".local/state"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra or {})
    return env


def pip_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An isolated pip: no config file, no prompts, no self-check, no cache."""
    env = clean_env(home, extra)
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INPUT="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_CACHE_DIR="1",
        PIP_NO_PYTHON_VERSION_WARNING="1",
        PIP_ROOT_USER_ACTION="ignore",
    )
    return env


def cglib_env(
    home: Path,
    username: str | None = None,
    password: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An isolated cglib; credentials (if given) through CGLIB_USERNAME/CGLIB_PASSWORD."""
    env = clean_env(home, extra)
    env["CGLIB_NO_INPUT"] = "1"
    if username is not None and password is not None:
        env.update(CGLIB_USERNAME=username, CGLIB_PASSWORD=password)
    return env


def executable(name: str) -> str:
    """A console script beside this interpreter (the benchmark venv), else on PATH."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed: see benchmarks/README.md")
    return found


def cglib_exe() -> str:
    return executable("cglib")


def pip_exe() -> str:
    return executable("pip")


# -- timing ---------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    max_rss_kb: int
    returncode: int


@dataclass
class Measured:
    """The samples of one command over several alternated rounds."""

    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def best(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def rss_mb(self) -> float:
        """Peak RSS over the rounds, in MB (10^6 bytes)."""
        return max(s.max_rss_kb for s in self.samples) * 1024 / 1e6

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "median_s": round(self.median, 5),
            "best_s": round(self.best, 5),
            "runs": len(self.samples),
            "rss_mb": round(self.rss_mb, 1),
        }


@dataclass
class Command:
    """A command line to time, with its environment and what counts as success."""

    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    cwd: str | Path | None = None
    ok_codes: tuple[int, ...] = (0,)
    #: Run before every timed run (untimed): e.g. empty the download folder.
    before: object = None


def run_once(command: Command) -> Sample:
    """Run ``command`` once: wall time, the child's peak RSS (``wait4``), exit code.

    Output goes to a temporary file (not a pipe), so the reader costs nothing.
    """
    if callable(command.before):
        command.before()
    # wait4's ru_maxrss can include the pages of the (large) parent the child was
    # forked from; GNU time measures the command alone, so use it when present.
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss_file:
        argv = [str(a) for a in command.argv]
        if gnu_time:
            argv = [gnu_time, "-f", "%M", "-o", rss_file.name, *argv]
        start = time.perf_counter()
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=dict(command.env) if command.env is not None else None,
            cwd=command.cwd,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in command.ok_codes:
            out.seek(0)
            tail = out.read()[-2000:].decode(errors="replace")
            raise RuntimeError(
                f"{' '.join(map(str, command.argv))} exited {process.returncode}:\n{tail}"
            )
        peak_kb = int(usage.ru_maxrss)
        if gnu_time:
            text = rss_file.read().strip().splitlines()
            if text and text[-1].isdigit():
                peak_kb = int(text[-1])
    return Sample(seconds, peak_kb, process.returncode)


def compare(commands: Mapping[str, Command], runs: int = 7, warmup: int = 1) -> dict[str, Measured]:
    """Time every command ``runs`` times, alternating their order round by round.

    Round ``i`` runs the commands forwards when ``i`` is even, backwards when
    odd, so neither side always runs first (on a warm or a cold cache).  The
    ``warmup`` rounds are not counted (they fill the page cache and .pyc files).
    """
    labels = list(commands)
    results = {label: Measured(label) for label in labels}
    for _ in range(warmup):
        for label in labels:
            run_once(commands[label])
    for round_ in range(runs):
        order = labels if round_ % 2 == 0 else labels[::-1]
        for label in order:
            results[label].samples.append(run_once(commands[label]))
    return results


def output_of(command: Command) -> str:
    """stdout of ``command`` (checked), to make sure it did what we time."""
    done = subprocess.run(
        list(command.argv),
        capture_output=True,
        text=True,
        env=dict(command.env) if command.env is not None else None,
        cwd=command.cwd,
        check=False,
    )
    if done.returncode not in command.ok_codes:
        raise RuntimeError(
            f"{' '.join(map(str, command.argv))} exited {done.returncode}: {done.stderr[-2000:]}"
        )
    return done.stdout


def import_costs(argv: Sequence[str], env: Mapping[str, str] | None = None) -> dict[str, float]:
    """Milliseconds of import time by top-level package for ``python -X importtime ARGV``.

    ``argv`` starts after the interpreter (e.g. ``["-m", "cglib", "--help"]``).  The
    *self* times of every module are added up by the first part of its name, so
    the figures partition the whole import time ("cglib", "typer", "httpx", ...);
    the standard library is one entry, "(stdlib)".
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else None,
        check=False,
    )
    costs: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        self_us, name = parts[0].strip(), parts[2].strip()
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top.startswith("_") or top in ("site", "encodings"):
            top = "(stdlib)"
        costs[top] = costs.get(top, 0.0) + int(self_us) / 1000
    return dict(sorted(costs.items(), key=lambda item: -item[1]))


# -- results ----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table: a ratio (or a value) against its goal.

    ``value`` is the measured figure: a ratio of medians (cglib / the other
    tool) when ``unit`` is ``"x"``, else seconds or MB.  Lower is better
    everywhere; a goal is met when ``value <= goal`` (``< goal`` for ``"MB"``).
    """

    case: str
    value: float | None
    goal: float | None
    unit: str = "x"
    detail: str = ""
    limit: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None or self.goal is None:
            return None
        return self.value < self.goal if self.unit == "MB" else self.value <= self.goal

    def to_json(self) -> dict[str, object]:
        return {
            "case": self.case,
            "value": None if self.value is None else round(self.value, 4),
            "goal": self.goal,
            "unit": self.unit,
            "met": self.met,
            "detail": self.detail,
            "limit": self.limit,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Row:
        value, goal = data.get("value"), data.get("goal")
        return cls(
            case=str(data["case"]),
            value=float(value) if isinstance(value, (int, float)) else None,
            goal=float(goal) if isinstance(goal, (int, float)) else None,
            unit=str(data.get("unit", "x")),
            detail=str(data.get("detail", "")),
            limit=str(data.get("limit", "")),
        )


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "x":
        return f"{value:.2f} x"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:g} {unit}"


def fmt_goal(goal: float | None, unit: str) -> str:
    if goal is None:
        return "-"
    return ("< " if unit == "MB" else "<= ") + fmt_value(goal, unit)


def verdict(row: Row) -> str:
    return {True: "met", False: "NOT met", None: "-"}[row.met]


def table(rows: Sequence[Row], *, markdown: bool = False) -> str:
    """The rows as an aligned text table, or a Markdown table."""
    header = ["case", "measured", "goal", "verdict", "detail"]
    body = [
        [r.case, fmt_value(r.value, r.unit), fmt_goal(r.goal, r.unit), verdict(r), r.detail]
        for r in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body
        ]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *body]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def emit(rows: Sequence[Row], *, as_json: bool, title: str) -> None:
    """Print the rows: a table for people, or one JSON document for run.py."""
    if as_json:
        print(json.dumps({"title": title, "rows": [r.to_json() for r in rows]}))
    else:
        print(title)
        print(table(rows))


# -- the machine ------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    info = {
        "cpus": str(os.cpu_count() or "?"),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for name, argv in (
        ("cglib", [sys.executable, "-c", "import cglib.__about__ as a; print(a.__version__)"]),
        ("pip", [sys.executable, "-m", "pip", "--version"]),
        ("curl", ["curl", "--version"]),
    ):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
            words = text.split()
            info[name] = words[1] if name != "cglib" and len(words) > 1 else text.strip()
    return info


# -- servers ----------------------------------------------------------------------------


def support(name: str = "servers") -> ModuleType:
    """``tests/support/NAME.py`` (shared with the integration tests): servers, dists."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    return importlib.import_module(f"support.{name}")


@contextlib.contextmanager
def pypiserver(packages: Path, workdir: Path) -> Iterator[Any]:
    """A real pypiserver over ``packages`` with Basic auth on every request.

    Yields ``tests.support.servers.PypiServer`` (``.url``,
    ``.url_with_credentials``, ``.username``, ``.password``).
    """
    servers = support()
    with servers.run_pypiserver(packages, workdir) as server:
        yield server


def free_port() -> int:
    return int(support().free_port())


@dataclass
class StaticServer:
    url: str  # http://127.0.0.1:PORT/ (ends with a slash)
    root: Path
    latency: float


@contextlib.contextmanager
def static_server(root: Path, *, latency: float = 0.0) -> Iterator[StaticServer]:
    """Serve ``root`` on 127.0.0.1 from a child process, ``latency`` s before each response.

    A folder ``X/`` is answered with ``X/index.html`` (so a generated
    ``simple/project/index.html`` is a PEP 503 page); ``.html`` files go out as
    ``text/html``.  HTTP/1.1 keep-alive, one thread per connection.
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "serve",
                str(root),
                "--port",
                str(port),
                "--latency",
                str(latency),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            support().wait_for_port("127.0.0.1", port, process)
            yield StaticServer(f"http://127.0.0.1:{port}/", root, latency)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _serve(root: Path, port: int, latency: float) -> None:
    import http.server
    from functools import partial

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: with Nagle's algorithm on, the
        # body of a small response waits for the client's delayed ACK (~40 ms).
        disable_nagle_algorithm = True
        extensions_map = {  # noqa: RUF012 - class attribute of the stdlib handler
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".html": "text/html; charset=utf-8",
            ".whl": "application/octet-stream",
            ".gz": "application/octet-stream",
        }

        def send_head(self):  # type: ignore[no-untyped-def]
            if latency:
                time.sleep(latency)
            return super().send_head()

        def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
            # Big writes: the stdlib default of 64 KiB makes the server the bottleneck.
            shutil.copyfileobj(source, outputfile, 1024 * 1024)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), partial(Handler, directory=str(root))
    )
    server.daemon_threads = True
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def temp_dir(prefix: str = "cglib-bench-") -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix)


def _main(argv: Sequence[str]) -> None:
    import argparse
    import signal

    parser = argparse.ArgumentParser(description="Serve a folder on 127.0.0.1.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("root", type=Path)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds before each response")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _serve(args.root, args.port, args.latency)


if __name__ == "__main__":
    _main(sys.argv[1:])
