"""The models' JSON: ``to_json_text()`` is ``to_json()`` compactly encoded,
byte for byte, on real captured pages and on hostile values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version

from cglib.models import DistributionFile, ProjectPage
from cglib.simple import parse_project_page

PAGES = Path(__file__).parent / "data" / "pages"
SAMPLES = sorted(
    [*PAGES.glob("*/project-six.html"), *PAGES.glob("*/project-six.json")],
    key=lambda p: str(p),
)
HOSTILE = 'a"b\\c\x00\x1b[31m\x7f\x85\x9b\n\t\u202e\u200b\ud7ff\U0001f600é/'


def compact(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("pre", [False, True])
def test_to_json_text_of_captured_pages(path: Path, pre: bool) -> None:
    ctype = "application/vnd.pypi.simple.v1+json" if path.suffix == ".json" else "text/html"
    page = parse_project_page(path.read_bytes(), ctype, "https://example.org/simple/six/", "six")
    assert page.files
    for index in (None, "https://example.org/simple/"):
        text = page.to_json_text(pre=pre, index=index)
        assert text == compact(page.to_json(pre=pre, index=index))


def hostile_file(version: str, **changes: object) -> DistributionFile:
    fields: dict[str, object] = {
        "filename": f"demo-{version}-py3-none-any.whl",
        "url": f"https://example.org/files/{HOSTILE}",
        "project": "demo",
        "version": Version(version),
        "kind": "wheel",
        "hashes": {"sha256": HOSTILE},
        "requires_python": HOSTILE,
        "yanked": True,
        "yanked_reason": HOSTILE,
        "size": 12345,
        "upload_time": HOSTILE,
    }
    fields.update(changes)
    return DistributionFile(**fields)  # type: ignore[arg-type]


def test_to_json_text_of_hostile_and_missing_values() -> None:
    files = (
        hostile_file("1.0"),
        hostile_file(
            "1.0",
            hashes={},
            requires_python=None,
            yanked=False,
            yanked_reason=None,
            size=None,
            upload_time=None,
        ),
        hostile_file("2.0rc1", kind="sdist", size=0),
    )
    page = ProjectPage(name=HOSTILE, url=HOSTILE, files=files)
    for pre in (False, True):
        text = page.to_json_text(pre=pre, index=HOSTILE)
        assert text == compact(page.to_json(pre=pre, index=HOSTILE))
        assert json.loads(text) == page.to_json(pre=pre, index=HOSTILE)


def test_releases_computed_once_are_used() -> None:
    page = ProjectPage(name="demo", url="u", files=(hostile_file("1.0"), hostile_file("2.0")))
    releases = page.releases()[:1]
    versions = page.to_json(releases=releases)["versions"]
    assert isinstance(versions, list)
    assert [v["version"] for v in versions] == ["2.0"]
    assert json.loads(page.to_json_text(releases=releases))["versions"][0]["version"] == "2.0"
