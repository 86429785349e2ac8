"""Pages light enough for a phone (issue 13): what tools/page_html.py and
tools/katex.py remove is gone from every built page, and removing it changes
nothing on screen (the stylesheets colour the removed spans as plain code).

Lighthouse warns above 800 DOM elements and fails above 1,400; `make bench`
prints each page's count beside an empty Material page's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from snippet import CHAPTERS, PAGES, ROOT, built_page, page_url
from tools import figures, katex, page_html

DOM_WARNING = 800  # Lighthouse's dom-size audit warns above this many elements


class _Elements(HTMLParser):
    """Counts the elements in <body>, as Lighthouse's dom-size audit does."""

    def __init__(self) -> None:
        super().__init__()
        self.in_body, self.count = False, 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "body":
            self.in_body = True
        elif self.in_body:
            self.count += 1


def body_elements(html: str) -> int:
    parser = _Elements()
    parser.feed(html)
    return parser.count


def _css(site_dir: Path, ours: bool = True) -> str:
    """Material's stylesheets, and ours (extra_css) unless `ours` is false."""
    sheets = sorted((site_dir / "assets" / "stylesheets").glob("*.min.css"))
    if ours:
        sheets += sorted((site_dir / "stylesheets").glob("*.css"))
    return "\n".join(s.read_text("utf-8") for s in sheets)


def _rules(css: str, cls: str) -> list[str]:
    """The declarations of every rule whose selector names `.highlight .cls`."""
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(rf"\.highlight \.{cls}(?![\w-])", selectors):
            found.append(body.strip())
    return found


def _variable(css: str, name: str) -> set[str]:
    return set(re.findall(rf"{name}:([^;}}]+)", css))


@pytest.mark.parametrize("doc", PAGES)
def test_no_span_that_changes_nothing(site_dir: Path, doc: str):
    text = built_page(site_dir, doc)
    plain = "|".join(sorted(page_html.PLAIN))
    assert not re.search(rf'<span class="(?:{plain})">', text)
    for first, second in re.findall(
        r'<span class="(\w+)">[^<]*</span>\s*<span class="(\w+)">', text
    ):
        group = page_html.SAME_COLOUR.get(first)
        assert group is None or group != page_html.SAME_COLOUR.get(second)


def test_unwrapped_spans_are_drawn_in_the_code_colour(site_dir: Path):
    css = _css(site_dir)
    assert _variable(css, "--md-code-hl-name-color") == {"var(--md-code-fg-color)"}
    # Operators and punctuation: our stylesheet gives both the code's colour,
    # in a rule for every scheme and more specific than Material's.
    site = (ROOT / "docs" / "stylesheets" / "site.css").read_text("utf-8")
    ours = re.search(
        r"\[data-md-color-scheme\]\[data-md-color-primary\] \{([^}]*)\}", site
    )
    assert ours, "the rule for operators and punctuation in site.css"
    code_colour = {}
    for name in ("operator", "punctuation"):
        value = re.search(rf"--md-code-hl-{name}-color:\s*([^;]+);", ours[1])
        assert value and value[1] == "var(--md-code-fg-color)", name
        code_colour[f"color:var(--md-code-hl-{name}-color)"] = name
    for cls in page_html.PLAIN:
        for rule in _rules(css, cls):
            assert (
                rule == "color:var(--md-code-hl-name-color)" or rule in code_colour
            ), (
                cls,
                rule,
            )


def test_merged_spans_are_drawn_in_one_colour(site_dir: Path):
    css = _css(site_dir)
    groups: dict[str, set[str]] = {}
    for cls, group in page_html.SAME_COLOUR.items():
        groups.setdefault(group, set()).update(_rules(css, cls))
    for group, rules in groups.items():
        assert len(rules) == 1, (group, rules)


@pytest.mark.parametrize("doc", PAGES)
def test_figures_are_lean_svg_files(site_dir: Path, doc: str):
    """A page holds no figure's SVG (Material's icons are inline SVG), only an
    <img> of its file; each file is lean."""
    text = built_page(site_dir, doc)
    assert figures.OPENING + "<svg" not in text
    sources = re.findall(re.escape(figures.OPENING) + r'<img src="([^"]+)"', text)
    for source in sources:
        svg = (site_dir / page_url(doc) / source).resolve().read_text("utf-8")
        assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg ')
        assert "<metadata>" not in svg, "matplotlib's RDF metadata"
        assert "<g>" not in svg, "a group that carries nothing"
        assert "\n " not in svg, "matplotlib's indentation"
        assert page_html.SCOPED_STYLE not in svg and "*{stroke-linejoin" in svg
    assert "<p><figure" not in text, "a figure inside a paragraph"
    assert ' markdown="' not in text


def test_a_figure_without_its_text_alternative_is_refused():
    figure = figures.OPENING + '<svg width="30pt" height="15pt"></svg>'
    with pytest.raises(ValueError, match="aria-label"):
        page_html.figure_files(figure, lambda text: "x.svg")
    labelled = figure.replace("<svg ", '<svg aria-label="A line." ')
    assert page_html.figure_files(labelled, lambda text: "x.svg") == (
        figures.OPENING + '<img src="x.svg" alt="A line." width="40" '
        'height="20" loading="lazy" decoding="async">'
    )


def test_slim_code_keeps_the_text():
    code = (
        '<code><span class="n">w</span><span class="w"> </span><span class="o">=</span>'
        '<span class="p">(</span><span class="mi">1</span><span class="p">,</span>'
        ' <span class="p">(</span><span class="hll">x</span>'
        '<span class="sa">f</span><span class="s2">"a</span><span class="si">{</span>'
        '<span class="c1"># c</span></code>'
    )
    slim = page_html.slim_code(code)
    assert re.sub("<[^>]+>", "", slim) == re.sub("<[^>]+>", "", code)
    assert slim == (
        '<code>w =(<span class="mi">1</span>, (<span class="hll">x</span>'
        'f<span class="s2">"a{</span><span class="c1"># c</span></code>'
    )


@pytest.mark.parametrize("doc", [c.src_uri for c in CHAPTERS if not c.blocks])
def test_pages_without_much_code_stay_under_the_warning(site_dir: Path, doc: str):
    html = (site_dir / page_url(doc) / "index.html").read_text("utf-8")
    assert body_elements(html) <= DOM_WARNING


def test_lean_mathml_keeps_every_formula_element():
    math = '<math xmlns="http://www.w3.org/1998/Math/MathML">'
    wrap = f'<span class="katex">{math}'
    tex = '<annotation encoding="application/x-tex">a &lt; b</annotation>'
    cases = {
        # one mrow around the whole formula: <math> groups its children already
        "<mrow><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mn>1</mn></mrow>": (
            "<msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mn>1</mn>"
        ),
        # two mrows side by side: neither is the whole formula
        "<mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow>": (
            "<mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow>"
        ),
        "<mi>a</mi>": "<mi>a</mi>",
    }
    for body, lean in cases.items():
        output = katex.lean_mathml(
            f"{wrap}<semantics>{body}{tex}</semantics></math></span>"
        )
        assert output == f"{math}{lean}</math>"


@pytest.mark.parametrize("doc", PAGES)
def test_formulas_carry_no_unused_element(site_dir: Path, doc: str):
    text = built_page(site_dir, doc)
    assert "<semantics>" not in text and "<annotation" not in text
    assert 'class="katex"' not in text
    for body in re.findall(r"<math\b[^>]*>(.*?)</math>", text, flags=re.S):
        assert katex.without_whole_mrow(body) == body, f"{doc}: {body[:80]}"


def test_an_mrow_is_dropped_only_when_it_holds_the_whole_formula():
    assert katex.without_whole_mrow(
        "<mrow><mi>a</mi><mrow><mi>b</mi></mrow></mrow>"
    ) == ("<mi>a</mi><mrow><mi>b</mi></mrow>")
    kept = ["<mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow>", "<mi>a</mi>", ""]
    for body in kept:
        assert katex.without_whole_mrow(body) == body
