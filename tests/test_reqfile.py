"""Requirements files (cglib.reqfile)."""

from __future__ import annotations

import pytest

from cglib.errors import UsageError
from cglib.reqfile import read_requirements

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
