"""cglib.check on its own: statuses of a lock's entries against an index's pages;
`cglib check` end to end is in test_cli_check.py."""

from __future__ import annotations


def _page(name, *files):
    from packaging.version import Version

    from cglib.models import DistributionFile, ProjectPage

    return ProjectPage(
        name,
        f"https://libraries.cgr.dev/python/simple/{name}/",
        tuple(
            DistributionFile(
                filename, url, name, Version(filename.split("-")[1]), "wheel", {"sha256": digest}
            )
            for filename, url, digest in files
        ),
    )


def test_chainguard_missing_says_queued_and_upstream_hash_differs(tmp_path):
    from types import SimpleNamespace

    from cglib.check import check_locks
    from cglib.errors import NotFoundError
    from cglib.lockfiles import read_lock

    path = tmp_path / "requirements.txt"
    path.write_text(
        f"gone==1.0 --hash=sha256:{'1' * 64}\n"
        f"moved==2.0 --hash=sha256:{'2' * 64}\n"
        f"later==3.0 --hash=sha256:{'3' * 64}\n"
    )
    upstream = "https://libraries.cgr.dev/python-upstream/files/moved-2.0-py3-none-any.whl"
    pages = {
        "moved": _page("moved", ("moved-2.0-py3-none-any.whl", upstream, "9" * 64)),
        "later": _page("later", ("later-2.5-py3-none-any.whl", "https://x/later.whl", "3" * 64)),
    }

    def get_project(name):
        if name not in pages:
            raise NotFoundError(f"project {name!r} not found")
        return pages[name]

    client = SimpleNamespace(
        get_project=get_project,
        index=SimpleNamespace(url="https://libraries.cgr.dev/python/simple/", is_chainguard=True),
    )
    report = check_locks(client, [read_lock(path)])  # type: ignore[arg-type]
    entries = {e.project: e for e in report.entries}
    assert entries["gone"].status == "missing"
    assert "queued it for building" in entries["gone"].message
    assert entries["later"].status == "missing"
    assert "queued it for building" in entries["later"].message
    # Served from the fallback, but with another hash: what breaks the install wins.
    assert entries["moved"].status == "hash-differs"
    assert entries["moved"].url == upstream
    assert int(report.exit_code()) == 5
