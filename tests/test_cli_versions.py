"""`cglib versions` (cglib.cli.versions): in-process, over the fake index's HTML
and JSON pages; the specifier, --limit and the `latest` key of its JSON; and
on a real terminal, tables that fit 60, 80 and 120 columns."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from cglib.cli.tables import cells
from support.dists import wheel_zoo
from support.fakeindex import CAPTURED, FakeIndex, replay, serve_http
from support.isolation import isolated_env
from support.servers import cglib_executable
from support.terminal import run_in_terminal, strip_ansi

INDEX = "https://example.org/simple/"
TOKEN = "sentinel-TOKEN-5f3a"


def demo(index: FakeIndex) -> FakeIndex:
    """demo: a wheel needing >=3.8, an sdist, a local-version wheel with no
    hash, a yanked wheel, a pre-release, and a file name no tool can parse."""
    index.wheel("demo", "1.0.0", requires_python=">=3.8")
    index.sdist("demo", "1.0.0")
    index.link("demo", "demo-2.0.0+cgr.1-cp312-cp312-manylinux_2_28_x86_64.whl", sha256=None)
    index.wheel("demo", "2.0.0", yanked="broken build", sha256=None)
    index.wheel("demo", "3.0.0b1", sha256=None)
    index.link("demo", "demo-latest.tar.gz", sha256=None)
    return index


@pytest.fixture
def serve_demo(fake_index: FakeIndex, httpx_mock) -> FakeIndex:
    return demo(fake_index).mount(httpx_mock)


def test_versions_plain_newest_first(cli, serve_demo):
    result = cli("versions", "Demo", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["2.0.0+cgr.1", "2.0.0", "1.0.0"]
    assert "yanked: broken build" in lines[1]
    assert ">=3.8" in lines[2]


def test_versions_pre(cli, serve_demo):
    result = cli("versions", "demo", "--pre", "--index-url", INDEX)
    assert result.stdout.splitlines()[0].startswith("3.0.0b1")


def test_versions_files(cli, serve_demo):
    result = cli("versions", "demo", "--files", "--index-url", INDEX)
    assert result.exit_code == 0
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0][:5] == [
        "2.0.0+cgr.1",
        "demo-2.0.0+cgr.1-cp312-cp312-manylinux_2_28_x86_64.whl",
        "wheel",
        "cp312",
        "manylinux_2_28_x86_64",
    ]
    assert ["1.0.0", "demo-1.0.0.tar.gz", "sdist", "source", "any"] in [r[:5] for r in rows]


def test_versions_json(cli, serve_demo):
    result = cli("versions", "demo", "--json", "--index-url", INDEX)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["project"] == "demo"
    assert doc["index"] == INDEX
    assert [v["version"] for v in doc["versions"]] == ["2.0.0+cgr.1", "2.0.0", "1.0.0"]
    yanked = doc["versions"][1]
    assert yanked["yanked"] is True
    assert yanked["files"][0]["yanked_reason"] == "broken build"
    wheel = next(f for f in doc["versions"][2]["files"] if f["kind"] == "wheel")
    assert wheel["sha256"] == serve_demo.file("demo-1.0.0-py3-none-any.whl").digest
    assert wheel["requires_python"] == ">=3.8"
    assert wheel["url"] == "https://example.org/files/demo-1.0.0-py3-none-any.whl"
    assert set(wheel) >= {
        "filename",
        "url",
        "kind",
        "sha256",
        "requires_python",
        "size",
        "upload_time",
        "yanked",
        "yanked_reason",
    }


def test_skipped_links_reported_with_verbose(cli, serve_demo):
    result = cli("versions", "demo", "-v", "--index-url", INDEX)
    assert "skipped 1 link" in result.stderr
    assert "demo-latest.tar.gz" in result.stderr


def test_secret_never_printed(cli, serve_demo):
    url = f"https://user:{TOKEN}@example.org/simple/"
    for args in (["-v"], ["--json", "-v"], ["--files", "-vv"]):
        result = cli("versions", "demo", "--index-url", url, *args)
        assert result.exit_code == 0
        assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(("status", "code"), [(401, 4), (403, 4), (404, 5), (500, 6)])
def test_errors_are_one_line_with_exit_code(cli, httpx_mock, monkeypatch, status, code):
    monkeypatch.setenv("CGLIB_RETRIES", "0")
    # 401/403: the credentials are refused; 404: no such project; 500: a broken server.
    index = FakeIndex(user="u", password="another-token", reject_status=status)
    if status in (404, 500):
        index = FakeIndex(user="u", password=TOKEN)
    if status == 500:
        index.always("/simple/demo/", 500)
    index.mount(httpx_mock)
    result = cli("versions", "demo", "--index-url", f"https://u:{TOKEN}@example.org/simple/")
    assert result.exit_code == code
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "https://example.org/simple/demo/" in result.stderr
    assert TOKEN not in result.stderr
    assert "Traceback" not in result.stderr


def test_json_error_on_stderr(cli, fake_index, httpx_mock):
    fake_index.mount(httpx_mock)  # holds no project
    result = cli("versions", "demo", "--json", "--index-url", INDEX)
    assert result.exit_code == 5
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == 5
    assert error["kind"] == "not-found"


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (
            b"<html><body><form action=/login><input type='password' name=p></form></body></html>",
            "text/html",
        ),
        (b"\xff\xfe<a href='x'>\xff</a>", "text/html"),
        (b'{"files": 3}', "application/vnd.pypi.simple.v1+json"),
        (
            b'{"meta": {"api-version": "2.0"}, "name": "demo", "files": []}',
            "application/vnd.pypi.simple.v1+json",
        ),
        (b"just text", "application/octet-stream"),
    ],
)
def test_bad_pages_are_one_line_errors(cli, httpx_mock, body, ctype):
    index = FakeIndex()
    index.always(
        "/simple/demo/", httpx.Response(200, content=body, headers={"Content-Type": ctype})
    )
    index.mount(httpx_mock)
    result = cli("versions", "demo", "--index-url", INDEX)
    assert result.exit_code == 6, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["../etc", "a b", "-x", "", "name\x00"])
def test_invalid_names_are_usage_errors(cli, name):
    result = cli("versions", name, "--index-url", INDEX)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_unknown_option_is_usage_error(cli):
    result = cli("versions", "demo", "--bogus")
    assert result.exit_code == 2


def test_version_and_help(cli):
    assert cli("--version").stdout.startswith("cglib ")
    result = cli("--help")
    assert result.exit_code == 0
    assert "versions" in result.stdout


def test_control_characters_in_names_are_escaped():
    from cglib.cli.output import Output

    out = Output()
    assert out.clean("evil\x1b[31m\x00name\tcol") == "evil\\x1b[31m\\x00name\\tcol"


@pytest.mark.parametrize(
    "command", [["versions"], ["search"], ["download"], ["login"], ["logout"], ["auth", "status"]]
)
def test_every_command_takes_the_shared_options(cli, command):
    result = cli(*command, "--help")
    assert result.exit_code == 0
    for option in ("--index-url", "--index", "--json", "--verbose", "--quiet", "--no-input"):
        assert option in result.stdout, (command, option)


def test_chainguard_without_credentials_fails_fast_with_exit_3(cli, httpx_mock):
    # No request is made (httpx_mock would fail the test on an unexpected one).
    result = cli("versions", "six")
    assert result.exit_code == 3
    assert "libraries.cgr.dev" in result.stderr
    assert "CHAINGUARD_PYTHON_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def serve_reason(index: FakeIndex, httpx_mock, reason: str) -> None:
    """A page whose 2.0.0 wheel is yanked for ``reason``."""
    index.wheel("demo", "1.0.0")
    index.wheel("demo", "2.0.0", yanked=reason)
    index.wheel("demo", "3.0.0")
    index.mount(httpx_mock)


@pytest.mark.parametrize("args", [(), ("--files",)], ids=["versions", "files"])
def test_a_newline_in_a_yanked_reason_does_not_inject_a_line(cli, fake_index, httpx_mock, args):
    serve_reason(fake_index, httpx_mock, "broken\n9.9.9\tinjected\rend")
    result = cli("versions", "demo", *args, "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["3.0.0", "2.0.0", "1.0.0"]
    assert lines[1].endswith("yanked: broken\\n9.9.9\\tinjected\\rend")


@pytest.mark.parametrize("char", ["\x7f", "\x85", "\x9b", "\x1b", "\x00", "\u202e"])
def test_json_stays_valid_with_control_characters_from_the_index(cli, fake_index, httpx_mock, char):
    reason = f"bad{char}[31mreason"
    serve_reason(fake_index, httpx_mock, reason)
    result = cli("versions", "demo", "--json", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["versions"][1]["files"][0]["yanked_reason"] == reason


def test_json_is_compact_when_piped(cli, serve_demo):
    result = cli("versions", "demo", "--json", "--index-url", INDEX)
    assert result.stdout.count("\n") == 1
    assert '"project":"demo"' in result.stdout


def test_a_password_equal_to_true_leaves_the_json_intact(cli, serve_demo):
    result = cli(
        "versions", "demo", "--json", "--index-url", "https://user:true@example.org/simple/"
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["versions"][1]["yanked"] is True
    assert doc["index"] == INDEX


def test_a_long_value_is_cut_in_plain_output_but_whole_in_json(cli, fake_index, httpx_mock):
    from cglib.cli.output import MAX_VALUE

    reason = "r" * 5000
    serve_reason(fake_index, httpx_mock, reason)
    plain = cli("versions", "demo", "--index-url", INDEX)
    field = plain.stdout.splitlines()[1].split("\t")[-1]
    assert len(field) == MAX_VALUE
    assert field.endswith("…")
    doc = json.loads(cli("versions", "demo", "--json", "--index-url", INDEX).stdout)
    assert doc["versions"][1]["files"][0]["yanked_reason"] == reason


@pytest.mark.parametrize("server", CAPTURED)
def test_versions_of_pages_captured_from_real_servers(cli, fake_index, httpx_mock, server):
    replay(fake_index, server).mount(httpx_mock)
    result = cli("versions", "six", "--json", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["project"] == "six"
    assert [v["version"] for v in doc["versions"]][:2] == ["1.17.0", "1.16.0"]
    wheel = doc["versions"][0]["files"][0]
    assert wheel["filename"] == "six-1.17.0-py2.py3-none-any.whl"
    assert wheel["url"].endswith("six-1.17.0-py2.py3-none-any.whl")


# -- NAME [SPECIFIER] [--limit N] and `latest` ---------------------------------------------

SIX = ["1.9.0", "1.10.0", "1.16.0", "1.17.0", "2.0.0rc1", "2.0.0"]


@pytest.fixture
def serve(httpx_mock, fake_index: FakeIndex):
    """Serve a project's versions (one wheel each) from the fake index, in each page form."""
    fake_index.mount(httpx_mock)

    def add(name, versions, yanked=()):
        for v in versions:
            fake_index.link(
                name,
                f"{name}-{v}-py3-none-any.whl",
                b"wheel",
                yanked="broken" if v in yanked else False,
            )

    return add


def _versions(result):
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def test_specifier_filters(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", ">=1.10,<2", "-i", INDEX)) == [
        "1.17.0",
        "1.16.0",
        "1.10.0",
    ]


def test_specifier_with_pre(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", ">=1.17", "--pre", "-i", INDEX)) == [
        "2.0.0",
        "2.0.0rc1",
        "1.17.0",
    ]
    # A specifier that names a pre-release admits pre-releases (PEP 440).
    assert _versions(cli("versions", "six", "==2.0.0rc1", "-i", INDEX)) == ["2.0.0rc1"]


def test_limit_keeps_the_newest(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", "--limit", "2", "-i", INDEX)) == ["2.0.0", "1.17.0"]
    assert _versions(cli("versions", "six", "<1.17", "-n", "1", "-i", INDEX)) == ["1.16.0"]


@pytest.mark.parametrize("bad", ["0", "-1"])
def test_limit_must_be_positive(cli, serve, bad):
    result = cli("versions", "six", "--limit", bad, "-i", INDEX)
    assert result.exit_code == 2
    assert "--limit" in result.stderr


@pytest.mark.parametrize("bad", ["1.10", ">=1.x", "~=1", ">>2"])
def test_bad_specifier_is_a_usage_error(cli, bad):
    result = cli("versions", "six", bad, "-i", INDEX)
    assert result.exit_code == 2
    assert "not a PEP 440 version specifier" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_specifier_with_json(cli):
    result = cli("versions", "six", "1.10", "--json", "-i", INDEX)
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == 2
    assert "'==1.10'" in error["message"] or "==1.10" in json.dumps(error)


def test_latest_in_json(cli, serve):
    serve("six", SIX, yanked={"1.17.0"})
    doc = json.loads(cli("versions", "six", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "2.0.0"
    doc = json.loads(cli("versions", "six", "<2", "--json", "-i", INDEX).stdout)
    # 1.17.0 is yanked: listed, but not the latest.
    assert doc["versions"][0]["version"] == "1.17.0"
    assert doc["latest"] == "1.16.0"
    # --limit cuts the list, not the answer.
    doc = json.loads(cli("versions", "six", "<2", "--limit", "1", "--json", "-i", INDEX).stdout)
    assert [v["version"] for v in doc["versions"]] == ["1.17.0"]
    assert doc["latest"] == "1.16.0"


def test_latest_is_final_unless_pre(cli, serve):
    serve("six", SIX)
    doc = json.loads(cli("versions", "six", "!=2.0.0", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "1.17.0"
    doc = json.loads(cli("versions", "six", "!=2.0.0", "--pre", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "2.0.0rc1"
    doc = json.loads(cli("versions", "six", "==2.0.0rc1", "--json", "-i", INDEX).stdout)
    assert doc["latest"] is None


def test_no_match(cli, serve):
    serve("six", SIX)
    result = cli("versions", "six", ">=99", "-i", INDEX)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no version of six matches >=99 (newest: 2.0.0)" in result.stderr
    doc = json.loads(cli("versions", "six", ">=99", "--json", "-i", INDEX).stdout)
    assert doc["versions"] == []
    assert doc["latest"] is None


def test_only_yanked(cli, serve):
    serve("onlyyanked", ["1.0.0", "1.1.0"], yanked={"1.0.0", "1.1.0"})
    result = cli("versions", "onlyyanked", "-i", INDEX)
    assert _versions(result) == ["1.1.0", "1.0.0"]
    assert "every version of onlyyanked is yanked" in result.stderr
    assert "==" in result.stderr
    assert "no final version" not in result.stderr
    doc = json.loads(cli("versions", "onlyyanked", "--json", "-i", INDEX).stdout)
    assert doc["latest"] is None


def test_quiet_silences_the_yanked_note(cli, serve):
    serve("onlyyanked", ["1.0.0"], yanked={"1.0.0"})
    result = cli("versions", "onlyyanked", "-q", "-i", INDEX)
    assert _versions(result) == ["1.0.0"]
    assert result.stderr == ""


# -- on a real terminal: tables that fit ---------------------------------------------------
# The installed ``cglib`` runs under a pseudo-terminal of each width against a
# small local index.  What a person must always get: no line wider than the
# terminal (the one exception: a file name wider than the terminal, alone on
# its line), every file name whole on one line, every file under a line that
# names its version, and no word broken (every word on the screen is a word of
# the same listing printed on a terminal wide enough for everything, or a
# value cut with ``…``).

WIDTHS = (60, 80, 120)
REASON = "a broken build that nobody should install: see the tracker for the details of it"

MIXED = [
    {
        "filename": "mixed-2.1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "requires-python": ">=3.9",
        "size": 12_345_678,
        "upload-time": "2025-01-02T03:04:05Z",
    },
    {
        "filename": "mixed-2.1.0-py3-none-any.whl",
        "requires-python": ">=3.8, !=3.9.0, !=3.9.1",
        "size": 45_678,
        "upload-time": "2025-01-02T03:04:05Z",
    },
    {
        "filename": "mixed-2.1.0.tar.gz",
        "requires-python": ">=3.9",
        "size": 99_999,
        "upload-time": "2025-01-02T03:04:06Z",
    },
    {
        "filename": "mixed-2.0.0-py3-none-any.whl",
        "yanked": REASON,
        "size": 45_000,
        "upload-time": "2024-06-01T00:00:00Z",
    },
    {
        "filename": "mixed-2.0.0.tar.gz",
        "yanked": REASON,
        "size": 95_000,
        "upload-time": "2024-06-01T00:00:00Z",
    },
    {
        "filename": "mixed-1.0.0-cp38-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "size": 1_000,
        "upload-time": "2023-01-01T00:00:00Z",
    },
    {
        "filename": "mixed-1.0.0-cp38-abi3-macosx_10_9_universal2.whl",
        "yanked": True,
        "size": 1_000,
        "upload-time": "2023-01-01T00:00:00Z",
    },
]
VERSIONS = {
    "wheelzoo": {name: "1.0.0" for name in wheel_zoo()},
    "mixed": {str(f["filename"]): str(f["filename"]).split("-")[1] for f in MIXED},
}
for _name in list(VERSIONS["mixed"]):
    if _name.endswith(".tar.gz"):
        VERSIONS["mixed"][_name] = _name.removeprefix("mixed-").removesuffix(".tar.gz")


@pytest.fixture(scope="module")
def index_url():
    """The index URL of each project: wheelzoo on a PEP 503 page (no sizes, no
    times), mixed on a PEP 691 one."""
    zoo = FakeIndex(form="html", store=None)
    for name in wheel_zoo():
        zoo.link("wheelzoo", name)
    mixed = FakeIndex(form="json", store=None)
    for f in MIXED:
        mixed.link(
            "mixed",
            str(f["filename"]),
            bytes(int(str(f["size"]))),
            requires_python=f.get("requires-python"),
            yanked=f.get("yanked", False),
            upload_time=f["upload-time"],
        )
    with serve_http(zoo), serve_http(mixed):
        yield {"wheelzoo": zoo.url, "mixed": mixed.url}


def _screen(
    index_url: dict[str, str], home: Path, columns: int, project: str, *args: str
) -> list[str]:
    code, text = run_in_terminal(
        [cglib_executable(), "versions", project, *args, "-i", index_url[project]],
        columns=columns,
        env=isolated_env(home),
    )
    assert code == 0, text
    return strip_ansi(text).rstrip("\n").split("\n")


def _words(lines: list[str]) -> set[str]:
    return {word for line in lines for word in line.split()}


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("project", ["wheelzoo", "mixed"])
def test_files_fit_the_terminal(index_url, isolate, project, columns):
    lines = _screen(index_url, isolate, columns, project, "--files")
    files = VERSIONS[project]
    wide = _screen(index_url, isolate, 400, project, "--files")
    for line in lines:
        # Only a file name wider than the terminal may overflow, alone on its line.
        assert cells(line) <= columns or (line.strip() in files and len(line.strip()) > columns)
    seen = {}
    current = None
    versions = set(files.values())
    for line in lines:
        words = line.split()
        if words and not line.startswith(" ") and words[0] in versions:
            current = words[0]
        for word in words:
            if word in files:
                seen[word] = current
    # Every file name is whole on one line, under its own version.
    assert seen == files
    # No word is broken: each word is one of the wide listing, or a value cut with "…".
    cut = {w for w in _words(lines) - _words(wide) if not w.endswith("…")}
    assert not cut


@pytest.mark.parametrize("columns", WIDTHS)
def test_wheelzoo_stays_readable(index_url, isolate, columns):
    lines = _screen(index_url, isolate, columns, "wheelzoo", "--files")
    # One line per file plus a title, the version, at most a header: not 884 lines.
    assert len(lines) <= len(wheel_zoo()) + 3
    if columns >= 120:
        assert any("cp312 manylinux_2_17 x86_64" in line for line in lines)


@pytest.mark.parametrize("columns", WIDTHS)
def test_versions_table_fits(index_url, isolate, columns):
    lines = _screen(index_url, isolate, columns, "mixed")
    wide = _screen(index_url, isolate, 400, "mixed")
    assert all(cells(line) <= columns for line in lines)
    firsts = [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]
    assert firsts[:3] == ["2.1.0", "2.0.0", "1.0.0"]
    cut = {w for w in _words(lines) - _words(wide) if not w.endswith("…")}
    assert not cut
    assert any("yanked:" in line for line in lines)
    if columns >= 120:
        assert any("2025-01-02" in line for line in lines)  # upload dates when there is room


def test_narrow_drops_low_value_columns_first(index_url, isolate):
    wide = "\n".join(_screen(index_url, isolate, 160, "mixed", "--files"))
    middle = "\n".join(_screen(index_url, isolate, 120, "mixed", "--files"))
    narrow = "\n".join(_screen(index_url, isolate, 80, "mixed", "--files"))
    assert "12.3 MB" in wide
    assert "cp312 manylinux_2_28 x86_64" in wide
    assert "!=3.9.1" in wide  # requires-python per file, as the files of 2.1.0 differ
    # The size goes before the tags; the requires-python stays on the version's line.
    assert "12.3 MB" not in middle
    assert "cp312 manylinux_2_28 x86_64" in middle
    assert "requires-python >=3.8" in middle
    assert "cp312 manylinux_2_28 x86_64" not in narrow


def test_piped_output_is_unchanged(index_url, isolate):
    done = subprocess.run(
        [cglib_executable(), "versions", "mixed", "--files", "-i", index_url["mixed"]],
        capture_output=True,
        text=True,
        env=isolated_env(isolate),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert rows[0] == [
        "2.1.0",
        "mixed-2.1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "wheel",
        "cp312",
        "manylinux_2_28_x86_64",
        ">=3.9",
        "12.3 MB",
        "2025-01-02",
    ]
    assert rows[3][0] == "2.0.0"
    assert rows[3][-1] == f"yanked: {REASON}"
    assert len(rows) == len(MIXED)
