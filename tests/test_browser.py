"""Every page in a real browser: no console errors, no request to another host."""

from __future__ import annotations

import pytest
from markdown_includes import ROOT

PAGES = sorted(p.relative_to(ROOT / "docs") for p in ROOT.glob("docs/**/*.md"))


def url_of(page) -> str:
    return "" if page.stem == "index" else f"{page.with_suffix('').as_posix()}/"


@pytest.mark.parametrize("doc", PAGES, ids=str)
def test_page_loads_offline_without_errors(page, site_url: str, doc):
    page.goto(site_url + url_of(doc), wait_until="networkidle")
    assert page.locator("h1").count() == 1
    assert page.watch.foreign == [], "requests to other hosts"
    assert page.watch.errors == [], "console errors"
    # No formula is left as raw TeX.
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "\\frac" not in text and "$$" not in text
