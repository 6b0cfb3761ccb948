"""The benchmark helpers (benchmarks/common.py, benchmarks/run.py) measure what they say."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import common  # noqa: E402
import run as bench_run  # noqa: E402


def _python(code: str) -> common.Command:
    return common.Command([sys.executable, "-c", code])


def test_compare_alternates_order_and_takes_medians(tmp_path: Path) -> None:
    log = tmp_path / "order"
    commands = {label: _python(f"open({str(log)!r}, 'a').write({label!r})") for label in ("a", "b")}
    results = common.compare(commands, runs=4, warmup=1)
    # warm-up a b, then a b | b a | a b | b a
    assert log.read_text() == "ab" + "ab" + "ba" + "ab" + "ba"
    assert [len(results[label].samples) for label in "ab"] == [4, 4]
    assert results["a"].median > 0


def test_compare_sees_the_slower_command_and_its_memory() -> None:
    results = common.compare(
        {
            "fast": _python("pass"),
            "slow": _python("import time; b = bytearray(60_000_000); time.sleep(0.15)"),
        },
        runs=3,
        warmup=0,
    )
    assert results["slow"].median - results["fast"].median > 0.1
    assert results["slow"].rss_mb > 60 > results["fast"].rss_mb


def test_a_failing_command_is_reported() -> None:
    with pytest.raises(RuntimeError, match="exited 3"):
        common.run_once(_python("import sys; sys.exit(3)"))


def test_pip_env_is_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://user:secret@example.org/simple/")
    monkeypatch.setenv("CGLIB_PASSWORD", "secret")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = common.pip_env(tmp_path)
    assert "PIP_INDEX_URL" not in env
    assert "CGLIB_PASSWORD" not in env
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PIP_CONFIG_FILE"] == "/dev/null"
    assert env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1"
    assert env["PIP_NO_CACHE_DIR"] == "1"
    assert env["HOME"] == str(tmp_path)
    cenv = common.cglib_env(tmp_path, "user", "token")
    assert (cenv["CGLIB_USERNAME"], cenv["CGLIB_PASSWORD"]) == ("user", "token")


def test_rows_judge_goals_and_round_trip() -> None:
    rows = [
        common.Row("ratio met", 0.5, 0.7),
        common.Row("ratio missed", 0.8, 0.7),
        common.Row("memory at the limit", 80.0, 80.0, unit="MB"),
        common.Row("no goal", None, None, detail="not available"),
    ]
    assert [row.met for row in rows] == [True, False, False, None]
    document = json.dumps({"rows": [row.to_json() for row in rows]})
    assert bench_run.rows_from("some text\n" + document + "\n") == rows
    text = common.table(rows)
    assert "NOT met" in text
    assert "0.50 x" in text
    markdown = common.table(rows, markdown=True).splitlines()
    assert markdown[0].startswith("| case | measured | goal |")
    assert len(markdown) == 2 + len(rows)


def test_import_costs_partition_by_package() -> None:
    costs = common.import_costs(["-c", "import json, cglib.__about__"])
    assert "cglib" in costs
    assert "(stdlib)" in costs
    assert "json" not in costs  # counted as (stdlib)


def test_quick_arguments_only_what_a_script_understands() -> None:
    case = bench_run.Case("x", "bench_x.py", "x", ["--runs", "3", "--files", "20000", "--quick"])
    help_text = "usage: bench_x.py [--runs N] [--json]"
    assert bench_run.arguments(case, help_text, quick=True, runs=None) == [
        "--json",
        "--runs",
        "3",
    ]
    assert bench_run.arguments(case, "", quick=True, runs=None) == []
    assert bench_run.arguments(case, help_text, quick=False, runs=9) == ["--json", "--runs", "9"]


def test_missing_script_is_not_available() -> None:
    case = bench_run.Case("nothing", "bench_does_not_exist.py", "nothing")
    outcome = bench_run.run_case(case, quick=True, runs=None)
    assert outcome.status == "not available"
    rows = bench_run.summary_rows([outcome])
    assert rows[0].detail.startswith("not available")


def test_write_docs_replaces_only_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# P\nbefore\n{bench_run.START}\nold\n{bench_run.END}\nafter\n")
    monkeypatch.setattr(bench_run, "DOCS", doc)
    monkeypatch.setattr(common, "REPO", tmp_path)
    bench_run.write_docs("new table")
    assert doc.read_text() == f"# P\nbefore\n{bench_run.START}\nnew table\n{bench_run.END}\nafter\n"


@pytest.mark.integration
def test_static_server_serves_folders_with_latency(tmp_path: Path) -> None:
    page = tmp_path / "simple" / "demo"
    page.mkdir(parents=True)
    (page / "index.html").write_text("<a href='x'>x</a>")
    with common.static_server(tmp_path, latency=0.2) as server:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{server.url}simple/demo/", timeout=10) as response:
            body = response.read()
            content_type = response.headers["Content-Type"]
        elapsed = time.perf_counter() - start
    assert body == b"<a href='x'>x</a>"
    assert content_type.startswith("text/html")
    assert elapsed >= 0.2
