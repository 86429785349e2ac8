"""Every page in a real browser (Chromium), loaded once and checked in both
colour schemes: offline, no console errors, formulas rendered, figures with
their text alternatives, axe-core without violations, exercise solutions that
open, and a report link that asks for the repository's new-issue form.

A page is loaded once for all of these (a page load and axe-core are what a
browser test costs); each check is a subtest of its own, reported by name.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from snippet import CHAPTERS, CONFIG, EXERCISE_CHAPTERS, PAGES, ROOT, page_url
from tools.figures import FIGURE_CLASS

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DOCS = PAGES
FIGURE_PAGES = {  # page -> how many blocks print HTML (a figure) there
    c.src_uri: sum(b.output_as == "html" for b in c.blocks)
    for c in CHAPTERS
    if any(b.output_as == "html" for b in c.blocks)
}
EXERCISE_PAGES = {c.src_uri for c in EXERCISE_CHAPTERS}
REPORT = "Report a problem with this page"
# axe-core's rules that read colours (tag cat.color) and run by default.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
SCHEMES = {"light": "default", "dark": "slate"}  # Material's names


# --- helpers -----------------------------------------------------------------------


def load(page, url: str):
    """Open url and wait for the load event, then for the file Material fetches
    as it starts (the search index): the page's own requests and its scripts'
    requests at start-up have then been made. (A request a script makes later,
    on a timer, is not waited for; neither was it by the half second of network
    idleness this replaces.)"""
    response = page.goto(url, wait_until="load")
    page.wait_for_function(
        """() => performance.getEntriesByType("resource").some(e =>
            e.name.endsWith("/search/search_index.json") && e.responseEnd > 0)"""
    )
    return response


def scheme(page) -> str:
    return page.evaluate("document.body.dataset.mdColorScheme")


def to_dark_scheme(page) -> None:
    """Switch the palette as a reader does, with the header's toggle."""
    assert scheme(page) == SCHEMES["light"]
    page.get_by_title("Switch to dark mode").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")


def axe_violations(page, scheme_only: bool = False) -> list[str]:
    """axe-core's violations on the page as it is now (every rule axe runs by
    default), one line each. `scheme_only`: after a change of colour scheme,
    only what the scheme can change: the colour rules over the whole page, and
    every rule over the header, where the palette toggle shows the other
    scheme's button (the scheme changes attributes on <body>, and the colours
    and visibility that CSS gives them, nothing else)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (schemeOnly) => {
            const runs = schemeOnly
                ? [[document, {runOnly: {type: "rule", values: COLOUR_RULES}}],
                   [{include: [["header"]]}, {}]]
                : [[document, {}]];
            const found = [];
            for (const [context, options] of runs) {
                const result = await axe.run(
                    context, {...options, resultTypes: ["violations"]});
                found.push(...result.violations);
            }
            return found.map(v => `${v.id} (${v.impact}): ${v.help} -> ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }""".replace("COLOUR_RULES", json.dumps(COLOUR_RULES)),
        scheme_only,
    )


def test_the_colour_rules_are_the_ones_axe_runs_by_default(page, site_url: str):
    """COLOUR_RULES: every rule of axe's default run that reads colours."""
    load(page, site_url)
    page.add_script_tag(path=str(AXE))
    ids = page.evaluate(
        """async () => {
            const r = await axe.run(document);
            return [...r.passes, ...r.violations, ...r.incomplete, ...r.inapplicable]
                .filter(rule => rule.tags.includes("cat.color")).map(rule => rule.id);
        }"""
    )
    assert sorted(set(ids)) == COLOUR_RULES  # a rule can pass and be incomplete


def figure_ink(page) -> list[tuple[float, float, float, float]]:
    """Each figure as drawn on the page: the lightness (0 black, 1 white) of
    the background around it, of its first percentile (its dark ink), and of
    its darkest and lightest pixels. Scrolled into view first: figures load
    lazily."""
    drawn = page.locator(f"article .{FIGURE_CLASS} img")
    found = []
    for i in range(drawn.count()):
        image = drawn.nth(i)
        image.scroll_into_view_if_needed()
        image.evaluate(
            "e => e.complete && e.naturalWidth > 0 || new Promise(done => "
            "e.addEventListener('load', done, {once: true}))"
        )
        grey = Image.open(io.BytesIO(image.screenshot())).convert("L")
        pixels = sorted(grey.tobytes())
        background = Counter(pixels).most_common(1)[0][0]
        found.append(
            tuple(
                v / 255
                for v in (background, pixels[len(pixels) // 100], pixels[0], pixels[-1])
            )
        )
    return found


# --- every page ----------------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS)
def test_page_in_a_browser(page, site_url: str, subtests, doc: str):
    url = site_url + page_url(doc)
    load(page, url)
    watch = page.watch

    with subtests.test("loads offline without errors"):
        assert page.locator("h1").count() == 1
        assert watch.foreign == [], "requests to other hosts"
        assert watch.errors == [], "console errors"

    with subtests.test("no formula is left as raw TeX"):
        text = page.locator("article").inner_text()
        assert "\\(" not in text and "\\frac" not in text and "$$" not in text

    figures = page.locator(f"article .{FIGURE_CLASS}")
    with subtests.test("every figure is shown with its text alternative"):
        assert figures.count() == FIGURE_PAGES.get(doc, 0)
        for i in range(figures.count()):
            figure = figures.nth(i)
            image = figure.locator("img")
            label = image.get_attribute("alt")
            assert label and len(label) > 80, i
            assert image.get_attribute("loading") == "lazy", i
            assert figure.locator("figcaption").inner_text().strip(), i
            box = image.bounding_box()  # its size is known before it loads
            assert box and box["width"] > 300 and box["height"] > 150, "shown"

    with subtests.test("axe-core, light scheme"):
        assert scheme(page) == SCHEMES["light"]
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)

    light_ink = figure_ink(page)
    to_dark_scheme(page)
    with subtests.test("figures follow the colour scheme"):
        # Black ink on `default`; on `slate` the ink is light and nothing is
        # drawn darker than the background (black ink would be).
        for background, ink, _, _ in light_ink:
            assert background > 0.9 and ink < 0.5, light_ink
        dark_ink = figure_ink(page)
        for background, _, darkest, lightest in dark_ink:
            assert background < 0.2 and lightest > 0.8, dark_ink
            assert darkest >= background - 0.03, dark_ink

    with subtests.test("axe-core, dark scheme"):
        violations = axe_violations(page, scheme_only=True)
        assert violations == [], "\n".join(violations)

    solutions = page.locator("details.success")
    with subtests.test("each solution opens and shows its output"):
        if doc in EXERCISE_PAGES:
            assert solutions.count() >= 2
        else:
            assert solutions.count() == 0
        for i in range(solutions.count()):
            solution = solutions.nth(i)
            output = solution.locator(".language-text").first
            assert not output.is_visible(), "closed until the reader opens it"
            solution.locator("summary").click()
            assert output.is_visible(), i
            assert output.inner_text().strip(), i

    with subtests.test("no console error, no other host, after all of the above"):
        assert watch.errors == [] and watch.foreign == []

    # Last: the click leaves the page.
    with subtests.test("the report link asks for the new-issue form"):
        # Blocked here, and recorded: the test's browser reaches no other host.
        with page.expect_request(lambda r: "/issues/new" in r.url) as request:
            page.get_by_role("link", name=REPORT).click()
        issue = urlsplit(request.value.url)
        assert f"{issue.scheme}://{issue.netloc}{issue.path}" == (
            CONFIG["repo_url"].rstrip("/") + "/issues/new"
        )
        body = parse_qs(issue.query)["body"][0]
        here = page_url(doc).removeprefix("./")
        assert body.startswith(f"Page: {CONFIG['site_url']}{here}\n")


def test_a_code_block_gets_its_copy_button_when_it_comes_into_view(page, site_url):
    """`content.lazy` (mkdocs.yml): Material gives a code block its button bar
    when the block first comes into view, not to every block as the page
    starts. The bar, once there, is named by the block's place on the page
    (docs/javascripts/a11y.js), and its button copies the block's code."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    load(page, site_url + page_url("numpy_by_hand.md"))
    # The last block shown on the page as loaded (not in a closed solution or
    # a hidden tab), far below the first screen.
    place = page.evaluate(
        """() => {
            const blocks = [...document.querySelectorAll("pre")];
            const shown = blocks.filter(b => b.offsetParent && !b.closest("details"));
            shown.at(-1).dataset.testBlock = "";
            return blocks.indexOf(shown.at(-1)) + 1;
        }"""
    )
    block = page.locator("pre[data-test-block]")
    assert place > 5 and block.bounding_box()["y"] > 3 * page.viewport_size["height"]
    assert block.locator("nav").count() == 0, "mounted before it was seen"

    block.scroll_into_view_if_needed()
    bar = block.locator("nav.md-code__nav")
    bar.wait_for()
    assert bar.get_attribute("aria-label") == f"Code block {place} actions"
    bar.get_by_role("button", name="Copy to clipboard").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    code = block.locator("code").inner_text()
    assert copied and copied == code.rstrip(), (copied, code)
    assert page.watch.errors == [] and page.watch.foreign == []


def test_a_request_to_another_host_is_recorded_and_never_reaches_it(page, site_url):
    """What every browser test's `watch.foreign == []` relies on: a request to
    another host, by name or by address, is recorded and aborted (conftest.py:
    `_watched_page`), while the site's own requests go through."""
    load(page, site_url)
    failed = []
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
    reached = page.evaluate(
        """async (urls) => Promise.all(urls.map(url =>
            fetch(url, {mode: "no-cors"}).then(() => true, () => false)))""",
        ["https://example.com/x.js", "http://192.0.2.1/y.css", site_url],
    )
    assert reached == [False, False, True]
    foreign = ["http://192.0.2.1/y.css", "https://example.com/x.js"]
    assert sorted(page.watch.foreign) == foreign  # made at once: in either order
    # Aborted by the test's route (net::ERR_FAILED), not refused by a network
    # this machine may or may not have.
    assert sorted(failed) == [(url, "net::ERR_FAILED") for url in foreign]


def test_missing_page_gets_the_sites_404_page(page, site_url: str, subtests):
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    missing = site_url + "no/such/page/"
    response = load(page, missing)
    assert response.status == 404
    assert page.locator("h1").inner_text() == "404 - Not found"
    assert page.locator(".md-header").count() == 1  # in the site's style
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    assert failed == [missing], "only the missing page itself may fail to load"
    assert page.watch.foreign == []
    # The browser reports the 404 document itself as a console error.
    assert len(page.watch.errors) == 1 and "404" in page.watch.errors[0]

    with subtests.test("axe-core, light scheme"):
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)
    to_dark_scheme(page)
    with subtests.test("axe-core, dark scheme"):
        violations = axe_violations(page)
        assert violations == [], "\n".join(violations)


NO_SCHEME_QUERY = """() => {
    const scheme = media => media && media.mediaText.includes("prefers-color-scheme");
    const rules = list =>
        [...list].flatMap(r => [r, ...(r.cssRules ? rules(r.cssRules) : [])]);
    return [...document.styleSheets].every(sheet =>
        !scheme(sheet.media) && rules(sheet.cssRules).every(r => !scheme(r.media)));
}"""


def test_the_toggle_gives_the_page_a_dark_system_loads(browser, site_url):
    """The checks above switch a page to the dark scheme with the toggle; a
    reader whose system prefers dark loads it so. The scheme is chosen by the
    palette alone (the site's CSS has no prefers-color-scheme query: body
    attributes select it); the body's attributes, the color-scheme meta tag and
    which toggle is shown are the same both ways (the toggle's radio button is
    checked only when clicked, as for a reader who clicks it)."""
    palette = """() => [
        document.querySelector("meta[name=color-scheme]").content,
        ...Object.entries(document.body.dataset)
            .filter(([key]) => key.startsWith("mdColor")),
        ...[...document.querySelectorAll("form[data-site-palette] label")]
            .map(l => [l.title, l.hidden])]"""
    states = {}
    for system in ("light", "dark"):
        context = browser.new_context(color_scheme=system)
        try:
            page = context.new_page()
            load(page, site_url)
            if system == "light":
                to_dark_scheme(page)
            states[system] = page.evaluate(palette)
            assert page.evaluate(NO_SCHEME_QUERY), "a prefers-color-scheme query"
        finally:
            context.close()
    assert states["light"] == states["dark"]
    assert states["dark"][:2] == ["dark", ["mdColorScheme", "slate"]]


# --- the palette, and a page that does not re-style itself as it starts -----------

# Installed before any of the page's scripts: records every change to the
# root's or the body's attributes that alters a value (class compared as a set
# of names) and every <meta name="color-scheme"> added or changed, each with
# the phase it happened in ("head":
# the body is not parsed yet, so the browser has computed no style; "body":
# while the body is parsed; "started": after DOMContentLoaded, when Material's
# components start). Each of these, once the body exists, makes the browser
# recompute the style of every element of the page: on a phone, the page's
# longest tasks. So does a stylesheet's link set again, as Material's instant
# navigation does to every link as it starts (mkdocs.yml leaves it off).
RESTYLE_RECORDER = """
window.__restyles = [];
const phase = () => !document.body ? "head"
    : document.readyState === "loading" ? "body" : "started";
const tokens = value => [...new Set((value || "").split(/\\s+/).filter(Boolean))]
    .sort().join(" ");
new MutationObserver(records => {
    for (const r of records) {
        const el = r.target;
        if (r.type === "attributes") {
            const now = el.getAttribute(r.attributeName);
            const root = el === document.documentElement || el === document.body;
            const changed = r.attributeName === "class"
                ? tokens(r.oldValue) !== tokens(now) : r.oldValue !== now;
            if (root && changed)
                __restyles.push(`${phase()}: <${el.localName}> ${r.attributeName}`);
            if (el.matches("meta[name=color-scheme]") && changed)
                __restyles.push(`${phase()}: color-scheme meta changed`);
            if (el.matches("link[rel~=stylesheet]") && r.attributeName === "href")
                __restyles.push(`${phase()}: stylesheet link set again`);
        } else {
            for (const node of r.addedNodes)
                if (node.nodeType === 1 && node.matches("meta[name=color-scheme]"))
                    __restyles.push(`${phase()}: color-scheme meta added`);
        }
    }
}).observe(document, {attributes: true, attributeOldValue: true, childList: true,
                      subtree: true});
"""


@pytest.mark.parametrize("system", ["light", "dark"])
def test_a_page_settles_its_palette_before_its_body(browser, site_url, system):
    """On a first visit, with a light or a dark system: the root's classes
    (no-js -> js, focus-visible's) and the dark palette's color-scheme tag are
    set in <head>, the body's palette attributes while the header is parsed;
    once the body exists nothing else changes them, or sets a stylesheet's
    link again, as the page and its scripts start."""
    context = browser.new_context(color_scheme=system)
    try:
        page = context.new_page()
        page.add_init_script(RESTYLE_RECORDER)
        load(page, site_url + page_url("learning_rate.md"))
        page.wait_for_timeout(0)  # pending mutation records are delivered
        restyles = page.evaluate("__restyles")
        assert "head: <html> class" in restyles, restyles  # the check sees them
        assert [r for r in restyles if not r.startswith("head:")] == (
            ["body: <body> data-md-color-media", "body: <body> data-md-color-scheme"]
            if system == "dark"
            else ["body: <body> data-md-color-media"]
        ), restyles
        assert page.evaluate("document.documentElement.className") == (
            "js js-focus-visible"
        )
        assert scheme(page) == SCHEMES[system]
    finally:
        context.close()


def test_the_palette_is_kept_and_switches_by_keyboard(page, site_url):
    """The toggle (the site's own, in place of Material's component): Enter on
    it switches the palette as a click does; the choice is kept when the reader
    opens another page; the color-scheme and theme-color tags follow it."""
    load(page, site_url)
    assert scheme(page) == SCHEMES["light"]
    assert page.evaluate("document.querySelector('meta[name=color-scheme]')") is None
    page.focus("#__palette_0")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    assert page.get_by_title("Switch to light mode").is_visible()
    assert not page.get_by_title("Switch to dark mode").is_visible()
    meta = "name => document.querySelector(`meta[name=${name}]`).content"
    assert page.evaluate(meta, "color-scheme") == "dark"
    assert page.evaluate(meta, "theme-color").startswith("rgb(")
    load(page, site_url + page_url("learning_rate.md"))
    assert scheme(page) == SCHEMES["dark"]
    assert page.evaluate(meta, "color-scheme") == "dark"
    assert page.get_by_title("Switch to light mode").is_visible()
    page.get_by_title("Switch to light mode").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'")
    assert page.evaluate(meta, "color-scheme") == "light"
    assert page.get_by_title("Switch to dark mode").is_visible()
    assert page.watch.errors == [] and page.watch.foreign == []
