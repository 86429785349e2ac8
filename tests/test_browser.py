"""Every page in a real browser: no console errors, no request to another host."""

from __future__ import annotations

import pytest

from snippet import PAGES, page_url


@pytest.mark.parametrize("doc", [*PAGES, "whole_tutorial.md"])
def test_page_loads_offline_without_errors(page, site_url: str, doc):
    page.goto(site_url + page_url(doc), wait_until="networkidle")
    assert page.locator("h1").count() == 1
    assert page.watch.foreign == [], "requests to other hosts"
    assert page.watch.errors == [], "console errors"
    # No formula is left as raw TeX.
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "\\frac" not in text and "$$" not in text


def test_missing_page_gets_the_sites_404_page(page, site_url: str):
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    missing = site_url + "no/such/page/"
    response = page.goto(missing, wait_until="load")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "404 - Not found"
    assert page.locator(".md-header").count() == 1  # in the site's style
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    assert failed == [missing], "only the missing page itself may fail to load"
    assert page.watch.foreign == []
    # The browser reports the 404 document itself as a console error.
    assert len(page.watch.errors) == 1 and "404" in page.watch.errors[0]
