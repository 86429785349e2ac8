"""Sharing and feedback: Open Graph and Twitter card tags on every page (no image,
no other host), and a link that opens an issue about the page in the repository.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from snippet import CONFIG, PAGES, page_url

URLS = [page_url(p).removeprefix("./").rstrip("/") for p in PAGES]
REPORT = "Report a problem with this page"


class Head(HTMLParser):
    """The tags a link preview reads, and the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.canonical: list[str] = []
        self.title = ""
        self.links: list[tuple[str, str]] = []  # (href, text)
        self._in: str | None = None
        self._href = ""
        self._head = True  # until </head>: an SVG's <title> is not the page's

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            key = a.get("property") or a.get("name")
            self.meta.setdefault(key, []).append(a.get("content", ""))
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "title" and self._head:
            self._in = tag
        elif tag == "a":
            self._in, self._href = tag, a.get("href", "")
            self.links.append((self._href, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._head = False
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "a":
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)


def parse(site_dir: Path, url: str) -> Head:
    head = Head()
    head.feed((site_dir / url / "index.html").read_text(encoding="utf-8"))
    return head


def one(head: Head, key: str) -> str:
    values = head.meta.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return html.unescape(values[0])


@pytest.mark.parametrize("url", URLS, ids=lambda u: u or "index")
def test_every_page_has_open_graph_and_twitter_tags(site_dir: Path, url: str):
    config = CONFIG
    head = parse(site_dir, url)
    assert head.canonical == [config["site_url"] + (f"{url}/" if url else "")]
    title = html.unescape(head.title).strip()
    page_title = title.removesuffix(f" - {config['site_name']}")
    assert one(head, "og:type") == "website"
    assert one(head, "og:site_name") == config["site_name"]
    assert one(head, "og:title") == one(head, "twitter:title") == page_title
    description = one(head, "description")  # Material's own <meta name=...>
    assert description.strip()
    assert one(head, "og:description") == description
    assert one(head, "twitter:description") == description
    assert one(head, "og:url") == head.canonical[0]
    assert one(head, "twitter:card") == "summary"  # a card without an image
    for key, values in head.meta.items():
        assert "image" not in key, key
        for value in values:  # no address but the site's own
            if "://" in value:
                assert value.startswith(config["site_url"]), (key, value)


def test_a_page_with_its_own_description_shares_it(site_dir: Path):
    """Front matter descriptions are the pages' own, not the site's."""
    config = CONFIG
    head = parse(site_dir, "autograd")
    assert one(head, "og:description") != " ".join(config["site_description"].split())
    assert one(head, "og:title") == "Part 2: gradients by autograd"


@pytest.mark.parametrize("url", URLS, ids=lambda u: u or "index")
def test_every_page_links_to_a_new_issue_about_itself(site_dir: Path, url: str):
    config = CONFIG
    head = parse(site_dir, url)
    reports = [href for href, text in head.links if text.strip() == REPORT]
    assert len(reports) == 1
    link = urlsplit(html.unescape(reports[0]))
    repo = urlsplit(config["repo_url"])
    assert (link.scheme, link.netloc) == (repo.scheme, repo.netloc)
    assert link.path == repo.path.rstrip("/") + "/issues/new"
    query = parse_qs(link.query, strict_parsing=True)
    assert set(query) == {"title", "body"}
    assert query["body"][0].startswith(f"Page: {head.canonical[0]}\n")
    page_title = html.unescape(head.title).strip()
    page_title = page_title.removesuffix(f" - {config['site_name']}")
    if url:  # the home page's nav title is "Home"
        assert page_title in query["title"][0]


def test_the_404_page_has_no_report_link_nor_a_canonical_address(site_dir: Path):
    head = Head()
    head.feed((site_dir / "404.html").read_text(encoding="utf-8"))
    assert head.canonical == [] and "og:url" not in head.meta
    assert all(text.strip() != REPORT for _, text in head.links)


# Clicked in a browser, the link asks for the new-issue form: test_browser.py.
