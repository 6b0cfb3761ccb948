"""Tests of the pure page parsers in cglib.simple.

Golden inputs are pages captured from real index servers (tests/data/pages,
see its README); the rest are small pages written here for one behaviour
each.  No sockets.
"""

from __future__ import annotations

import gc
import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse, urlunparse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from cglib import simple
from cglib.errors import CglibError, InvalidPageError
from cglib.models import DistributionFile, ProjectList, ProjectPage
from cglib.simple import media_type, parse_filename, parse_project_list, parse_project_page

PAGES = Path(__file__).parent / "data" / "pages"

HTML = "text/html; charset=utf-8"
JSON = "application/vnd.pypi.simple.v1+json"
URL = "https://example.org/simple/demo/"

SHA_1_16_WHL = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
SHA_1_16_SDIST = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"
SHA_1_17_WHL = "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"
SIX_HASHES = {
    "six-1.16.0-py2.py3-none-any.whl": SHA_1_16_WHL,
    "six-1.16.0.tar.gz": SHA_1_16_SDIST,
    "six-1.17.0-py2.py3-none-any.whl": SHA_1_17_WHL,
}
SIX_REQUIRES = ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*"


def content_type_of(headers: Path) -> str:
    for line in headers.read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-type":
            return value.strip()
    raise AssertionError(f"no Content-Type in {headers}")


def page(html: str, *, url: str = URL, project: str | None = "demo") -> ProjectPage:
    return parse_project_page(html.encode(), HTML, url, project)


def json_page(data: object, *, url: str = URL, project: str | None = "demo") -> ProjectPage:
    return parse_project_page(json.dumps(data).encode(), JSON, url, project)


def by_name(result: ProjectPage) -> dict[str, DistributionFile]:
    return {f.filename: f for f in result.files}


# ---------------------------------------------------------------------------
# Captured pages of real servers


@dataclass(frozen=True)
class Capture:
    server: str
    body: str
    headers: str
    url: str
    #: The directory the file links resolve to.
    files_at: str


CAPTURES = [
    Capture(
        "pypiserver",
        "project-six.html",
        "project-headers.txt",
        "http://127.0.0.1:38997/simple/six/",
        "http://127.0.0.1:38997/packages/",
    ),
    Capture(
        "pypiserver",
        "project-six-accept-json.txt",
        "project-headers.txt",
        "http://127.0.0.1:38997/simple/six/",
        "http://127.0.0.1:38997/packages/",
    ),
    Capture(
        "devpi",
        "project-six.html",
        "project-headers.txt",
        "http://127.0.0.1:3141/ci-user/dev/+simple/six/",
        "http://127.0.0.1:3141/ci-user/dev/+f/",
    ),
    Capture(
        "devpi",
        "project-six.json",
        "project-six-json-headers.txt",
        "http://127.0.0.1:3141/ci-user/dev/+simple/six/",
        "http://127.0.0.1:3141/ci-user/dev/+f/",
    ),
    Capture(
        "devpi-lockdown-nginx",
        "project-six.html",
        "../devpi/project-headers.txt",
        "https://devpi.example.org/ci-user/dev/+simple/six/",
        "https://devpi.example.org/ci-user/dev/+f/",
    ),
    Capture(
        "proxpi",
        "project-six.html",
        "project-headers.txt",
        "http://127.0.0.1:5000/index/six/",
        "http://127.0.0.1:5000/index/six/",
    ),
    Capture(
        "proxpi",
        "project-six.json",
        "project-six-json-headers.txt",
        "http://127.0.0.1:5000/index/six/",
        "http://127.0.0.1:5000/index/six/",
    ),
    Capture(
        "pypicloud",
        "project-six.html",
        "project-headers.txt",
        "http://127.0.0.1:44281/simple/six/",
        "http://127.0.0.1:44281/api/package/six/",
    ),
]


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: f"{c.server}/{c.body}")
def test_captured_pages_with_hashes(capture: Capture) -> None:
    folder = PAGES / capture.server
    body = (folder / capture.body).read_bytes()
    result = parse_project_page(body, content_type_of(folder / capture.headers), capture.url, "six")

    assert result.name == "six"
    assert result.url == capture.url
    assert result.skipped == ()
    files = by_name(result)
    assert set(files) == set(SIX_HASHES)
    for filename, f in files.items():
        assert f.hashes == {"sha256": SIX_HASHES[filename]}
        assert f.sha256 == SIX_HASHES[filename]
        assert f.project == "six"
        assert not f.yanked
        assert f.yanked_reason is None
        assert f.url.startswith(capture.files_at)
        assert f.url.endswith("/" + filename)
        assert "#" not in f.url
    assert files["six-1.16.0.tar.gz"].kind == "sdist"
    assert files["six-1.16.0.tar.gz"].version == Version("1.16.0")
    assert files["six-1.17.0-py2.py3-none-any.whl"].kind == "wheel"
    assert files["six-1.17.0-py2.py3-none-any.whl"].version == Version("1.17.0")
    assert [str(r.version) for r in result.releases()] == ["1.17.0", "1.16.0"]


def test_devpi_relative_links_resolve_against_the_page() -> None:
    folder = PAGES / "devpi"
    result = parse_project_page(
        (folder / "project-six.html").read_bytes(),
        content_type_of(folder / "project-headers.txt"),
        "http://127.0.0.1:3141/ci-user/dev/+simple/six/",
        "six",
    )
    assert by_name(result)["six-1.17.0-py2.py3-none-any.whl"].url == (
        "http://127.0.0.1:3141/ci-user/dev/+f/472/1f391ed90541f/six-1.17.0-py2.py3-none-any.whl"
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("project-six.html", HTML), ("project-six.html", "text_html"), ("project-six.json", JSON)],
)
def test_devpi_requires_python_and_core_metadata(body: str, content_type: str) -> None:
    """devpi sends data-core-metadata and the old data-dist-info-metadata on
    wheels, neither on the sdist; its JSON has core-metadata; and it answers
    a v1+html Accept with the bogus type text_html."""
    result = parse_project_page(
        (PAGES / "devpi" / body).read_bytes(),
        content_type,
        "http://127.0.0.1:3141/ci-user/dev/+simple/six/",
        "six",
    )
    files = by_name(result)
    for f in files.values():
        assert f.requires_python == SIX_REQUIRES
    assert files["six-1.16.0-py2.py3-none-any.whl"].core_metadata is True
    assert files["six-1.17.0-py2.py3-none-any.whl"].core_metadata is True
    assert files["six-1.16.0.tar.gz"].core_metadata is False


def test_pypicloud_requires_python_is_unescaped() -> None:
    result = parse_project_page(
        (PAGES / "pypicloud" / "project-six.html").read_bytes(),
        HTML,
        "http://127.0.0.1:44281/simple/six/",
        "six",
    )
    assert {f.requires_python for f in result.files} == {SIX_REQUIRES}


def test_proxpi_api_version_from_meta() -> None:
    for body, content_type in [("project-six.html", HTML), ("project-six.json", JSON)]:
        result = parse_project_page(
            (PAGES / "proxpi" / body).read_bytes(),
            content_type,
            "http://127.0.0.1:5000/index/six/",
        )
        assert result.api_version == "1.0"
        assert result.name == "six"


@pytest.mark.parametrize("form", ["html", "json"])
@pytest.mark.parametrize("stem", ["project-six", "project-six-yanked"])
def test_simple_repository_server(form: str, stem: str) -> None:
    folder = PAGES / "simple-repository-server"
    headers = "project-headers.txt" if form == "html" else "project-six-json-headers.txt"
    result = parse_project_page(
        (folder / f"{stem}.{form}").read_bytes(),
        content_type_of(folder / headers),
        "http://127.0.0.1:8000/simple/six/",
        "SIX",
    )
    assert result.name == "six"
    assert result.api_version == "1.1"
    files = by_name(result)
    assert set(files) == set(SIX_HASHES)
    for filename, f in files.items():
        assert f.hashes == {}
        assert f.sha256 is None
        assert f.url == f"http://127.0.0.1:8000/resources/six/{filename}"
    assert files["six-1.16.0-py2.py3-none-any.whl"].core_metadata is True
    assert files["six-1.16.0.tar.gz"].core_metadata is False

    newest = files["six-1.17.0-py2.py3-none-any.whl"]
    if stem.endswith("yanked"):
        assert newest.yanked
        assert newest.yanked_reason == "yanked for cglib tests"
    else:
        assert not newest.yanked
    assert not files["six-1.16.0.tar.gz"].yanked

    if form == "json":
        assert result.versions == ("1.17.0", "1.16.0")
        assert files["six-1.16.0-py2.py3-none-any.whl"].size == 11053
        assert files["six-1.16.0.tar.gz"].size == 34041
        assert files["six-1.16.0.tar.gz"].upload_time == "2026-11-24T08:57:27Z"
    else:
        assert result.versions == ()
        assert {f.size for f in files.values()} == {None}


def test_simple_repository_server_yanked_release() -> None:
    folder = PAGES / "simple-repository-server"
    result = parse_project_page(
        (folder / "project-six-yanked.json").read_bytes(), JSON, "http://h/simple/six/"
    )
    releases = {str(r.version): r for r in result.releases()}
    assert releases["1.17.0"].yanked
    assert not releases["1.16.0"].yanked


def test_simpleindex_dot_slash_links_no_hashes() -> None:
    raw = (PAGES / "simpleindex" / "project-six.txt").read_text()
    head, _, body = raw.partition("\n\n\n")
    content_type = next(
        line.split(":", 1)[1].strip()
        for line in head.splitlines()
        if line.lower().startswith("content-type")
    )
    result = parse_project_page(body.encode(), content_type, "http://127.0.0.1:8000/six/", "six")
    files = by_name(result)
    assert set(files) == set(SIX_HASHES)
    assert files["six-1.16.0.tar.gz"].url == "http://127.0.0.1:8000/six/six-1.16.0.tar.gz"
    assert all(f.hashes == {} for f in files.values())


@pytest.mark.parametrize("server", ["devpi", "proxpi", "simple-repository-server"])
def test_html_and_json_forms_agree(server: str) -> None:
    """The same page in both forms gives the same files (JSON may add size
    and upload time)."""
    folder = PAGES / server
    url = "http://127.0.0.1:9/a/b/simple/six/"
    from_html = by_name(parse_project_page((folder / "project-six.html").read_bytes(), HTML, url))
    from_json = by_name(parse_project_page((folder / "project-six.json").read_bytes(), JSON, url))
    assert set(from_html) == set(from_json)
    for filename, html_file in from_html.items():
        json_file = from_json[filename]
        for field in ("url", "version", "kind", "hashes", "requires_python", "yanked"):
            assert getattr(html_file, field) == getattr(json_file, field), (filename, field)
        assert bool(html_file.core_metadata) == bool(json_file.core_metadata)


ROOTS = [
    ("pypiserver", "root.html", "root-headers.txt", ("apiflask", "attrs", "idna", "six")),
    ("devpi", "root.html", "root-headers.txt", ("apiflask", "attrs", "idna", "six")),
    ("devpi", "root.json", None, ("idna", "apiflask", "attrs", "six")),
    ("proxpi", "root.html", "root-headers.txt", ("apiflask", "attrs", "idna", "six")),
    ("proxpi", "root.json", None, ("apiflask", "attrs", "idna", "six")),
    ("pypicloud", "root.html", "root-headers.txt", ("apiflask", "attrs", "idna", "six")),
    ("pypicloud", "anon-root-200-empty-body.html", "anon-root-200-empty-headers.txt", ()),
    (
        "simple-repository-server",
        "root.html",
        "root-headers.txt",
        ("idna", "apiflask", "six", "attrs"),
    ),
    ("simple-repository-server", "root.json", None, ("idna", "apiflask", "six", "attrs")),
]


@pytest.mark.parametrize(("server", "body", "headers", "names"), ROOTS, ids=lambda v: str(v))
def test_captured_root_pages(
    server: str, body: str, headers: str | None, names: tuple[str, ...]
) -> None:
    folder = PAGES / server
    content_type = content_type_of(folder / headers) if headers else JSON
    result = parse_project_list((folder / body).read_bytes(), content_type, "http://h/simple/")
    assert isinstance(result, ProjectList)
    assert result.names == names
    assert result.url == "http://h/simple/"


def test_root_api_versions() -> None:
    folder = PAGES / "simple-repository-server"
    assert parse_project_list((folder / "root.html").read_bytes(), HTML, URL).api_version == "1.0"
    assert parse_project_list((folder / "root.json").read_bytes(), JSON, URL).api_version == "1.0"
    pypiserver = (PAGES / "pypiserver" / "root.html").read_bytes()
    assert parse_project_list(pypiserver, HTML, URL).api_version is None


def test_root_names_are_kept_as_given() -> None:
    html = '<a href="Zope.Interface/">Zope.Interface</a><a href="a/">APIFlask</a>'
    assert parse_project_list(html.encode(), HTML, URL).names == ("Zope.Interface", "APIFlask")
    data = {"meta": {"api-version": "1.0"}, "projects": [{"name": "Zope_Interface"}]}
    assert parse_project_list(json.dumps(data).encode(), JSON, URL).names == ("Zope_Interface",)


def test_nginx_401_body_is_an_empty_page_not_a_crash() -> None:
    """Status codes are the client's business; the body alone is just a page
    without links."""
    body = (PAGES / "devpi-lockdown-nginx" / "401-body.txt").read_bytes()
    assert parse_project_page(body, "text/html", URL).files == ()


# ---------------------------------------------------------------------------
# Content types


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/vnd.pypi.simple.v1+json", "json"),
        ("application/vnd.pypi.simple.latest+json", "json"),
        ("Application/VND.pypi.simple.v1+JSON; charset=utf-8", "json"),
        ("application/json", "json"),
        ("application/vnd.pypi.simple.v1+html", "html"),
        ("text/html", "html"),
        ("text/html; charset=UTF-8", "html"),
        ("TEXT/HTML", "html"),
        ("text_html", "html"),
    ],
)
def test_media_type(content_type: str, expected: str) -> None:
    assert media_type(content_type) == expected


@pytest.mark.parametrize(
    "content_type", ["text/plain", "", "application/octet-stream", "image/png"]
)
def test_unknown_content_type_is_an_invalid_page_naming_the_url(content_type: str) -> None:
    with pytest.raises(InvalidPageError) as info:
        parse_project_page(b"<a href='x'>x</a>", content_type, URL)
    assert URL in str(info.value)
    assert info.value.url == URL
    assert "\n" not in str(info.value)
    with pytest.raises(InvalidPageError):
        media_type(content_type)


def test_future_major_content_type_says_upgrade() -> None:
    with pytest.raises(InvalidPageError, match=r"version 2.*upgrade cglib"):
        media_type("application/vnd.pypi.simple.v2+json", url=URL)


def test_error_urls_are_redacted() -> None:
    with pytest.raises(InvalidPageError) as info:
        parse_project_page(b"{", JSON, "https://user:s3cret@example.org/simple/demo/")
    assert "s3cret" not in str(info.value)
    assert "s3cret" not in repr(info.value)
    assert "s3cret" not in (info.value.url or "")
    assert "***" in str(info.value)


# ---------------------------------------------------------------------------
# HTML details


def test_base_href_absolute() -> None:
    result = page(
        '<html><head><base href="https://files.example.net/store/"></head>'
        '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>'
        '<a href="../up/demo-1.1.tar.gz">demo-1.1.tar.gz</a>'
        '<a href="/pkgs/demo-1.2.tar.gz">demo-1.2.tar.gz</a>'
    )
    assert [f.url for f in result.files] == [
        "https://files.example.net/store/demo-1.0.tar.gz",
        "https://files.example.net/up/demo-1.1.tar.gz",
        "https://files.example.net/pkgs/demo-1.2.tar.gz",
    ]


def test_base_href_relative_to_the_page() -> None:
    result = page(
        "<HEAD><BASE HREF='../../files/'></HEAD><a href=demo-1.0.tar.gz>demo-1.0.tar.gz</a>",
        url="https://example.org/simple/demo/",
    )
    assert result.files[0].url == "https://example.org/files/demo-1.0.tar.gz"


def test_entities_in_attributes_and_text() -> None:
    result = page(
        '<a href="https://example.org/f/demo-1.0.tar.gz?a=1&amp;b=2#sha256=abc" '
        'data-requires-python="&gt;=3.8,&lt;4">demo&#45;1.0.tar.gz</a>'
        '<a href="demo-2.0.tar.gz" data-requires-python="&gt;=3.9" '
        'data-yanked="broken &amp; bad">demo-2.0.tar.gz</a>'
    )
    first, second = result.files
    assert first.url == "https://example.org/f/demo-1.0.tar.gz?a=1&b=2"
    assert first.hashes == {"sha256": "abc"}
    assert first.requires_python == ">=3.8,<4"
    assert first.filename == "demo-1.0.tar.gz"
    assert second.requires_python == ">=3.9"
    assert second.yanked_reason == "broken & bad"


def test_unescaped_angle_brackets_inside_quoted_attributes() -> None:
    result = page('<a href="demo-1.0.tar.gz" data-requires-python=">=3.8,<4">demo-1.0.tar.gz</a>')
    assert result.files[0].requires_python == ">=3.8,<4"


def test_unquoted_and_single_quoted_attributes_and_uppercase_tags() -> None:
    result = page(
        "<A HREF=demo-1.0.tar.gz#sha256=aa DATA-REQUIRES-PYTHON='>=3.7'>demo-1.0.tar.gz</A>\n"
        "<a\thref='demo-1.1.tar.gz' data-yanked>demo-1.1.tar.gz</a>\n"
        '<a class="x" HRef = "demo-1.2.tar.gz" Data-Core-Metadata="sha256=cc" >demo-1.2.tar.gz</a>'
    )
    files = by_name(result)
    assert files["demo-1.0.tar.gz"].hashes == {"sha256": "aa"}
    assert files["demo-1.0.tar.gz"].requires_python == ">=3.7"
    assert files["demo-1.1.tar.gz"].yanked
    assert files["demo-1.1.tar.gz"].yanked_reason is None
    assert files["demo-1.2.tar.gz"].core_metadata == {"sha256": "cc"}
    assert files["demo-1.2.tar.gz"].url == URL + "demo-1.2.tar.gz"


def test_yanked_with_empty_value_has_no_reason() -> None:
    result = page('<a href="demo-1.0.tar.gz" data-yanked="">demo-1.0.tar.gz</a>')
    assert result.files[0].yanked
    assert result.files[0].yanked_reason is None


def test_core_metadata_forms() -> None:
    result = page(
        '<a href="demo-1.0-py3-none-any.whl" data-dist-info-metadata="sha256=old">'
        "demo-1.0-py3-none-any.whl</a>"
        '<a href="demo-1.1-py3-none-any.whl" data-core-metadata="sha256=new" '
        'data-dist-info-metadata="sha256=old">demo-1.1-py3-none-any.whl</a>'
        '<a href="demo-1.2-py3-none-any.whl" data-core-metadata="true">'
        "demo-1.2-py3-none-any.whl</a>"
        '<a href="demo-1.3-py3-none-any.whl" data-core-metadata="false">'
        "demo-1.3-py3-none-any.whl</a>"
        '<a href="demo-1.4-py3-none-any.whl" data-core-metadata="SHA512=X">'
        "demo-1.4-py3-none-any.whl</a>"
    )
    assert [f.core_metadata for f in result.files] == [
        {"sha256": "old"},
        {"sha256": "new"},
        True,
        False,
        {"sha512": "X"},
    ]


def test_other_hash_fragments() -> None:
    result = page(
        '<a href="demo-1.0.tar.gz#md5=0123">demo-1.0.tar.gz</a>'
        '<a href="demo-1.1.tar.gz#egg=demo">demo-1.1.tar.gz</a>'
        '<a href="demo-1.2.tar.gz#">demo-1.2.tar.gz</a>'
    )
    assert [f.hashes for f in result.files] == [{"md5": "0123"}, {"egg": "demo"}, {}]
    assert [f.url for f in result.files] == [URL + f"demo-1.{n}.tar.gz" for n in range(3)]


def test_query_strings_are_kept() -> None:
    result = page(
        '<a href="https://store.example.net/o/demo-1.0.tar.gz?X-Amz-Signature=ab%2Fcd&amp;id=7'
        '#sha256=ff">demo-1.0.tar.gz</a>'
        '<a href="../../f/demo-1.1.tar.gz?token=a/b">demo-1.1.tar.gz</a>'
    )
    assert result.files[0].url == (
        "https://store.example.net/o/demo-1.0.tar.gz?X-Amz-Signature=ab%2Fcd&id=7"
    )
    assert result.files[1].url == "https://example.org/f/demo-1.1.tar.gz?token=a/b"


def test_credentials_of_the_page_url_never_reach_file_urls() -> None:
    result = page(
        '<a href="../../f/demo-1.0.tar.gz">demo-1.0.tar.gz</a>',
        url="https://user:s3cret@example.org/simple/demo/",
    )
    assert result.files[0].url == "https://example.org/f/demo-1.0.tar.gz"
    assert "s3cret" not in result.url


def test_anchor_text_is_the_file_name_falling_back_to_the_link() -> None:
    result = page(
        '<a href="/f/demo-1.0.tar.gz"></a>'
        '<a href="/f/demo-1.1.tar.gz">Download</a>'
        '<a href="/f/demo-1.2%2Bcgr.1.tar.gz">  </a>'
        '<a href="/f/renamed.tar.gz">demo-1.3.tar.gz</a>'
        '<a href="/f/demo-1.4.tar.gz"><b>demo-1.4.tar.gz</b></a>'
    )
    assert [(f.filename, str(f.version)) for f in result.files] == [
        ("demo-1.0.tar.gz", "1.0"),
        ("demo-1.1.tar.gz", "1.1"),
        ("demo-1.2+cgr.1.tar.gz", "1.2+cgr.1"),
        ("demo-1.3.tar.gz", "1.3"),
        ("demo-1.4.tar.gz", "1.4"),
    ]
    assert result.files[3].url == "https://example.org/f/renamed.tar.gz"


def test_malformed_and_unclosed_html() -> None:
    result = page(
        "<html><body><p>hello <b>world\n"
        '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz\n'  # no </a>
        '<a href="demo-1.1.tar.gz" >demo-1.1.tar.gz</a></a></a>'
        "<a>no href</a><a href>empty</a><a href=''>empty</a>"
        '<a href="demo-1.2.tar.gz"/>'
        '<!-- <a href="demo-9.9.tar.gz"> -->'
        '<a href="demo-1.3.tar.gz'  # unclosed quote up to the end of the page
    )
    names = [f.filename for f in result.files]
    assert names[:3] == ["demo-1.0.tar.gz", "demo-1.1.tar.gz", "demo-1.2.tar.gz"]
    assert "demo-1.3.tar.gz" not in names


def test_deeply_nested_html() -> None:
    depth = 50_000
    html = "<div>" * depth + '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>' + "</div>" * depth
    assert [f.filename for f in page(html).files] == ["demo-1.0.tar.gz"]


def test_html_that_is_not_utf8() -> None:
    body = '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a> caf\xe9'.encode("latin-1")
    with pytest.raises(InvalidPageError, match="not valid utf-8") as info:
        parse_project_page(body, "text/html", URL, "demo")
    assert URL in str(info.value)
    # ... unless the server says which charset it is.
    result = parse_project_page(body, "text/html; charset=ISO-8859-1", URL, "demo")
    assert [f.filename for f in result.files] == ["demo-1.0.tar.gz"]


def test_unknown_charset() -> None:
    with pytest.raises(InvalidPageError, match="unknown charset"):
        parse_project_page(b"<a>", "text/html; charset=klingon", URL)


def test_utf8_bom_is_allowed() -> None:
    body = b"\xef\xbb\xbf" + b'<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>'
    assert len(parse_project_page(body, HTML, URL, "demo").files) == 1
    data = b'\xef\xbb\xbf{"meta": {"api-version": "1.0"}, "projects": []}'
    assert parse_project_list(data, JSON, URL).names == ()


def test_html_api_version() -> None:
    head = '<meta name="pypi:repository-version" content="{}">'
    assert page(head.format("1.0")).api_version == "1.0"
    assert page(head.format("1.5")).api_version == "1.5"
    assert page("<p>no meta</p>").api_version is None
    with pytest.raises(InvalidPageError, match=r"version 2\.0.*upgrade cglib"):
        page(head.format("2.0") + '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>')


SIGN_IN_PAGES = [
    '<html><body><form method="post" action="/login"><input name="user">'
    '<input type="password" name="pw"></form></body></html>',
    "<html><body><FORM action=/sso><button>Sign in with SSO</button></FORM></body></html>",
    '<form action="/login"><input type=password></form><a href="/forgot">Forgot password?</a>',
]


@pytest.mark.parametrize("html", SIGN_IN_PAGES)
def test_sign_in_page_is_not_an_index(html: str) -> None:
    with pytest.raises(InvalidPageError, match="sign-in page") as info:
        page(html)
    assert "--index-url" in str(info.value)
    assert URL in str(info.value)
    with pytest.raises(InvalidPageError, match="sign-in page"):
        parse_project_list(html.encode(), HTML, URL)


def test_a_page_with_files_and_a_form_is_an_index() -> None:
    result = page('<form action="/search"></form><a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>')
    assert len(result.files) == 1
    root = '<form action="/search"><input name=q></form><a href="six/">six</a>'
    assert parse_project_list(root.encode(), HTML, URL).names == ("six",)


def test_empty_project_page_is_valid() -> None:
    result = page("<!DOCTYPE html><html><head><title>Links for demo</title></head></html>")
    assert result.files == ()
    assert result.skipped == ()
    assert result.name == "demo"
    assert page("").files == ()


# ---------------------------------------------------------------------------
# File names and versions


def test_invalid_versions_and_foreign_files_are_skipped() -> None:
    result = page(
        '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>'
        '<a href="demo-banana.tar.gz">demo-banana.tar.gz</a>'
        '<a href="demo-1.0-py2.7.egg">demo-1.0-py2.7.egg</a>'
        '<a href="demo-1.0.win32.exe">demo-1.0.win32.exe</a>'
        '<a href="demo-1.0-py3-none-any.whl.metadata">demo-1.0-py3-none-any.whl.metadata</a>'
        '<a href="demo-1.0-py3-none.whl">demo-1.0-py3-none.whl</a>'
        '<a href="other-2.0.tar.gz">other-2.0.tar.gz</a>'
        '<a href="other-2.0-py3-none-any.whl">other-2.0-py3-none-any.whl</a>'
        '<a href="demo-1.1-py3-none-any.whl">demo-1.1-py3-none-any.whl</a>'
    )
    assert [f.filename for f in result.files] == ["demo-1.0.tar.gz", "demo-1.1-py3-none-any.whl"]
    assert result.skipped == (
        "demo-banana.tar.gz",
        "demo-1.0-py2.7.egg",
        "demo-1.0.win32.exe",
        "demo-1.0-py3-none-any.whl.metadata",
        "demo-1.0-py3-none.whl",
        "other-2.0.tar.gz",
        "other-2.0-py3-none-any.whl",
    )


@pytest.mark.parametrize("form", ["html", "json"])
def test_local_versions(form: str) -> None:
    names = ["demo-2.0.0+cgr.1-py3-none-any.whl", "demo-2.0.0+cgr.1.tar.gz", "demo-2.0.0.tar.gz"]
    if form == "html":
        result = page("".join(f'<a href="{n}">{n}</a>' for n in names))
    else:
        result = json_page({"files": [{"filename": n, "url": n, "hashes": {}} for n in names]})
    versions = [f.version for f in result.files]
    assert versions == [Version("2.0.0+cgr.1"), Version("2.0.0+cgr.1"), Version("2.0.0")]
    assert versions[0].local == "cgr.1"
    assert [str(r.version) for r in result.releases()] == ["2.0.0+cgr.1", "2.0.0"]


def test_names_with_dots_underscores_and_dashes() -> None:
    files = [
        "zope.interface-6.0.tar.gz",
        "Zope.Interface-6.1.tar.gz",
        "zope_interface-6.2-cp312-cp312-manylinux_2_28_x86_64.whl",
        "zope-interface-6.3.tar.gz",
        "zope-interface-extra-1.0.tar.gz",
    ]
    html = "".join(f'<a href="{n}">{n}</a>' for n in files)
    result = page(html, project="Zope_Interface")
    assert result.name == "zope-interface"
    assert [str(f.version) for f in result.files] == ["6.0", "6.1", "6.2", "6.3"]
    assert {f.project for f in result.files} == {"zope-interface"}
    assert result.skipped == ("zope-interface-extra-1.0.tar.gz",)


def test_project_name_guessed_from_the_url() -> None:
    result = parse_project_page(
        b'<a href="x/Zope.Interface-1.0.tar.gz">Zope.Interface-1.0.tar.gz</a>',
        HTML,
        "https://example.org/simple/Zope_Interface/",
    )
    assert result.name == "zope-interface"
    assert len(result.files) == 1


@pytest.mark.parametrize(
    ("filename", "project", "expected"),
    [
        ("six-1.17.0-py2.py3-none-any.whl", None, ("six", "1.17.0", "wheel")),
        ("six-1.16.0.tar.gz", None, ("six", "1.16.0", "sdist")),
        ("six-1.16.0.zip", None, ("six", "1.16.0", "sdist")),
        ("six-1.16.0.tar.bz2", None, ("six", "1.16.0", "sdist")),
        ("six-1.16.0.tgz", None, ("six", "1.16.0", "sdist")),
        ("six-1.16.0.tar.xz", None, ("six", "1.16.0", "sdist")),
        ("Foo_Bar-1.0-1-py3-none-any.whl", None, ("foo-bar", "1.0", "wheel")),
        ("foo-bar-1.0.tar.gz", None, ("foo-bar", "1.0", "sdist")),
        ("foo-bar-1.0.tar.gz", "Foo.Bar", ("foo-bar", "1.0", "sdist")),
        ("foo-bar-1.0-2.tar.gz", "foo-bar", ("foo-bar", "1.0.post2", "sdist")),
        (
            "pkg-2.0.0+cgr.1-cp312-cp312-manylinux_2_28_x86_64.whl",
            "pkg",
            ("pkg", "2.0.0+cgr.1", "wheel"),
        ),
        ("torch-2.5.1+cu124-cp312-cp312-linux_x86_64.whl", None, ("torch", "2.5.1+cu124", "wheel")),
        ("demo-1.0rc1.tar.gz", None, ("demo", "1.0rc1", "sdist")),
    ],
)
def test_parse_filename(filename: str, project: str | None, expected: tuple[str, str, str]) -> None:
    parsed = parse_filename(filename, project)
    assert parsed is not None
    name, version, kind = parsed
    assert (name, str(version), kind) == expected


@pytest.mark.parametrize(
    "filename",
    [
        "six-1.0-py2.7.egg",
        "six-1.0.win32.exe",
        "six-1.0.msi",
        "six-banana.tar.gz",
        "six.tar.gz",
        "-1.0.tar.gz",
        "six-1.0-py3-any.whl",
        "six-1.0-x-py3-none-any.whl",  # a build tag must start with a digit
        "six-1.0--none-any.whl",
        "six-1.0-1-2-py3-none-any.whl",
        "../six-1.0.tar.gz",
        "a/six-1.0.tar.gz",
        "six-1.0.tar.gz.asc",
        "",
        "six-1.0-py3-none-any\x00.whl",
        "six-1.0-py3-none-any\x1b[2J\r\n.whl",
        "six-1.0-py3-none-any/../x.whl",
        "six-1.0-py3-none-any x.whl",
        "six-1.0\n.tar.gz",
        "six- 1.0.tar.gz",
        "six-1.0 -py3-none-any.whl",
        "six\x1b-1.0.tar.gz",
        "six-1.0\x85.tar.gz",
    ],
)
def test_parse_filename_rejects(filename: str) -> None:
    assert parse_filename(filename) is None


def test_skipped_names_are_safe_to_print() -> None:
    evil = "demo-1.0-py3-none-any\x1b[2J\r\n.whl"
    result = json_page(
        {
            "files": [
                {"filename": evil, "url": "a"},
                {"filename": "x" * 1000, "url": "b"},
                {"filename": "démo-1.0.exe", "url": "c"},
            ]
        }
    )
    assert result.files == ()
    assert result.skipped == (
        "demo-1.0-py3-none-any\\x1b[2J\\x0d\\x0a.whl",
        "x" * 200 + "…",
        "démo-1.0.exe",
    )
    html = page(f'<a href="x">{evil}</a>')
    assert html.skipped == ("demo-1.0-py3-none-any\\x1b[2J\\x0d\\x0a.whl",)


def test_parse_filename_with_a_different_project_returns_the_real_name() -> None:
    parsed = parse_filename("other-1.0.tar.gz", "demo")
    assert parsed is not None
    assert parsed[0] == "other"


# ---------------------------------------------------------------------------
# JSON details


def test_json_full_file() -> None:
    result = json_page(
        {
            "meta": {"api-version": "1.1", "_last-serial": 7},
            "name": "Demo",
            "files": [
                {
                    "filename": "demo-1.0-py3-none-any.whl",
                    "url": "https://files.example.org/p/ab/demo-1.0-py3-none-any.whl?sig=1",
                    "hashes": {"sha256": "aa", "blake2b_256": "bb"},
                    "requires-python": " >=3.8 ",
                    "core-metadata": {"sha256": "cc"},
                    "dist-info-metadata": {"sha256": "old"},
                    "gpg-sig": False,
                    "yanked": "broken",
                    "size": 1234,
                    "upload-time": "2026-01-02T03:04:05.123456Z",
                    "provenance": None,
                },
                {
                    "filename": "demo-1.0.tar.gz",
                    "url": "demo-1.0.tar.gz#sha256=dd",
                    "hashes": {},
                    "dist-info-metadata": True,
                    "yanked": True,
                },
                {
                    "filename": "demo-0.9.tar.gz",
                    "url": "../../f/demo-0.9.tar.gz",
                    "hashes": {"SHA256": "EE"},
                    "yanked": "",
                    "requires-python": "",
                    "core-metadata": False,
                },
            ],
            "versions": ["0.9", "1.0", "1.1"],
        },
        project=None,
    )
    assert result.name == "demo"
    assert result.api_version == "1.1"
    assert result.versions == ("0.9", "1.0", "1.1")
    wheel, sdist, old = result.files
    assert wheel.url == "https://files.example.org/p/ab/demo-1.0-py3-none-any.whl?sig=1"
    assert wheel.hashes == {"sha256": "aa", "blake2b_256": "bb"}
    assert wheel.requires_python == ">=3.8"
    assert wheel.core_metadata == {"sha256": "cc"}
    assert (wheel.yanked, wheel.yanked_reason) == (True, "broken")
    assert wheel.size == 1234
    assert wheel.upload_time == "2026-01-02T03:04:05.123456Z"
    assert sdist.url == URL + "demo-1.0.tar.gz"
    assert sdist.hashes == {"sha256": "dd"}
    assert sdist.core_metadata is True
    assert (sdist.yanked, sdist.yanked_reason) == (True, None)
    assert old.url == "https://example.org/f/demo-0.9.tar.gz"
    assert old.hashes == {"sha256": "EE"}
    assert (old.yanked, old.yanked_reason) == (True, None)
    assert old.requires_python is None
    assert old.core_metadata is False


def test_json_minimal_page() -> None:
    result = json_page({"files": []}, project=None, url="https://example.org/simple/Foo.Bar/")
    assert result.name == "foo-bar"
    assert result.files == ()
    assert result.api_version is None


def test_json_api_versions() -> None:
    assert json_page({"meta": {"api-version": "1.5"}, "files": []}).api_version == "1.5"
    with pytest.raises(InvalidPageError) as info:
        json_page({"meta": {"api-version": "2.0"}, "files": []})
    message = str(info.value)
    assert "uses simple API version 2.0, which cglib does not support — upgrade cglib" in message
    assert URL in message
    with pytest.raises(InvalidPageError, match=r"version 3\.1"):
        parse_project_list(b'{"meta": {"api-version": "3.1"}, "projects": []}', JSON, URL)
    with pytest.raises(InvalidPageError, match="unrecognised"):
        json_page({"meta": {"api-version": "one"}, "files": []})


def test_json_files_of_other_projects_and_bad_versions_are_skipped() -> None:
    result = json_page(
        {
            "name": "demo",
            "files": [
                {"filename": "demo-1.0.tar.gz", "url": "a", "hashes": {}},
                {"filename": "evil-1.0.tar.gz", "url": "b", "hashes": {}},
                {"filename": "demo-1.0-py2.7.egg", "url": "c", "hashes": {}},
                {"filename": "demo-x.y.tar.gz", "url": "d", "hashes": {}},
            ],
        }
    )
    assert [f.filename for f in result.files] == ["demo-1.0.tar.gz"]
    assert result.skipped == ("evil-1.0.tar.gz", "demo-1.0-py2.7.egg", "demo-x.y.tar.gz")


def test_links_that_cannot_be_resolved_are_skipped() -> None:
    result = json_page(
        {
            "files": [
                {"filename": "demo-1.0.tar.gz", "url": " ", "hashes": {}},
                {"filename": "demo-1.1.tar.gz", "url": "https://[::1/demo-1.1.tar.gz"},
                {"filename": "demo-1.2.tar.gz", "url": "#sha256=aa"},
            ]
        }
    )
    assert result.files == ()
    assert result.skipped == ("demo-1.0.tar.gz", "demo-1.1.tar.gz", "demo-1.2.tar.gz")
    html = page(
        '<a href="https://[::1/demo-1.1.tar.gz">demo-1.1.tar.gz</a>'
        '<a href="#sha256=aa">demo-1.2.tar.gz</a>'
    )
    assert html.files == ()
    assert html.skipped == ("demo-1.1.tar.gz", "demo-1.2.tar.gz")


WRONG_JSON = [
    b"",
    b"{",
    b"[]",
    b'"files"',
    b"null",
    b"{}",
    b'{"files": {}}',
    b'{"files": null}',
    b'{"files": [1]}',
    b'{"files": [[]]}',
    b'{"files": [{}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz"}]}',
    b'{"files": [{"url": "x"}]}',
    b'{"files": [{"filename": 1, "url": "x"}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": null}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "hashes": []}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "hashes": {"sha256": 1}}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "yanked": 1}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "requires-python": 3}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "core-metadata": "yes"}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "core-metadata": {"a": 1}}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "size": "12"}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "size": -1}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "size": true}]}',
    b'{"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "upload-time": 5}]}',
    b'{"files": [], "name": 5}',
    b'{"files": [], "meta": []}',
    b'{"files": [], "meta": {"api-version": 1}}',
    b'{"files": [], "versions": "1.0"}',
    b'{"files": [], "versions": [1]}',
    b'{"files": [], "a": ' + b"1" * 5000 + b"}",
    b'{"files": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    b"\xff\xfe{}",
    b'{"files": [], "name": "\xe9"}',
    b'{"files": []} trailing',
    b"NaN",
]


@pytest.mark.parametrize("body", WRONG_JSON, ids=lambda b: repr(b[:50]))
def test_wrong_json_is_an_invalid_page(body: bytes) -> None:
    with pytest.raises(InvalidPageError) as info:
        parse_project_page(body, JSON, URL, "demo")
    assert URL in str(info.value)
    assert "\n" not in str(info.value)


def test_odd_but_harmless_json_is_accepted() -> None:
    result = parse_project_page(b'{"files": [], "a": 1e99999}', JSON, URL, "demo")
    assert result.files == ()


WRONG_ROOT_JSON = [
    b"{}",
    b'{"projects": {}}',
    b'{"projects": [1]}',
    b'{"projects": [{}]}',
    b'{"projects": [{"name": null}]}',
    b'{"projects": [], "meta": {"api-version": "2.0"}}',
    b"[" * 100_000,
]


@pytest.mark.parametrize("body", WRONG_ROOT_JSON, ids=lambda b: repr(b[:40]))
def test_wrong_root_json_is_an_invalid_page(body: bytes) -> None:
    with pytest.raises(InvalidPageError):
        parse_project_list(body, JSON, URL)


# ---------------------------------------------------------------------------
# Link resolution and the fast paths


BASES = [
    "https://example.org/simple/demo/",
    "https://example.org/simple/demo",
    "https://example.org/",
    "https://example.org",
    "http://127.0.0.1:3141/ci-user/dev/+simple/six/?x=1",
    "https://example.org/a//b/c/",
]

_SEGMENT = st.sampled_from(
    ["..", ".", "", "a", "b.whl", "+f", "c:d", "x;y", "%2e%2e", "q?r", "demo-1.0.tar.gz", " s"]
)
_HREF = st.builds(
    lambda prefix, segments, query: prefix + "/".join(segments) + query,
    st.sampled_from(
        ["", "/", "//", "./", "../", "../../", "https://files.example.net/", "http:", "https://"]
    ),
    st.lists(_SEGMENT, max_size=5),
    st.sampled_from(["", "?", "?a=1", "?a=/../b", ";p"]),
)


@given(base=st.sampled_from(BASES), href=_HREF | st.text(max_size=30))
@example(base=BASES[0], href="../../+f/472/1f3/six-1.17.0-py2.py3-none-any.whl")
@example(base=BASES[0], href="https://[::1/x")
def test_resolver_agrees_with_urljoin(base: str, href: str) -> None:
    href = href.partition("#")[0]
    try:
        expected: str | None = urljoin(base, href)
    except ValueError:
        expected = None
    resolved = simple._Resolver(base).resolve(href)
    if expected is not None and resolved != expected and href.startswith(("http://", "https://")):
        # Absolute links are kept as given, which is what urljoin does too
        # but for its round trip through urlparse.
        assert expected == urlunparse(urlparse(href))
        assert resolved == href
    else:
        assert resolved == expected


_ATTRIBUTE_TOKENS = st.sampled_from(
    [
        'href="demo-1.0.tar.gz#sha256=aa"',
        "href='demo-1.1.tar.gz'",
        "href=demo-1.2.tar.gz",
        'HREF = "demo-1.3.tar.gz"',
        "data-yanked",
        'data-yanked=""',
        'data-yanked="why"',
        "data-yanked='why not'",
        'data-requires-python="&gt;=3.8"',
        "data-requires-python=>=3",
        'data-core-metadata="true"',
        'data-dist-info-metadata="sha256=bb"',
        'class="x y"',
        '"',
        "'",
        "=",
        "/",
        'x="a\'b"',
        "x='a\"b'",
        'href="demo-1.4.tar.gz"',
    ]
)


@settings(max_examples=300)
@given(
    attributes=st.lists(st.tuples(_ATTRIBUTE_TOKENS, st.sampled_from([" ", "  ", "\n", ""]))),
    text=st.sampled_from(["", "demo-2.0.tar.gz", "junk"]),
)
def test_fast_attribute_reading_agrees_with_the_full_parser(
    attributes: list[tuple[str, str]], text: str
) -> None:
    source = "".join(token + space for token, space in attributes)
    html = f"<a {source}>{text}</a>\n<a {source}>{text}</a>"
    fast = page(html)
    original = simple._shape_getter
    try:
        simple._shape_getter = lambda shape: None
        slow = page(html)
    finally:
        simple._shape_getter = original
    assert fast == slow


def test_fast_file_constructor_matches_the_dataclass() -> None:
    args = (
        "demo-1.0.tar.gz",
        "https://example.org/demo-1.0.tar.gz",
        "demo",
        Version("1.0"),
        "sdist",
        {"sha256": "aa"},
        ">=3.8",
        True,
        "bad",
        {"sha256": "bb"},
        12,
        "2026-01-01T00:00:00Z",
    )
    fast = simple._make_file(*args)  # type: ignore[arg-type]
    slow = DistributionFile(*args)  # type: ignore[arg-type]
    assert type(fast) is DistributionFile
    assert fast == slow
    assert hash(fast.version) == hash(slow.version)
    assert repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.url = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        page('<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>')
        assert gc.isenabled() is enabled
        with pytest.raises(InvalidPageError):
            parse_project_page(b"{", JSON, URL)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# ---------------------------------------------------------------------------
# Hostile input: only CglibError, in linear time


CONTENT_TYPES = [HTML, JSON, "text_html", "application/json", "text/html; charset=latin-1"]

_HTML_TOKENS = st.sampled_from(
    [
        "<a ",
        "<A\t",
        "<a href=",
        "href=",
        '"',
        "'",
        ">",
        "<",
        "</a>",
        "=",
        " ",
        "\n",
        "data-yanked",
        "data-core-metadata=",
        "data-requires-python=",
        "&gt;",
        "&amp;",
        "&#",
        "demo-1.0.tar.gz",
        "demo-1.0-py3-none-any.whl",
        "#sha256=",
        "../",
        "/",
        "?",
        "<base href=",
        "<meta name=pypi:repository-version content=",
        "2.0",
        "1.1",
        "<form>",
        "<input type=password>",
        "\x00",
        "é",
        "demo-2.0.0+cgr.1.tar.gz",
        "http://[",
        "//",
    ]
)
_HTMLISH = st.lists(_HTML_TOKENS, max_size=40).map("".join)

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "meta",
                    "api-version",
                    "name",
                    "files",
                    "filename",
                    "url",
                    "hashes",
                    "sha256",
                    "yanked",
                    "requires-python",
                    "core-metadata",
                    "dist-info-metadata",
                    "size",
                    "upload-time",
                    "versions",
                    "projects",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


def _only_cglib_errors(call: object) -> None:
    assert callable(call)
    error: CglibError | None = None
    try:
        result = call()
    except CglibError as exc:
        error = exc
    if error is not None:
        assert "\n" not in error.message
    else:
        assert isinstance(result, ProjectPage | ProjectList)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=300), content_type=st.sampled_from(CONTENT_TYPES))
def test_arbitrary_bytes_raise_only_cglib_errors(body: bytes, content_type: str) -> None:
    _only_cglib_errors(lambda: parse_project_page(body, content_type, URL, "demo"))
    _only_cglib_errors(lambda: parse_project_page(body, content_type, URL))
    _only_cglib_errors(lambda: parse_project_list(body, content_type, URL))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(html=_HTMLISH, content_type=st.sampled_from([HTML, "text_html"]))
def test_html_like_text_raises_only_cglib_errors(html: str, content_type: str) -> None:
    body = html.encode()
    _only_cglib_errors(lambda: parse_project_page(body, content_type, URL, "demo"))
    _only_cglib_errors(lambda: parse_project_list(body, content_type, URL))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=_JSON_VALUES)
def test_json_like_data_raises_only_cglib_errors(data: object) -> None:
    body = json.dumps(data).encode()
    _only_cglib_errors(lambda: parse_project_page(body, JSON, URL, "demo"))
    _only_cglib_errors(lambda: parse_project_list(body, JSON, URL))
    wrapped = json.dumps({"files": [data], "projects": [data]}).encode()
    _only_cglib_errors(lambda: parse_project_page(wrapped, JSON, URL, "demo"))
    _only_cglib_errors(lambda: parse_project_list(wrapped, JSON, URL))


@pytest.mark.parametrize(
    "body",
    [
        "<a " * 200_000,
        "<a href=" * 200_000,
        '<a x="' + "<a " * 200_000,
        "<a '" * 100_000,
        '<a "' * 100_000 + "<a '" * 100_000,
        "<input " * 200_000 + "password",
        "<meta " * 200_000 + "pypi:repository-version",
        "<base " * 200_000,
        "&" * 500_000,
        "<a href=x>" + "a" * 1_000_000,
    ],
    ids=lambda b: repr(b[:12]),
)
def test_hostile_html_takes_linear_time(body: str) -> None:
    start = time.process_time()
    _only_cglib_errors(lambda: parse_project_page(body.encode(), HTML, URL, "demo"))
    _only_cglib_errors(lambda: parse_project_list(body.encode(), HTML, URL))
    # Quadratic behaviour would take minutes; linear takes well under a second.
    assert time.process_time() - start < 10


def test_big_page_parses() -> None:
    """100,000 links in both forms (the benchmark measures the time)."""
    count = 100_000
    html = "".join(
        f'<a href="../../f/{n:x}/demo-{n // 1000}.{n % 1000}.tar.gz#sha256={n:064x}" '
        f'data-requires-python="&gt;=3.8">demo-{n // 1000}.{n % 1000}.tar.gz</a><br/>\n'
        for n in range(count)
    )
    result = page(html)
    assert len(result.files) == count
    assert result.files[-1].url == f"https://example.org/f/{count - 1:x}/demo-99.999.tar.gz"
    assert result.files[-1].requires_python == ">=3.8"
    data = {
        "files": [
            {
                "filename": f.filename,
                "url": f.url,
                "hashes": dict(f.hashes),
                "requires-python": f.requires_python,
            }
            for f in result.files
        ]
    }
    assert json_page(data).files == result.files
