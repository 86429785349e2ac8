"""The optimizers page's explorer of the (w, b) plane, in a real browser
(Chromium): every iterate, step count and verdict against
snippets/optimizers/valley_paths.py (torch.optim.SGD in float64), its buttons,
the keyboard, the announced summary, a phone's width, both colour schemes.

The tests that set every input they read share one page (`module_page`); those
that start from the page as loaded get their own."""

from __future__ import annotations

import json

import momentum_bound
import pytest

from snippet import CHAPTERS, ROOT, page_url, ran

EXPLORER = "optimizers/"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCRIPT, STYLESHEET = "javascripts/valley_explorer.js", "stylesheets/valley_explorer.css"
SETTINGS = [
    ("best plain step", "raw"),
    ("momentum 0.9", "raw"),
    ("Distill's optimum", "raw"),
    ("a small step", "raw"),
    ("too large", "raw"),
    ("best plain step", "standardised"),
    ("Distill's optimum", "standardised"),
    ("momentum 0.9", "standardised"),
]


@pytest.fixture(scope="module")
def valley() -> dict:
    """snippets/optimizers/valley_paths.py's functions and runs."""
    return ran("optimizers/valley_paths.py")[0]


def open_explorer(page, site_url: str):
    """The explorer, on page (which opens its page unless already there)."""
    if page.url != site_url + EXPLORER:
        page.goto(site_url + EXPLORER)
    explorer = page.locator(".ve-explorer[data-ready]")
    explorer.wait_for()
    explorer.scroll_into_view_if_needed()
    return explorer


def set_setting(page, inputs: str, lr: float, momentum: float, start) -> None:
    """Every input of the explorer, typed: the exact float64 values (Python's
    repr, which JavaScript reads back to the same number)."""
    page.locator(f"input[name=ve-inputs][value={inputs}]").check()
    page.fill("#ve-start-w", repr(float(start[0])))
    page.fill("#ve-start-b", repr(float(start[1])))
    page.fill("#ve-rate", repr(float(lr)))
    page.fill("#ve-momentum", repr(float(momentum)))


def rows(page) -> list[list[str]]:
    """[data-w, data-b, data-loss, step, w, b, loss] of every row of the table."""
    return page.eval_on_selector_all(
        ".ve-table tbody tr",
        "rows => rows.map(r => [r.dataset.w, r.dataset.b, r.dataset.loss,"
        " ...Array.from(r.cells, c => c.textContent)])",
    )


def fixed(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e5 else f"{value:.4e}"


def summary(valley: dict, inputs: str, lr, momentum, start) -> str:
    """The sentence the explorer announces, from the Python run."""
    path, losses = valley["run"](lr, momentum, start, inputs)
    verdict = valley["verdict"](path, losses)
    last = len(path) - 1
    text = (
        f"η = {lr:.4g}, μ = {momentum:.4g}, from w = {fixed(start[0])}, "
        f"b = {fixed(start[1])}"
        + ("" if inputs == "raw" else ", standardised inputs")
        + f": {verdict}."
    )
    if verdict.startswith("converges"):
        end = path[-1]
        return text + (
            f" The loss is below 10⁻⁶ after {last} step{'' if last == 1 else 's'}, "
            f"at w = {fixed(end[0])}, b = {fixed(end[1])}."
        )
    if verdict == "diverges":
        return text + f" The loss passes 10¹⁰ at step {last}."
    return text + f" After {last} steps the loss is still {losses[-1]:.4g}."


def state(explorer) -> dict:
    """What the explorer runs now: its inputs, rate, momentum and start."""
    data = explorer.evaluate("e => ({...e.dataset})")
    return {
        "inputs": data["inputs"],
        "lr": float(data["rate"]),
        "momentum": float(data["momentum"]),
        "start": (float(data["startW"]), float(data["startB"])),
    }


def announced(page, expected: str) -> None:
    """Waits until the live region says `expected` (after the change settles)."""
    page.wait_for_function(
        "text => document.querySelector('.ve-announce').textContent === text",
        arg=expected,
    )


# --- the same numbers as PyTorch ------------------------------------------------


def test_the_settings_are_the_programs(valley):
    assert list(valley["settings"]) == SETTINGS


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s[0]}, {s[1]}")
def test_every_iterate_agrees_with_torch(module_page, site_url, valley, setting):
    page = module_page
    page.emulate_media(reduced_motion="reduce")
    explorer = open_explorer(page, site_url)
    table = page.locator(".ve-table")
    if table.get_attribute("open") is None:
        table.locator("summary").click()
    lr, momentum, start = valley["settings"][setting]
    inputs = setting[1]
    set_setting(page, inputs, lr, momentum, start)
    x = valley["INPUTS"][inputs].squeeze(1).tolist()
    assert json.loads(explorer.get_attribute("data-x")) == x  # bit for bit
    assert state(explorer) == {
        "inputs": inputs,
        "lr": lr,
        "momentum": momentum,
        "start": tuple(start),
    }
    path, losses = valley["paths"][setting]
    gap = momentum_bound.gaps(
        x, [2 * v for v in valley["X"].squeeze(1).tolist()], lr, momentum, path
    )
    found = rows(page)
    assert len(found) == len(path)
    for k, row in enumerate(found):
        w, b, loss = (float(v) for v in row[:3])
        assert abs(w - path[k][0]) <= gap[k, 0], (k, w, path[k][0])
        assert abs(b - path[k][1]) <= gap[k, 1], (k, b, path[k][1])
        assert abs(loss - losses[k]) <= gap[k, 2], (k, loss, losses[k])
        assert row[3:] == [str(k), fixed(w), fixed(b), f"{loss:.4g}"], k
    verdict = valley["verdict"](path, losses)
    assert explorer.get_attribute("data-verdict") == verdict
    steps = str(len(path) - 1) if verdict.startswith("converges") else ""
    assert explorer.get_attribute("data-steps") == steps
    assert explorer.locator(".ve-readouts dd").nth(1).inner_text() == verdict
    announced(page, summary(valley, inputs, lr, momentum, start))
    assert explorer.locator(".ve-plot polyline.ve-path-all").get_attribute(
        "points"
    ).count(",") == len(path)
    assert page.watch.errors == [] and page.watch.foreign == []


def test_the_buttons_reproduce_the_pages_step_counts(page, site_url, valley):
    """As loaded: Part 4's start, raw inputs, μ = 0.9 at η = 0.01. The three
    buttons give the step counts the page prints; standardised, both best
    settings take one step."""
    explorer = open_explorer(page, site_url)
    start = valley["start"]
    assert state(explorer) == {
        "inputs": "raw",
        "lr": 0.01,
        "momentum": 0.9,
        "start": start,
    }
    paths, settings = valley["paths"], valley["settings"]
    buttons = {
        "Best plain step": "best plain step",
        "Distill's optimum": "Distill's optimum",
        "μ = 0.9, η = 0.01": "momentum 0.9",
    }
    for inputs in ["raw", "standardised"]:
        if inputs == "standardised":
            page.get_by_label("standardised: mean 0, standard deviation 1").check()
            assert state(explorer)["start"] == pytest.approx(
                valley["same_line"](start), rel=1e-15, abs=1e-15
            )
        for button, name in buttons.items():
            page.get_by_role("button", name=button, exact=True).click()
            lr, momentum, _ = settings[name, inputs]
            now = state(explorer)
            assert now["lr"] == pytest.approx(lr, rel=1e-14)
            assert now["momentum"] == pytest.approx(momentum, rel=1e-14, abs=1e-14)
            path, losses = paths[name, inputs]
            assert explorer.get_attribute("data-steps") == str(len(path) - 1), name
            assert explorer.get_attribute("data-verdict") == valley["verdict"](
                path, losses
            )
    # Back to raw inputs: Part 4's start again, to rounding; its button, exactly.
    page.get_by_label("as they are: 1, 2, 3, 4").check()
    assert state(explorer)["start"] == pytest.approx(start, rel=1e-14, abs=1e-15)
    page.fill("#ve-start-w", "1")
    page.get_by_role("button", name="Part 4's start").click()
    assert state(explorer)["start"] == start
    assert page.locator("#ve-start-w").input_value() == fixed(start[0])
    assert page.watch.errors == [] and page.watch.foreign == []


BAD_INPUTS = [
    ("#ve-rate", "", "Enter a learning rate"),
    ("#ve-rate", "abc", "“abc” is not a number"),
    ("#ve-rate", "0", "must be above 0"),
    ("#ve-rate", "-0.1", "must be above 0"),
    ("#ve-rate", "1/0", "not a finite number"),
    ("#ve-rate", "11", "Choose η up to 10"),
    ("#ve-momentum", "1", "at least 0 and below 1"),
    ("#ve-momentum", "-0.5", "at least 0 and below 1"),
    ("#ve-start-w", "", "Enter the start's w"),
    ("#ve-start-b", "1000", "between −100 and 100"),
]
GOOD = {
    "#ve-rate": "0.01",
    "#ve-momentum": "0.9",
    "#ve-start-w": "0",
    "#ve-start-b": "0",
}


def test_bad_input_gets_a_clear_message(module_page, site_url):
    page = module_page
    explorer = open_explorer(page, site_url)
    alert = page.get_by_role("alert")
    for selector, value, message in BAD_INPUTS:
        page.fill(selector, value)
        assert message in alert.inner_text(), (selector, value)
        assert explorer.get_attribute("data-verdict") == "invalid"
        assert rows(page) == []
        assert explorer.locator(".ve-readouts dd").nth(0).inner_text() == ""
        assert "NaN" not in explorer.inner_text()
        page.fill(selector, GOOD[selector])
        assert not alert.is_visible(), (selector, value)
        assert explorer.get_attribute("data-verdict") != "invalid"
    assert page.watch.errors == []


# --- for every reader -------------------------------------------------------------


def test_keyboard_alone_changes_rate_momentum_start_and_inputs(page, site_url, valley):
    """From the section's heading (its permalink, the last thing focusable
    before the explorer), Tab and the arrow keys alone: every control is
    reached in order and changes the run, and the live region then announces
    the summary of the new run, the same as the Python's."""
    explorer = open_explorer(page, site_url)
    page.focus("#watch-it-descend > a.headerlink")

    def tab_to(name: str) -> None:
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.getAttribute('aria-label') || (e.labels && e.labels[0]"
            " ? e.labels[0].textContent : e.textContent); }"
        )
        assert label.strip() == name

    def says_the_pythons() -> None:
        now = state(explorer)
        announced(
            page,
            summary(valley, now["inputs"], now["lr"], now["momentum"], now["start"]),
        )

    before = state(explorer)
    tab_to("Learning rate η (slider)")
    page.keyboard.press("ArrowRight")
    assert state(explorer)["lr"] > before["lr"]
    says_the_pythons()
    tab_to("Learning rate η")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert state(explorer)["lr"] < before["lr"]
    tab_to("Momentum μ (slider)")
    page.keyboard.press("ArrowLeft")
    assert state(explorer)["momentum"] == pytest.approx(0.89)
    tab_to("Momentum μ")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert state(explorer)["momentum"] == pytest.approx(0.91)
    says_the_pythons()
    tab_to("w")
    page.keyboard.press("ArrowUp")  # to the next multiple of 0.05 above
    assert state(explorer)["start"][0] == 0
    tab_to("b")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert state(explorer)["start"][1] == pytest.approx(0.4)
    says_the_pythons()
    tab_to("Part 4's start")
    page.keyboard.press("Enter")
    assert state(explorer)["start"] == valley["start"]
    tab_to("as they are: 1, 2, 3, 4")
    page.keyboard.press("ArrowDown")  # the radio group: the other option
    assert state(explorer)["inputs"] == "standardised"
    says_the_pythons()
    tab_to("Best plain step")
    page.keyboard.press("Enter")
    assert explorer.get_attribute("data-steps") == "1"
    says_the_pythons()
    tab_to("Distill's optimum")
    tab_to("μ = 0.9, η = 0.01")
    tab_to("Step shown")
    page.keyboard.press("Home")
    assert page.locator(".ve-readouts dd").nth(2).inner_text().startswith("step 0:")
    tab_to("Play the descent")
    tab_to("Every step's numbers")
    page.keyboard.press("Enter")
    # The table is filled on the details' toggle event, which the browser
    # fires after the key press returns: wait for its first row.
    page.locator(".ve-table tbody tr").first.wait_for()
    assert len(rows(page)) == 2
    assert page.watch.errors == [] and page.watch.foreign == []


def test_the_summary_is_announced_once_per_change_not_every_frame(
    page, site_url, valley
):
    """Five quick presses of an arrow key are one change: one announcement,
    after it has settled, while the path is drawn step by step."""
    explorer = open_explorer(page, site_url)
    live = page.locator(".ve-announce")
    assert live.get_attribute("aria-live") == "polite"
    assert live.text_content() == ""  # nothing announced as the page loads
    page.evaluate(
        """() => {
            window.__announced = [];
            window.__shown = new Set();
            const live = document.querySelector('.ve-announce');
            new MutationObserver(() => __announced.push(live.textContent))
                .observe(live, {childList: true, characterData: true, subtree: true});
            const shown = document.querySelector('.ve-readouts div:nth-child(3) dd');
            new MutationObserver(() => __shown.add(shown.textContent))
                .observe(shown, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_label("Momentum μ (slider)").focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    now = state(explorer)
    assert now["momentum"] == pytest.approx(0.85)
    announced(page, summary(valley, "raw", now["lr"], now["momentum"], now["start"]))
    steps = int(explorer.get_attribute("data-steps"))
    page.wait_for_function(
        f"document.querySelector('#ve-step').value === '{steps}'"
    )  # the animation has reached the last step
    assert page.evaluate("__shown.size") > 3, "drawn step by step"
    assert page.evaluate("__announced") == [live.text_content()]
    assert page.watch.errors == [] and page.watch.foreign == []


def test_the_start_moves_by_dragging_and_the_summary_follows(page, site_url, valley):
    explorer = open_explorer(page, site_url)
    handle = explorer.locator(".ve-start-mark")
    box = handle.bounding_box()
    target = explorer.evaluate(
        """e => {
            const svg = e.querySelector('.ve-plot'), r = svg.getBoundingClientRect();
            const box = svg.viewBox.baseVal, s = r.width / box.width;
            // (w, b) = (4, 2) in the plot's pixels: its axes' ticks say where.
            const ticks = [...svg.querySelectorAll('.ve-axes text')];
            const at = (text, axis) => ticks.find(t => t.textContent === text
                && (axis === 'w' ? t.getAttribute('text-anchor') === 'middle'
                                 : t.getAttribute('text-anchor') === 'end'));
            const x = Number(at('4', 'w').getAttribute('x'));
            const y = Number(at('2', 'b').getAttribute('y')) - 4;
            return [r.left + x * s, r.top + y * s];
        }"""
    )
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*target, steps=8)
    page.mouse.up()
    now = state(explorer)
    assert now["start"] == pytest.approx((4, 2), abs=0.02)
    announced(page, summary(valley, "raw", now["lr"], now["momentum"], now["start"]))
    assert page.locator("#ve-start-w").input_value() == fixed(now["start"][0])
    assert page.watch.errors == [] and page.watch.foreign == []


def test_a_phone_sees_it_whole_and_taps_the_start(browser, site_url, valley):
    """412 px wide (a phone's CSS width): nothing scrolls sideways, the table
    of a long run included, and a tap moves the start."""
    context = browser.new_context(
        viewport={"width": 412, "height": 915}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        explorer = open_explorer(page, site_url)
        page.locator(".ve-table summary").click()
        page.get_by_role("button", name="Best plain step").click()
        assert len(rows(page)) == 239
        width = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
        scroll, inner = page.evaluate(width)
        assert scroll <= inner, (scroll, inner)
        box = explorer.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 412
        explorer.locator(".ve-plot").evaluate(
            "e => e.scrollIntoView({block: 'center'})"
        )
        plot = explorer.locator(".ve-plot").bounding_box()
        assert plot["width"] > 300 and plot["x"] + plot["width"] <= 412
        page.touchscreen.tap(plot["x"] + plot["width"] * 0.8, plot["y"] + 40)
        now = state(explorer)
        assert now["start"] != valley["start"]
        announced(
            page, summary(valley, "raw", now["lr"], now["momentum"], now["start"])
        )
        assert errors == []
    finally:
        context.close()


def axe_on_the_explorer(page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    # Colours as they end, not halfway through Material's transitions (a
    # button just clicked fades to its focused colours).
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    return page.evaluate(
        """async () => {
            const result = await axe.run({include: [[".ve-explorer"]]},
                                         {resultTypes: ["violations"]});
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} -> `
                + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )


def test_axe_finds_nothing_in_use_in_either_scheme(page, site_url):
    """The page as loaded is checked with every page (test_browser.py); here
    the explorer in use: its table open, a message shown, in both schemes,
    every rule axe runs by default."""
    open_explorer(page, site_url)
    page.locator(".ve-table summary").click()
    page.get_by_role("button", name="Distill's optimum").click()
    for scheme in ["default", "slate"]:
        if scheme == "slate":
            page.get_by_title("Switch to dark mode").click()
            page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        assert page.evaluate("document.body.dataset.mdColorScheme") == scheme
        violations = axe_on_the_explorer(page)
        assert violations == [], "\n".join(violations)
        page.fill("#ve-rate", "abc")
        violations = axe_on_the_explorer(page)
        assert violations == [], "\n".join(violations)
        page.fill("#ve-rate", "0.01")
    assert page.watch.errors == [] and page.watch.foreign == []


# --- costs nothing elsewhere -------------------------------------------------------


def test_the_explorer_is_its_pages_own():
    """Its script and stylesheet are named in its page's front matter, so that
    page alone loads them (test_site.py checks every page's own files)."""
    meta = next(c.meta for c in CHAPTERS if c.src_uri == "optimizers.md")
    assert (meta["scripts"], meta["stylesheets"]) == ([SCRIPT], [STYLESHEET])
    assert page_url("optimizers.md") == EXPLORER


def test_without_javascript_the_page_says_so_and_shows_the_figure(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + EXPLORER)
        explorer = page.locator(".ve-explorer")
        assert explorer.inner_text().startswith("The explorer needs JavaScript.")
        figure = page.locator("#watch-it-descend ~ .tabbed-set img")
        assert "Three show the contour lines" in figure.first.get_attribute("alt")
        # No room kept for it (30rem, 600 px, while a script builds it): its text.
        assert explorer.bounding_box()["height"] < 200
    finally:
        context.close()
