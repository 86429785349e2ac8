"""axe-core, in Chromium, on every page in both colour schemes: no violations."""

from __future__ import annotations

import pytest

from snippet import PAGES, ROOT, page_url

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("doc", [*PAGES, "whole_tutorial.md", "404.html"])
def test_no_axe_violations(axe_pages, site_url, doc, scheme):
    page = axe_pages[scheme].new_page()
    try:
        path = doc if doc == "404.html" else page_url(doc)
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
