"""`cglib completion` (cglib.cli.completion): the scripts, and the answers they ask for."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert "cglib" in result.stdout
    assert "_CGLIB_COMPLETE" in result.stdout


def test_completion_rejects_an_unknown_shell(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("words", "expected"),
    [("cglib ver", "versions"), ("cglib versions --fi", "--files"), ("cglib auth st", "status")],
)
def test_completion_answers(cli, monkeypatch, words, expected):
    """What the bash script asks: `_CGLIB_COMPLETE=complete_bash COMP_WORDS=...`."""
    monkeypatch.setenv("_CGLIB_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - 1))
    result = cli()
    assert result.exit_code == 0
    assert expected in result.stdout.split()
