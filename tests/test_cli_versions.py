"""`cglib versions` in-process, over the fake index's HTML and JSON pages."""

from __future__ import annotations

import json

import httpx
import pytest

from support.fakeindex import CAPTURED, FakeIndex, replay

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
