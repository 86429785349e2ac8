"""The learning-rate explorer, in a real browser (Chromium).

The tests that set every input they read share one page (`module_page`), loaded
once; those that start from the page as loaded, or leave it, get their own.
The figures are checked with every page, in test_browser.py."""

from __future__ import annotations

import pytest

from snippet import CHAPTERS, page_url

EXPLORER = "learning_rate/"
SCRIPT, STYLESHEET = "javascripts/lr_explorer.js", "stylesheets/lr_explorer.css"


def open_explorer(page, site_url: str):
    """The explorer, on page (which opens its page unless already there)."""
    if page.url != site_url + EXPLORER:
        page.goto(site_url + EXPLORER)
    page.locator(".lr-explorer[data-ready]").wait_for()
    return page.locator(".lr-explorer")


def set_inputs(page, rate: str, epochs: str = "30") -> None:
    page.fill("#lr-epochs", epochs)
    page.fill("#lr-rate", rate)


def explorer_rows(page) -> list[list[str]]:
    """[data-w, data-loss, epoch, w, loss] for every row of the explorer's table."""
    return page.eval_on_selector_all(
        ".lr-table tbody tr",
        "rows => rows.map(r => [r.dataset.w, r.dataset.loss,"
        " ...Array.from(r.cells, c => c.textContent)])",
    )


def as_float(text: str) -> float:
    """ "1/15" -> 1 / 15, divided as Python (and the explorer) divide floats."""
    numerator, _, denominator = text.partition("/")
    return float(numerator) / float(denominator or 1)


def python_format(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e5 else f"{value:.4e}"


def assert_no_nan_or_infinity(explorer) -> None:
    text = explorer.text_content() + (
        explorer.locator(".lr-plot").get_attribute("aria-label") or ""
    )
    assert "NaN" not in text and "Infinity" not in text, text


@pytest.mark.parametrize("rate", ["0.01", "1/15", "0.1", "0.2"])
def test_explorer_agrees_with_the_python_training_code(
    module_page, site_url, regimes, rate
):
    page = module_page
    explorer = open_explorer(page, site_url)
    set_inputs(page, rate)
    learning_rate = as_float(rate)
    history = regimes["train"](learning_rate, 30)
    rows = explorer_rows(page)
    assert len(rows) == len(history) == 30
    for k, ((w, loss), row) in enumerate(zip(history, rows, strict=True), start=1):
        assert float(row[0]) == pytest.approx(w, rel=1e-12, abs=1e-12), k
        assert float(row[1]) == pytest.approx(loss, rel=1e-12, abs=1e-12), k
        assert row[2:] == [str(k), python_format(w), python_format(loss)], k
    assert explorer.get_attribute("data-verdict") == regimes["verdict"](learning_rate)
    assert_no_nan_or_infinity(explorer)
    assert explorer.locator(".lr-plot polyline").count() >= 1
    assert page.watch.errors == [] and page.watch.foreign == []


VERDICTS = [
    ("0.001", "Crawls"),
    ("0.01", "Converges: w climbs"),
    ("1/15", "Converges in one step"),
    ("0.1", "Oscillates but converges"),
    ("0.2", "Diverges"),
]


def test_explorer_verdict_in_words(module_page, site_url, regimes):
    page = module_page
    explorer = open_explorer(page, site_url)
    for rate, words in VERDICTS:
        set_inputs(page, rate)
        verdict = explorer.locator(".lr-verdict").inner_text()
        assert verdict.startswith(words), (rate, verdict)
        needed = regimes["epochs_to_converge"](as_float(rate))
        if needed and needed > 1:
            assert f"within 0.001 of 2 after {needed} epochs" in verdict, rate
        assert_no_nan_or_infinity(explorer)


def test_a_diverging_run_stops_at_the_epoch_whose_loss_overflows(
    module_page, site_url, regimes
):
    page = module_page
    explorer = open_explorer(page, site_url)
    set_inputs(page, "0.2", "600")
    history = regimes["train"](0.2, 600)
    overflow = len(history) + 1
    assert overflow < 600, "the run overflows within 600 epochs"
    assert explorer.get_attribute("data-overflow") == str(overflow)
    verdict = explorer.locator(".lr-verdict").inner_text()
    assert f"The loss overflowed at epoch {overflow}" in verdict
    assert len(explorer_rows(page)) == len(history)
    assert (
        explorer.locator(".lr-plot")
        .get_attribute("aria-label")
        .count(f"at epoch {len(history)}")
    )
    assert_no_nan_or_infinity(explorer)


BAD_INPUTS = [
    ("-0.1", "30", "A negative learning rate"),
    ("", "30", "Enter a learning rate"),
    ("abc", "30", "“abc” is not a number"),
    ("1,5", "30", "“1,5” is not a number"),
    ("1/0", "30", "not a finite number"),
    ("0", "30", "With η = 0 no step moves w"),
    ("1e6", "30", "far too large"),
    ("1e400", "30", "not a finite number"),
    ("0.01", "0", "Epochs must be a whole number from 1 to 1000"),
    ("0.01", "-3", "Epochs must be a whole number"),
    ("0.01", "2.5", "Epochs must be a whole number"),
    ("0.01", "100000", "Epochs must be a whole number"),
    ("0.01", "", "Epochs must be a whole number"),
]


def test_bad_input_gets_a_clear_message(module_page, site_url):
    page = module_page
    explorer = open_explorer(page, site_url)
    alert = page.get_by_role("alert")
    for rate, epochs, message in BAD_INPUTS:
        case = f"rate {rate!r}, epochs {epochs!r}"
        set_inputs(page, rate, epochs)
        assert message in alert.inner_text(), case
        assert explorer.get_attribute("data-verdict") == "invalid", case
        assert explorer.locator(".lr-verdict").inner_text() == "", case
        assert explorer_rows(page) == [], case
        assert not explorer.locator(".lr-plot").is_visible(), case
        assert_no_nan_or_infinity(explorer)
        # A good value brings the explorer back, and the message goes.
        set_inputs(page, "0.01", "30")
        assert page.locator(".lr-message").text_content() == "", case
        assert not alert.is_visible(), case
        assert len(explorer_rows(page)) == 30, case
    assert page.watch.errors == []


def test_explorer_works_when_reached_from_home_and_after_going_back(page, site_url):
    """A reader's way to it: Home, the learning-rate link in the navigation,
    another page, and the browser's Back button."""
    page.goto(site_url)
    page.locator(
        ".md-sidebar--primary a", has_text="Choosing the learning rate"
    ).click()
    page.wait_for_url("**/" + EXPLORER)
    page.locator(".lr-explorer[data-ready]").wait_for()
    page.get_by_role("button", name="η = 1/15").click()
    assert page.locator(".lr-verdict").inner_text().startswith("Converges in one step")
    assert explorer_rows(page)[0][3] == "2.0000"
    # Away and back again: initialised once per visit, no duplicate controls.
    page.locator(".md-sidebar--primary a", has_text="Side by side").click()
    page.wait_for_url("**/side_by_side/")
    page.go_back()
    page.locator(".lr-explorer[data-ready]").wait_for()
    assert page.get_by_role("button", name="η = 1/15").count() == 1
    set_inputs(page, "0.01", "30")
    assert len(explorer_rows(page)) == 30
    assert page.watch.errors == [] and page.watch.foreign == []


def test_explorer_is_keyboard_operable_with_labelled_controls(page, site_url):
    explorer = open_explorer(page, site_url)
    slider = page.get_by_label("Learning rate η (slider)")
    field = page.get_by_label("Learning rate η", exact=True)
    epochs = page.get_by_label("Epochs")
    assert slider.get_attribute("type") == "range"
    assert field.input_value() == "0.01" and epochs.input_value() == "30"
    options = page.eval_on_selector_all(
        "#lr-marks option", "os => os.map(o => [Number(o.value), o.label])"
    )
    assert options == [[1 / 15, "1/15"], [2 / 15, "2/15"]]
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert field.input_value() != "0.01"
    assert float(field.input_value()) > 0.01
    # Tab from the slider reaches the field; typing there runs the explorer.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "lr-rate"
    page.keyboard.press("Control+A")
    page.keyboard.type("0.1")
    assert explorer.get_attribute("data-verdict") == "oscillates, converges"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the epochs field, to the first button
    page.keyboard.press("Enter")
    assert field.input_value() == "0.001"
    assert explorer.get_attribute("data-verdict") == "crawls"
    assert page.watch.errors == [] and page.watch.foreign == []


def test_the_explorer_is_its_pages_own():
    """Its script and stylesheet are named in its page's front matter, so that
    page alone loads them (test_site.py checks every page's own files)."""
    meta = next(c.meta for c in CHAPTERS if c.src_uri == "learning_rate.md")
    assert (meta["scripts"], meta["stylesheets"]) == ([SCRIPT], [STYLESHEET])
    assert page_url("learning_rate.md") == EXPLORER
