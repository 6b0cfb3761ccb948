"""Start-up: ``cglib --version``, ``cglib --help`` and ``cglib versions --help``
against ``pip --version``.

Times the installed console scripts (alternated, median of --runs), their
peak RSS, and checks what ``cglib --help`` imports (``python -X importtime``):
no network stack (httpx, httpcore, anyio), no keyring, no rich, no
packaging, must load before a command needs them.

    python benchmarks/bench_startup.py [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

GOAL_VERSION = 0.6  # cglib --version / pip --version
GOAL_HELP = 1.0  # cglib --help / pip --version
#: Packages that `cglib --help` must not import (loaded where they are used).
HEAVY = ("httpx", "httpcore", "anyio", "h11", "keyring", "rich", "packaging", "platformdirs")


def measure(runs: int) -> list[common.Row]:
    with common.temp_dir() as tmp:
        home = Path(tmp)
        cenv = common.cglib_env(home)
        penv = common.pip_env(home)
        cglib, pip = common.cglib_exe(), common.pip_exe()
        commands = {
            "cglib --version": common.Command([cglib, "--version"], cenv),
            "cglib --help": common.Command([cglib, "--help"], cenv),
            "cglib versions --help": common.Command([cglib, "versions", "--help"], cenv),
            "pip --version": common.Command([pip, "--version"], penv),
        }
        assert common.output_of(commands["cglib --version"]).startswith("cglib ")
        assert "versions" in common.output_of(commands["cglib --help"])
        timed = common.compare(commands, runs=runs)
        costs = common.import_costs(["-m", "cglib", "--help"], cenv)

    pip_s = timed["pip --version"].median
    version, help_ = timed["cglib --version"], timed["cglib --help"]
    heavy = [name for name in HEAVY if name in costs]
    imports = ", ".join(f"{name} {ms:.0f} ms" for name, ms in list(costs.items())[:4])
    return [
        common.Row(
            "start-up: cglib --version / pip --version",
            version.median / pip_s,
            GOAL_VERSION,
            detail=f"{version.median * 1000:.0f} ms vs {pip_s * 1000:.0f} ms",
            limit="interpreter start (python -c pass) and site-packages .pth processing",
        ),
        common.Row(
            "start-up: cglib --help / pip --version",
            help_.median / pip_s,
            GOAL_HELP,
            detail=f"{help_.median * 1000:.0f} ms; imports: {imports}",
            limit="typer (command tree and help rendering)",
        ),
        common.Row(
            "start-up: cglib versions --help / pip --version",
            timed["cglib versions --help"].median / pip_s,
            None,
            detail=f"{timed['cglib versions --help'].median * 1000:.0f} ms "
            "(typer, and the one command module it loads)",
        ),
        common.Row(
            "start-up: heavy imports in cglib --help",
            float(len(heavy)),
            0,
            unit="modules",
            detail=", ".join(heavy) if heavy else f"none of {', '.join(HEAVY)}",
        ),
        common.Row(
            "peak RSS: cglib --help",
            help_.rss_mb,
            None,
            unit="MB",
            detail=f"--version {version.rss_mb:.0f} MB, pip --version "
            f"{timed['pip --version'].rss_mb:.0f} MB",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="alternated rounds (median)")
    parser.add_argument("--json", action="store_true", help="one JSON document (for run.py)")
    args = parser.parse_args()
    rows = measure(args.runs)
    common.emit(rows, as_json=args.json, title=f"start-up, median of {args.runs} alternated runs")


if __name__ == "__main__":
    main()
