"""axe-core, in Chromium, on every page in both colour schemes: no violations."""

from __future__ import annotations

import pytest
from markdown_includes import ROOT

PAGES = sorted(p.relative_to(ROOT / "docs") for p in ROOT.glob("docs/**/*.md"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def url_of(page) -> str:
    return "" if page.stem == "index" else f"{page.with_suffix('').as_posix()}/"


@pytest.fixture(scope="module")
def axe_pages(browser, site_url):
    """One browser context per colour scheme, shared by the module's tests."""
    contexts = {
        scheme: browser.new_context(color_scheme=scheme) for scheme in ("light", "dark")
    }
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("doc", [*PAGES, "whole_tutorial/", "404.html"], ids=str)
def test_no_axe_violations(axe_pages, site_url, doc, scheme):
    page = axe_pages[scheme].new_page()
    try:
        path = doc if isinstance(doc, str) else url_of(doc)
        page.goto(site_url + path, wait_until="load")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]}))
                .violations.map(v => `${v.id} (${v.impact}): ${v.help} -> ` +
                    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""
        )
    finally:
        page.close()
    assert violations == [], "\n".join(violations)
