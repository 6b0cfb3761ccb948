"""`cglib check` end to end: the real tools' locks against a local index
that serves rebuilt, upstream, yanked, absent and sdist-only packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from support.fakeindex import FORMS, serve_http
from support.lockdata import FORMATS, copy_set
from support.lockset import lock_index, serve_migrated

EXPECTED = {
    "alpha": "hash-differs",
    "bravo": "ok",
    "charlie": "upstream",
    "delta": "missing",
    "echo": "missing",
    "foxtrot": "hash-differs",
    "golf": "yanked",
    "hotel": "hash-differs",
}


@pytest.fixture(scope="module")
def indexes():
    """The migrated index, in each page form, on 127.0.0.1 (the real tools use it too)."""
    with ExitStack() as stack:
        served = {form: stack.enter_context(serve_http(lock_index(form))) for form in FORMS}
        for each in served.values():
            serve_migrated(each)
        yield served


@pytest.fixture
def index(indexes):
    return indexes["json"]


@pytest.fixture
def locks(tmp_path, index):
    return copy_set("full", tmp_path / "full", index.base)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", FORMATS)
def test_statuses_plain(cli, indexes, form, tmp_path, name):
    index = indexes[form]
    locks = copy_set("full", tmp_path / "full", index.base)
    result = cli("check", str(locks / name), "--index-url", index.url)
    assert result.exit_code == 5, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert all(len(row) == 6 for row in rows)
    assert {row[1]: row[3] for row in rows} == EXPECTED
    assert all(row[0] == str(locks / name) for row in rows)
    assert "error" not in result.stderr


@pytest.mark.parametrize("name", FORMATS)
def test_json_and_targets(cli, index, locks, name):
    result = cli(
        "check", str(locks / name), "--index-url", index.url, "--json",
        "--target", "win_amd64@3.12", "--target", "manylinux_2_28_x86_64@3.12",
    )  # fmt: skip
    assert result.exit_code == 5
    doc = json.loads(result.stdout)
    assert doc["index"] == index.url
    entries = doc["entries"]
    assert len(entries) == 2 * len(EXPECTED)
    hotel = {e["target"]: e for e in entries if e["project"] == "hotel"}
    assert hotel["cp312 on win_amd64"]["status"] == "no-file"
    assert hotel["cp312 on win_amd64"]["actual"] == []
    linux = hotel["cp312 on manylinux_2_28_x86_64"]
    assert linux["status"] == "hash-differs"
    assert linux["url"].endswith("hotel-1.0-py3-none-manylinux_2_17_x86_64.whl")
    assert linux["actual"] == [index.file("hotel-1.0-py3-none-manylinux_2_17_x86_64.whl").digest]
    assert linux["actual"][0] not in linux["expected"]
    charlie = next(e for e in entries if e["project"] == "charlie")
    assert "/python-upstream/" in charlie["url"]
    assert charlie["actual"][0] in charlie["expected"]
    for entry in entries:
        assert set(entry) >= {"file", "project", "version", "status", "expected", "actual", "url"}


def test_exit_7_when_only_hashes_differ_then_0_after_update(cli, index, tmp_path):
    locks = copy_set("wheels", tmp_path / "w", index.base)
    for name in FORMATS:
        path = str(locks / name)
        first = cli("check", path, "--index-url", index.url)
        assert first.exit_code == 7, (name, first.stdout, first.stderr)
        updated = cli("check", path, "--index-url", index.url, "--update")
        assert updated.exit_code == 0, (name, updated.stderr)
        assert "updated" in updated.stderr
        assert "alpha" in updated.stderr
        again = cli("check", path, "--index-url", index.url, "--json")
        assert again.exit_code == 0
        statuses = {e["project"]: e["status"] for e in json.loads(again.stdout)["entries"]}
        assert statuses == {"alpha": "ok", "bravo": "ok", "charlie": "upstream", "hotel": "ok"}
        nothing = cli("check", path, "--index-url", index.url, "--update")
        assert "nothing to update" in nothing.stderr


def test_update_with_missing_still_exits_5(cli, index, locks):
    result = cli("check", str(locks / "uv.lock"), "--index-url", index.url, "--update", "--json")
    assert result.exit_code == 5
    doc = json.loads(result.stdout)
    assert {c["project"] for c in doc["changes"]} >= {"alpha", "foxtrot", "hotel"}


def test_usage_errors(cli, index, tmp_path):
    odd = tmp_path / "deps.toml"
    odd.write_text("[tool]\nname = 1\n[[package]]\nname = 'x'\n")
    result = cli("check", str(odd), "--index-url", index.url)
    assert result.exit_code == 2
    assert "deps.toml" in result.stderr
    assert result.stdout == ""
    result = cli("check", str(tmp_path / "nope.txt"), "--index-url", index.url, "--json")
    assert result.exit_code == 2
    assert json.loads(result.stderr)["error"]["code"] == 2
    result = cli("check", str(odd), "--target", "linux", "--index-url", index.url)
    assert result.exit_code == 2
    assert "TAG@" in result.stderr.replace("PLATFORM_TAG@", "TAG@")


def test_plain_values_are_sanitised(cli, index, tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("echo==1.1 --hash=sha256:" + "0" * 64 + "\n")
    evil = tmp_path / "a\tb"
    evil.mkdir()
    (evil / "requirements.txt").write_text(path.read_text())
    result = cli("check", str(evil / "requirements.txt"), "--index-url", index.url)
    assert result.exit_code == 5
    assert result.stdout.count("\t") == 5


def test_each_page_fetched_once(cli, index, tmp_path):
    locks = copy_set("full", tmp_path / "once", index.base)
    index.forget()
    result = cli("check", *(str(locks / n) for n in FORMATS), "--index-url", index.url)
    assert result.exit_code == 5
    pages = [s.path for s in index.seen if s.path.startswith("/simple/")]
    assert sorted(pages) == sorted(f"/simple/{n}/" for n in EXPECTED)


# -- the real tools accept the updated locks -------------------------------------


def _offline_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        UV_NO_CONFIG="1",
        UV_PYTHON=sys.executable,
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


@pytest.fixture
def updated(cli, index, tmp_path):
    locks = copy_set("wheels", tmp_path / "project", index.base)
    for name in FORMATS:
        assert cli("check", str(locks / name), "--index-url", index.url, "--update").exit_code == 0
    return locks


def _pip(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_pip_installs_updated_requirements_with_require_hashes(index, updated, tmp_path):
    env = _offline_env(tmp_path)
    target = tmp_path / "site"
    done = _pip("install", "--require-hashes", "--no-deps", "--index-url", index.url,
                "--target", str(target), "-r", str(updated / "requirements.txt"), env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (target / "alpha").is_dir()
    assert (target / "hotel").is_dir()


def test_pip_refuses_the_lock_before_update(index, tmp_path):
    locks = copy_set("wheels", tmp_path / "stale", index.base)
    done = _pip("install", "--require-hashes", "--no-deps", "--index-url", index.url,
                "--target", str(tmp_path / "site"), "-r", str(locks / "requirements.txt"),
                env=_offline_env(tmp_path))  # fmt: skip
    assert done.returncode != 0
    assert "HASH" in done.stderr.upper()


def test_pip_installs_updated_pylock(index, updated, tmp_path):
    target = tmp_path / "site"
    done = _pip("install", "--no-deps", "--index-url", index.url, "--target", str(target),
                "-r", str(updated / "pylock.toml"), env=_offline_env(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (target / "charlie").is_dir()


def _uv() -> str:
    """uv from the test extras (beside this interpreter), else on PATH."""
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    assert found, "uv is missing: install the test extras (pip install -e '.[test]')"
    return found


def _uv_sync(project: Path, index_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``uv sync --frozen`` of ``project``'s uv.lock from the index, offline,
    into ``tmp_path/venv``."""
    env = _offline_env(tmp_path)
    env["UV_PROJECT_ENVIRONMENT"] = str(tmp_path / "venv")
    return subprocess.run(
        [str(_uv()), "sync", "--frozen", "--no-install-project", "--default-index", index_url],
        cwd=project, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def test_uv_syncs_updated_uv_lock(index, updated, tmp_path):
    done = _uv_sync(updated, index.url, tmp_path)
    assert done.returncode == 0, done.stderr
    site = next((tmp_path / "venv" / "lib").glob("python*/site-packages"))
    assert (site / "alpha" / "__init__.py").read_bytes().endswith(b"# rebuilt from source\n")


def test_uv_refuses_the_lock_before_update(index, tmp_path):
    locks = copy_set("wheels", tmp_path / "stale", index.base)
    done = _uv_sync(locks, index.url, tmp_path)
    assert done.returncode != 0
    # The stale lock's hashes, or its URLs (charlie moved to the upstream path).
    assert "hash" in done.stderr.lower() or "404" in done.stderr


#: Poetry from the test extras, installed beside this interpreter.
POETRY = str(Path(sys.executable).with_name("poetry"))


def test_poetry_accepts_updated_poetry_lock(index, updated, tmp_path):
    env = _offline_env(tmp_path)
    env.update(
        POETRY_CACHE_DIR=str(tmp_path / "pc"),
        POETRY_CONFIG_DIR=str(tmp_path / "pcfg"),
        POETRY_VIRTUALENVS_PATH=str(tmp_path / "venvs"),
    )
    # poetry.lock's content-hash covers pyproject.toml's source URL, which the
    # test moved to its own index: put in the hash poetry computes for that
    # (test setup; cglib changed only the files' hashes).
    python = str(Path(POETRY).with_name("python"))
    code = ("from poetry.factory import Factory;"
            "print(Factory().create_poetry('.').locker._get_content_hash())")  # fmt: skip
    content_hash = subprocess.run([python, "-c", code], cwd=updated, capture_output=True,
                                  text=True, env=env, check=True).stdout.strip()  # fmt: skip
    lock = updated / "poetry.lock"
    text = lock.read_text()
    old = text.split('content-hash = "', 1)[1].split('"', 1)[0]
    lock.write_text(text.replace(old, content_hash))
    for command in (["check", "--lock"], ["install", "--no-root"]):
        done = subprocess.run([POETRY, *command], cwd=updated, capture_output=True, text=True,
                              env=env, timeout=300)  # fmt: skip
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_markers_are_evaluated_per_target(cli, index, tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "bravo==2.0 ; sys_platform == 'win32'\ncharlie==1.5 ; sys_platform == 'linux'\n"
    )
    result = cli(
        "check", str(path), "--index-url", index.url, "--json",
        "--target", "win_amd64@3.12", "--target", "manylinux_2_28_x86_64@3.12",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    pairs = {(e["project"], e["target"]) for e in json.loads(result.stdout)["entries"]}
    assert pairs == {
        ("bravo", "cp312 on win_amd64"),
        ("charlie", "cp312 on manylinux_2_28_x86_64"),
    }


def test_credentials_never_reach_output_or_lock(cli, index, tmp_path):
    secret = "lock-secret-TOKEN-81c2"
    url = index.url.replace("http://", f"http://someone:{secret}@")
    locks = copy_set("wheels", tmp_path / "cred", index.base)
    for name in FORMATS:
        for extra in ([], ["--json"], ["-v"]):
            result = cli("check", str(locks / name), "--index-url", url, "--update", *extra)
            assert result.exit_code == 0, result.stderr
            assert secret not in result.stdout
            assert secret not in result.stderr
        assert secret not in (locks / name).read_text()
        assert "someone" not in (locks / name).read_text()


def test_table_on_a_terminal(monkeypatch):
    import io

    from cglib.check import CheckEntry, CheckReport
    from cglib.cli.check import _print
    from cglib.cli.output import Output

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    out = Output(stdout=terminal, stderr=io.StringIO())
    report = CheckReport(index="https://example.org/simple/")
    report.entries.append(
        CheckEntry(
            "uv.lock",
            "six",
            "1.17.0",
            "hash-differs",
            ("a" * 64,),
            ("b" * 64,),
            "https://example.org/f/six.whl",
            None,
            "six.whl has sha256 bbbb\x1b[31m",
        )
    )
    _print(out, report, with_target=False)
    text = terminal.getvalue()
    assert "Status" in text
    assert "hash-differs" in text
    assert "Target" not in text
    # The index's escape sequence is shown, not obeyed (rich's own bold stays).
    assert "bbbb\\x1b[31m" in text
    assert "bbbb\x1b" not in text
