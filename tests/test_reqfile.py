"""Requirements files (cglib.reqfile)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from cglib import reqfile
from cglib.errors import UsageError
from cglib.reqfile import read_requirements
from cglib.urls import redact_url

H1 = "a" * 64
H2 = "b" * 64


def test_comments_continuations_hashes_and_nesting(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.txt").write_text("# nested\nidna==3.7  # pinned\n")
    main = tmp_path / "requirements.txt"
    main.write_text(
        "# a comment\n"
        "\n"
        "six==1.16.0 \\\n"
        f"    --hash=sha256:{H1} \\\n"
        f"    --hash sha256:{H2.upper()}\n"
        "requests>=2; python_version >= '3.8'\n"
        "-r sub/more.txt\n"
        "--pre\n"
    )
    parsed = read_requirements(main)
    assert [r.text for r in parsed.requirements] == [
        "six==1.16.0",
        "requests>=2; python_version >= '3.8'",
        "idna==3.7",
    ]
    assert parsed.requirements[0].hashes == {H1, H2}
    assert parsed.requirements[0].source == f"{main}:3"
    assert parsed.requirements[2].source.endswith("more.txt:2")
    assert parsed.pre is True
    assert parsed.warnings == []


def test_index_options_are_reported_not_obeyed(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(
        "--index-url https://user:pw@example.org/simple/\n"
        "--extra-index-url=https://example.org/other/\n"
        "-f ./wheels\n"
        "--trusted-host example.org\n"
        "-c constraints.txt\n"
        "six\n"
    )
    parsed = read_requirements(path)
    assert [r.text for r in parsed.requirements] == ["six"]
    assert len(parsed.warnings) == 5
    assert all("ignoring" in w for w in parsed.warnings)
    assert "pw" not in " ".join(parsed.warnings)
    assert parsed.warnings[0].startswith(f"{path}:1: ")


def test_cycle_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text("-r b.txt\n")
    (tmp_path / "b.txt").write_text("six\n--requirement=a.txt\n")
    with pytest.raises(UsageError, match=r"b\.txt:2: .*includes itself"):
        read_requirements(tmp_path / "a.txt")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("six --hash=md5:abc", "only sha256"),
        ("six --hash=sha256:1234", "64 hex digits"),
        ("--hash=sha256:" + H1, "must follow a requirement"),
        ("six --frobnicate", "unknown option --frobnicate"),
        ("-e .", "editable"),
        ("./local/path", "path or URL"),
        ("-r missing.txt", "cannot read requirements file"),
    ],
)
def test_errors_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "r.txt"
    path.write_text(f"six\n{line}\n")
    with pytest.raises(UsageError, match=message) as info:
        read_requirements(path)
    assert f"{path}:2" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_top_level_file(tmp_path):
    with pytest.raises(UsageError, match="cannot read requirements file"):
        read_requirements(tmp_path / "nope.txt")


# -- bounds: each file read once, only regular files, a size cap ------------------


def test_each_file_is_read_once_so_a_doubling_graph_stays_linear(tmp_path):
    # f0 includes f1 twice, f1 includes f2 twice, ...: 2**40 includes if followed.
    depth = 40
    for i in range(depth):
        (tmp_path / f"f{i}.txt").write_text(f"pkg{i}\n-r f{i + 1}.txt\n-r f{i + 1}.txt\n")
    (tmp_path / f"f{depth}.txt").write_text("leaf==1.0\n")
    start = time.monotonic()
    parsed = read_requirements(tmp_path / "f0.txt")
    assert time.monotonic() - start < 2
    assert [r.text for r in parsed.requirements] == [f"pkg{i}" for i in range(depth)] + [
        "leaf==1.0"
    ]


def test_a_file_included_twice_contributes_once(tmp_path):
    (tmp_path / "common.txt").write_text("idna==3.7\n")
    (tmp_path / "a.txt").write_text("six\n-r common.txt\n")
    (tmp_path / "b.txt").write_text("-r ./common.txt\nattrs\n")
    (tmp_path / "main.txt").write_text("-r a.txt\n-r b.txt\n-r common.txt\n")
    parsed = read_requirements(tmp_path / "main.txt")
    assert [r.text for r in parsed.requirements] == ["six", "idna==3.7", "attrs"]
    assert parsed.warnings == []


def _refused_quickly(target: Path, *, nested: bool, tmp_path: Path) -> str:
    """Read ``target`` (directly or through -r) in a thread; it must fail fast."""
    if nested:
        main = tmp_path / "main.txt"
        main.write_text(f"six\n-r {target}\n")
    else:
        main = target
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            read_requirements(main)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), f"reading {target} hangs"
    error = outcome[0]
    assert isinstance(error, UsageError), error
    message = str(error)
    assert "\n" not in message
    assert str(target) in message
    if nested:
        assert message.startswith(f"{main}:2: ")
    return message


@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
def test_a_fifo_is_refused_without_opening_it(tmp_path, nested):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    message = _refused_quickly(fifo, nested=nested, tmp_path=tmp_path)
    assert "not a regular file" in message
    assert "FIFO" in message


@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
def test_a_device_is_refused(tmp_path, nested):
    message = _refused_quickly(Path("/dev/zero"), nested=nested, tmp_path=tmp_path)
    assert "not a regular file" in message
    assert "device" in message


@pytest.mark.parametrize("nested", [False, True], ids=["top", "nested"])
def test_a_symlink_loop_is_refused(tmp_path, nested):
    loop = tmp_path / "loop.txt"
    os.symlink(tmp_path / "other.txt", loop)
    os.symlink(loop, tmp_path / "other.txt")
    message = _refused_quickly(loop, nested=nested, tmp_path=tmp_path)
    assert "symbolic links" in message or "symlink" in message


def test_a_directory_is_refused(tmp_path):
    message = _refused_quickly(tmp_path, nested=False, tmp_path=tmp_path)
    assert "directory" in message


def test_an_oversized_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reqfile, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("six\n" * 300)
    with pytest.raises(UsageError, match="larger than 1000 bytes") as info:
        read_requirements(big)
    assert str(big) in str(info.value)
    assert reqfile.MAX_FILE_BYTES == 1000
    (tmp_path / "small.txt").write_text("six\n" * 200)
    assert len(read_requirements(tmp_path / "small.txt").requirements) == 200


def test_the_default_size_cap_is_generous():
    assert reqfile.MAX_FILE_BYTES == 10 * 1024 * 1024


# -- secrets in ignored options ---------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "--extra-index-url https://example.org/simple/?token=TOPSECRET42",
        "--index-url=https://example.org/simple/?a=1&token=TOPSECRET42#frag",
        "-i https://ORG%2FID:TOPSECRET42@example.org/simple/",
        "--extra-index-url https://TOPSECRET42@example.org/simple/",
        "-f https://example.org/wheels/?sig=TOPSECRET42",
    ],
)
def test_ignored_index_options_never_echo_secrets(tmp_path, line):
    path = tmp_path / "r.txt"
    path.write_text(f"{line}\nsix\n")
    parsed = read_requirements(path)
    assert len(parsed.warnings) == 1
    warning = parsed.warnings[0]
    assert "TOPSECRET42" not in warning
    assert "example.org" in warning  # still says which URL was ignored
    assert "***" in warning


def test_redact_url_parts():
    assert redact_url("https://u:p@example.org/s/?token=abc&x=&y#f") == (
        "https://***@example.org/s/?token=***&x=&y#f"
    )
    assert redact_url("https://example.org/simple/") == "https://example.org/simple/"
    assert redact_url("./wheels?a=b") == "./wheels?a=***"
    assert redact_url("not a url at all") == "not a url at all"


# -- malformed requirements: FILE:LINE, one clean line ------------------------------


@pytest.mark.parametrize(
    "text",
    ["six==", "six>=1,,<2", "six[extra", "six ==1.0 ;python_version >", "na me==1"],
)
def test_malformed_requirement_names_file_and_line_without_caret_art(tmp_path, text):
    path = tmp_path / "r.txt"
    path.write_text(f"# header\nsix\n{text}\n")
    with pytest.raises(UsageError, match="malformed requirement") as info:
        read_requirements(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: malformed requirement ")
    assert "\n" not in message
    assert "^" not in message
    assert "  " not in message.split("malformed requirement", 1)[1]


def test_url_requirement_is_refused_in_the_file(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("six @ https://example.org/six-1.0.tar.gz\n")
    with pytest.raises(UsageError, match="names a URL") as info:
        read_requirements(path)
    assert str(info.value).startswith(f"{path}:1: ")


# -- ${VAR} expansion, like pip ---------------------------------------------------


def test_environment_variables_are_expanded_like_pip(tmp_path, monkeypatch):
    monkeypatch.setenv("PKG_NAME", "requests")
    monkeypatch.setenv("PIN2", "2.32.3")
    monkeypatch.setenv("SUBDIR", "sub")
    monkeypatch.delenv("UNSET_VAR", raising=False)
    monkeypatch.setenv("lower", "nope")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.txt").write_text("idna\n")
    path = tmp_path / "r.txt"
    path.write_text(
        f"${{PKG_NAME}}==${{PIN2}} --hash=sha256:{H1}\n-r ${{SUBDIR}}/more.txt\n$lower\n"
    )
    with pytest.raises(UsageError):
        read_requirements(path)  # `$lower` is not a variable reference, nor a name
    path.write_text(f"${{PKG_NAME}}==${{PIN2}} --hash=sha256:{H1}\n-r ${{SUBDIR}}/more.txt\n")
    parsed = read_requirements(path)
    assert [r.text for r in parsed.requirements] == ["requests==2.32.3", "idna"]
    assert parsed.requirements[0].hashes == {H1}


def test_expanded_values_are_never_printed(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_PIN", "==TOPSECRET42")
    monkeypatch.setenv("SECRET_URL", "https://u:TOPSECRET42@example.org/simple/")
    path = tmp_path / "r.txt"
    path.write_text("--extra-index-url ${SECRET_URL}\nsix${SECRET_PIN}\n")
    with pytest.raises(UsageError) as info:
        read_requirements(path)
    assert "TOPSECRET42" not in str(info.value)
    assert "${SECRET_PIN}" in str(info.value)
    path.write_text("--extra-index-url ${SECRET_URL}\nsix\n")
    parsed = read_requirements(path)
    assert "TOPSECRET42" not in parsed.warnings[0]
    assert "${SECRET_URL}" in parsed.warnings[0]


def test_an_unset_variable_is_left_as_written(tmp_path, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    path = tmp_path / "r.txt"
    path.write_text("six==${NOT_SET_ANYWHERE}\n")
    with pytest.raises(UsageError, match=r"r\.txt:1: malformed requirement .*NOT_SET_ANYWHERE"):
        read_requirements(path)
