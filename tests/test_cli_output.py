"""The output layer (cglib.cli.output): JSON that is always JSON, plain values
that never split a line, messages that never reach the terminal raw."""

from __future__ import annotations

import io
import json

import pytest

from cglib.cli.output import MAX_VALUE, Output, safe_value
from cglib.errors import NotFoundError

HOSTILE = "evil\x1b[31m\x00\x7f\x85\x9bname\t\ncol\r\u202eRTL\u200bzw\ufeff"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def make(*, tty: bool = False, **options: object) -> tuple[Output, io.StringIO, io.StringIO]:
    stdout = Terminal() if tty else io.StringIO()
    stderr = Terminal() if tty else io.StringIO()
    out = Output(stdout=stdout, stderr=stderr, **options)  # type: ignore[arg-type]
    return out, stdout, stderr


# -- JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_json_with_control_characters_is_valid_and_exact(tty: bool) -> None:
    out, stdout, _ = make(tty=tty)
    document = {"project": HOSTILE, "files": [{"yanked_reason": HOSTILE, "n": 1}]}
    out.json(document)
    assert json.loads(stdout.getvalue()) == document


def test_json_is_compact_when_piped_and_indented_on_a_terminal() -> None:
    document = {"a": [1, 2], "b": "é"}
    out, stdout, _ = make()
    out.json(document)
    assert stdout.getvalue() == '{"a":[1,2],"b":"é"}\n'
    out, stdout, _ = make(tty=True)
    out.json(document)
    assert stdout.getvalue() == json.dumps(document, indent=2) + "\n"


def test_json_on_a_terminal_shows_no_raw_invisible_character() -> None:
    out, stdout, _ = make(tty=True)
    out.json({"name": "a\u202eb\u200bc\x85d\x1be"})
    text = stdout.getvalue()
    assert text.isascii()
    assert "\x1b" not in text
    assert json.loads(text)["name"] == "a\u202eb\u200bc\x85d\x1be"


def test_a_secret_equal_to_a_json_literal_does_not_break_the_document() -> None:
    out, stdout, _ = make()
    out.add_secret("true")
    out.add_secret("null")
    out.json({"accepted": True, "username": None, "reason": "it is true"})
    assert json.loads(stdout.getvalue()) == {
        "accepted": True,
        "username": None,
        "reason": "it is ***",
    }


@pytest.mark.parametrize("tty", [False, True], ids=["piped", "terminal"])
def test_secrets_in_json_values_are_masked_by_value(tty: bool) -> None:
    secret = 'tok"en\\with/quotes\u00e9'
    out, stdout, _ = make(tty=tty)
    out.add_secret(secret)
    out.json({"message": f"bad token {secret}!", "list": [secret], "n": 3})
    text = stdout.getvalue()
    assert json.loads(text) == {"message": "bad token ***!", "list": ["***"], "n": 3}
    assert secret not in text
    assert json.dumps(secret)[1:-1] not in text


def test_url_credentials_in_json_values_are_masked() -> None:
    out, stdout, _ = make()
    out.json({"url": "https://user:pw@example.org/simple/", "ok": "https://example.org/"})
    assert json.loads(stdout.getvalue()) == {
        "url": "https://***@example.org/simple/",
        "ok": "https://example.org/",
    }


def test_json_values_are_never_cut() -> None:
    out, stdout, _ = make(tty=True)
    out.json({"reason": "x" * (MAX_VALUE * 3)})
    assert json.loads(stdout.getvalue())["reason"] == "x" * (MAX_VALUE * 3)


def test_json_error_is_valid_json_with_masked_secret() -> None:
    out, _, stderr = make(json_mode=True)
    out.add_secret("hunter22")
    out.error(
        NotFoundError(f"no {HOSTILE} here (password hunter22)", url="https://u:p@example.org/")
    )
    error = json.loads(stderr.getvalue())["error"]
    assert error["code"] == 5
    assert error["message"] == f"no {HOSTILE} here (password ***)"
    assert error["url"] == "https://***@example.org/"
    assert stderr.getvalue().count("\n") == 1


# -- plain values ------------------------------------------------------------------------


def test_a_newline_or_tab_in_a_value_never_splits_a_line_or_a_field() -> None:
    out, stdout, _ = make()
    out.rows([["1.0", "yanked: bad\nrow\tinjected", ""], ["0.9", "ok", ""]])
    lines = stdout.getvalue().splitlines()
    assert lines == ["1.0\tyanked: bad\\nrow\\tinjected", "0.9\tok"]


def test_line_and_lines_are_one_value_each() -> None:
    out, stdout, _ = make()
    out.line("a\nb")
    out.lines(["c\rd", "e"])
    assert stdout.getvalue() == "a\\nb\nc\\rd\ne\n"


def test_control_characters_are_escaped_and_bidi_kept_when_piped() -> None:
    out, stdout, _ = make()
    out.line(HOSTILE)
    text = stdout.getvalue()
    assert text == "evil\\x1b[31m\\x00\\x7f\\x85\\x9bname\\t\\ncol\\r\u202eRTL\u200bzw\ufeff\n"


def test_on_a_terminal_bidi_and_zero_width_characters_are_escaped() -> None:
    for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff":
        assert safe_value(f"a{char}b", tty=True) == f"a\\u{ord(char):04x}b"
        assert safe_value(f"a{char}b") == f"a{char}b"


def test_terminal_table_cells_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out, stdout, _ = make(tty=True)
    out.table(["Version", "Yanked"], [["1.0", "bad\u202e\nreason\x1b[2J"]], title="t\x1bx")
    text = stdout.getvalue()
    assert "\u202e" not in text
    assert "\x1b[2J" not in text
    assert "bad\\u202e\\nreason\\x1b[2J" in text
    assert "t\\x1bx" in text


def test_long_values_are_cut_with_an_ellipsis() -> None:
    out, stdout, _ = make()
    out.rows([["1.0", "y" * 100_000]])
    version, reason = stdout.getvalue().rstrip("\n").split("\t")
    assert version == "1.0"
    assert len(reason) == MAX_VALUE
    assert reason.endswith("…")


def test_url_credentials_and_secrets_in_cells_are_masked() -> None:
    out, stdout, _ = make()
    out.add_secret("s3cr3t-token")
    out.rows([["https://u:p@example.org/x", "say s3cr3t-token"]])
    assert stdout.getvalue() == "https://***@example.org/x\tsay ***\n"


def test_clean_rows_are_written_as_they_are() -> None:
    out, stdout, _ = make()
    rows = [["2.0", "1 wheel", ">=3.8", "", ""], ["1.0", "sdist", "", "2024-01-01", ""]]
    out.rows(rows)
    assert stdout.getvalue() == "2.0\t1 wheel\t>=3.8\n1.0\tsdist\t\t2024-01-01\n"


# -- messages ------------------------------------------------------------------------------


def test_messages_are_one_line_and_escaped() -> None:
    out, _, stderr = make(tty=True, verbose=1)
    monkey = "line one\nerror: fake\x1b[2J\u202e"
    out.warn(monkey)
    out.info(monkey)
    out.note(monkey)
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 3
    assert all("\x1b[2J" not in line and "\u202e" not in line for line in lines)
    assert all("line one\\nerror: fake\\x1b[2J\\u202e" in line for line in lines)


def test_quiet_silences_warnings_and_info_but_not_errors() -> None:
    out, stdout, stderr = make(quiet=True)
    out.warn("w")
    out.info("i")
    out.note("n")
    out.line("result")
    out.error(NotFoundError("gone"))
    assert stdout.getvalue() == "result\n"
    assert stderr.getvalue() == "error: gone\n"


def test_a_traceback_keeps_its_lines_but_not_its_escapes() -> None:
    out, _, _ = make()
    out.add_secret("hunter22")
    assert out.clean("a\x1b[31m\tb\nc hunter22") == "a\\x1b[31m\\tb\nc ***"


def test_json_from_writes_the_fast_text_when_piped() -> None:
    out, stdout, _ = make()
    out.json_from(lambda: {"slow": True}, lambda: '{"fast":true}')
    assert stdout.getvalue() == '{"fast":true}\n'


def test_json_from_masks_by_value_when_a_secret_may_be_in_the_fast_text() -> None:
    out, stdout, _ = make()
    out.add_secret("hunter22")
    document = {"reason": "pw hunter22", "url": "https://u:p@example.org/"}
    out.json_from(lambda: document, lambda: compact(document))
    assert json.loads(stdout.getvalue()) == {
        "reason": "pw ***",
        "url": "https://***@example.org/",
    }


def test_json_from_is_indented_on_a_terminal() -> None:
    out, stdout, _ = make(tty=True)
    out.json_from(lambda: {"a": 1}, lambda: '{"a":1}')
    assert stdout.getvalue() == '{\n  "a": 1\n}\n'


def compact(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
