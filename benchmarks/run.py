"""Run every cglib benchmark and print one table of results against the goals.

    python benchmarks/run.py                 # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick         # fewer rounds, smaller cases (a smoke test)
    python benchmarks/run.py --cases startup,versions
    python benchmarks/run.py --write-docs    # also put the results into docs/performance.md

It first checks what it needs (cglib, pip, pypiserver and passlib in this
interpreter's environment, curl and sha256sum on PATH) and installs what is
missing: ``pip install -e .[test]`` into this environment, ``apt-get install
curl`` when run as root.  Every server it talks to runs on 127.0.0.1.

Each case is a script in this folder run as a subprocess.  Scripts that
accept ``--json`` and print ``{"rows": [...]}`` (see ``common.emit``) add rows
to the table; the output of any other script is shown as it printed it.  A
script that does not exist (yet) is reported as "not available".
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DOCS = common.REPO / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class Case:
    name: str
    script: str
    what: str
    #: Arguments for --quick, used only if the script's --help mentions the option.
    quick: list[str] = field(default_factory=list)
    timeout: float = 1800


CASES = [
    Case(
        "startup",
        "bench_startup.py",
        "cglib --version / --help vs pip --version",
        ["--runs", "5"],
    ),
    Case(
        "versions",
        "bench_versions.py",
        "cglib versions vs pip index versions (six; 100k files)",
        ["--runs", "3", "--files", "20000"],
    ),
    Case("parse", "bench_parse.py", "parsing 100k-file and 600k-name pages", ["--runs", "2"]),
    Case(
        "search",
        "bench_search.py",
        "search over 600k names, warm and cold",
        ["--quick", "--runs", "3"],
    ),
    Case(
        "download",
        "bench_download.py",
        "200 MB download and 60 small files vs curl + sha256sum and pip download",
        ["--quick", "--runs", "3"],
    ),
    Case(
        "resolve",
        "bench_resolve.py",
        "resolving + downloading a 11-wheel closure, 20 ms latency, vs pip download",
        ["--runs", "3"],
    ),
    Case(
        "check", "bench_check.py", "cglib check of a 300-entry lock, 20 ms latency", ["--runs", "3"]
    ),
]


@dataclass
class Outcome:
    case: Case
    status: str  # "ok", "failed", "not available"
    seconds: float = 0.0
    rows: list[common.Row] = field(default_factory=list)
    text: str = ""


# -- what the benchmarks need ---------------------------------------------------------------


def ensure_requirements(*, install: bool) -> list[str]:
    """Check (and, if allowed, install) what the benchmarks need; return warnings."""
    warnings = []
    missing = [
        module
        for module in ("cglib", "pypiserver", "passlib", "httpx", "typer")
        if importlib.util.find_spec(module) is None
    ]
    if not (common.BIN / "cglib").exists() and not shutil.which("cglib"):
        missing.append("cglib (console script)")
    if importlib.util.find_spec("pip") is None:
        missing.append("pip")
    if missing:
        if not install:
            raise SystemExit(f"missing: {', '.join(missing)}; see benchmarks/README.md")
        print(f"installing what is missing ({', '.join(missing)}): pip install -e .[test]")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-e", f"{common.REPO}[test]"],
            check=True,
        )
    for tool, package in (("curl", "curl"), ("sha256sum", "coreutils")):
        if shutil.which(tool):
            continue
        can_apt = install and shutil.which("apt-get") and hasattr(os, "geteuid")
        if can_apt and os.geteuid() == 0:
            print(f"installing {tool}: apt-get install {package}")
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False)
        if not shutil.which(tool):
            warnings.append(f"{tool} is not on PATH: the comparisons with it are skipped")
    return warnings


# -- running the cases -------------------------------------------------------------------


def script_help(path: Path) -> str:
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        done = subprocess.run(
            [sys.executable, str(path), "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.stdout + done.stderr
    return ""


def arguments(case: Case, help_text: str, *, quick: bool, runs: int | None) -> list[str]:
    """The options to pass: only those the script's --help shows it understands."""
    args: list[str] = []
    if "--json" in help_text:
        args.append("--json")
    if runs is not None and "--runs" in help_text:
        args += ["--runs", str(runs)]
    elif quick:
        pairs: list[list[str]] = []
        for item in case.quick:
            if item.startswith("--"):
                pairs.append([item])
            elif pairs:
                pairs[-1].append(item)
        for pair in pairs:
            if pair[0] in help_text:
                args += pair
    return args


def run_case(case: Case, *, quick: bool, runs: int | None) -> Outcome:
    path = common.BENCHMARKS / case.script
    if not path.exists():
        return Outcome(case, "not available", text=f"benchmarks/{case.script} does not exist")
    args = arguments(case, script_help(path), quick=quick, runs=runs)
    print(f"== {case.name}: {case.script} {' '.join(args)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(path), *args],
            capture_output=True,
            text=True,
            timeout=case.timeout,
            check=False,
            cwd=common.REPO,
        )
    except subprocess.TimeoutExpired:
        return Outcome(case, "failed", case.timeout, text=f"timed out after {case.timeout:.0f} s")
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        return Outcome(case, "failed", seconds, text=f"exit {done.returncode}:\n{tail}")
    rows = rows_from(done.stdout)
    text = "" if rows else done.stdout.rstrip()
    return Outcome(case, "ok", seconds, rows=rows, text=text)


def rows_from(stdout: str) -> list[common.Row]:
    """Rows from a ``common.emit(..., as_json=True)`` document, if that is what was printed."""
    for line in reversed(stdout.strip().splitlines()):
        with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
            doc = json.loads(line)
            return [common.Row.from_json(row) for row in doc["rows"]]
    return []


# -- the report ---------------------------------------------------------------------------


def summary_rows(outcomes: list[Outcome]) -> list[common.Row]:
    rows: list[common.Row] = []
    for outcome in outcomes:
        if outcome.rows:
            rows += outcome.rows
        elif outcome.status == "ok":
            rows.append(
                common.Row(
                    f"{outcome.case.name}: {outcome.case.what}",
                    None,
                    None,
                    detail=f"see the {outcome.case.script} output below",
                )
            )
        else:
            lines = outcome.text.strip().splitlines()
            first = lines[0] if lines else ""
            if len(lines) > 1:
                first += f" ... {lines[-1]}"
            rows.append(
                common.Row(
                    f"{outcome.case.name}: {outcome.case.what}",
                    None,
                    None,
                    detail=f"{outcome.status}: {first}",
                )
            )
    return rows


def machine_line(info: dict[str, str]) -> str:
    return (
        f"{info.get('cpus')} CPUs ({info.get('cpu')}), {info.get('memory')} RAM, "
        f"{info.get('os')}, Python {info.get('python')}, cglib {info.get('cglib')}, "
        f"pip {info.get('pip')}, curl {info.get('curl', 'absent')}"
    )


def report(
    outcomes: list[Outcome], info: dict[str, str], *, markdown: bool, when: str, mode: str
) -> str:
    rows = summary_rows(outcomes)
    lines = []
    if markdown:
        lines += [
            f"Run of {when} ({mode}), `python benchmarks/run.py`, on: {machine_line(info)}.",
            "",
            common.table(rows, markdown=True),
        ]
    else:
        lines += [
            f"cglib benchmarks, {when} ({mode})",
            f"machine: {machine_line(info)}",
            "ratios are cglib / the other tool (medians of alternated runs); lower is better",
            "",
            common.table(rows),
        ]
    for outcome in outcomes:
        if outcome.status == "ok" and outcome.text:
            title = f"{outcome.case.script} ({outcome.seconds:.0f} s)"
            if markdown:
                lines += ["", f"Output of `{title}`:", "", "```", outcome.text, "```"]
            else:
                lines += ["", f"-- {title}", outcome.text]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    """Replace the results section of docs/performance.md with ``text``."""
    doc = DOCS.read_text() if DOCS.exists() else ""
    if START not in doc or END not in doc:
        raise SystemExit(f"{DOCS} has no {START} ... {END} section to replace")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{text}\n{END}{tail}")
    print(f"wrote the results into {DOCS.relative_to(common.REPO)}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [case.name for case in CASES]
    parser.add_argument(
        "--cases",
        default=",".join(names),
        help=f"comma-separated, from: {', '.join(names)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller cases")
    parser.add_argument("--runs", type=int, help="rounds for every script that takes --runs")
    parser.add_argument("--no-install", action="store_true", help="only check requirements")
    parser.add_argument("--json", metavar="FILE", help="also save the rows as JSON")
    parser.add_argument(
        "--write-docs", action="store_true", help="put the results into docs/performance.md"
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.cases.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)} (choose from {', '.join(names)})")

    for warning in ensure_requirements(install=not args.no_install):
        print(f"warning: {warning}", file=sys.stderr)
    info = common.machine()
    when = time.strftime("%Y-%m-%d")
    mode = "quick" if args.quick else "full"
    outcomes = [
        run_case(case, quick=args.quick, runs=args.runs) for case in CASES if case.name in chosen
    ]
    print(report(outcomes, info, markdown=False, when=when, mode=mode))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "machine": info,
                    "date": when,
                    "mode": mode,
                    "rows": [row.to_json() for row in summary_rows(outcomes)],
                },
                indent=2,
            )
        )
    if args.write_docs:
        write_docs(report(outcomes, info, markdown=True, when=when, mode=mode))
    if any(outcome.status == "failed" for outcome in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
