"""A page's HTML made lighter and valid, after Markdown and before the theme.

Every step keeps what the reader sees and what assistive technology reads:

* `slim_code`: Pygments wraps every token of a code block in a span. Spans
  drawn in the code's own colour (`PLAIN`: names, whitespace, `True`/`None`,
  string prefixes, and operators and punctuation, which
  docs/stylesheets/site.css draws in the code's colour too; most of a code
  block's elements) are unwrapped into text, and neighbouring spans
  drawn in the same colour (`SAME_COLOUR`: the pieces of an f-string, a
  keyword pair), with only whitespace between them, become one span. Every
  element costs the phone's browser time each time Material's JavaScript
  makes it recompute the page's styles (several times as a page loads).
* `slim_svg`: matplotlib's inline SVG loses its RDF `<metadata>` (not allowed
  in HTML), its pretty-printing, and the `<g>` groups that carry nothing but an
  id no one refers to (a third of a figure's elements).
* `unwrap_figures`: a figure printed by a block inside a paragraph
  (`<p><figure>...</figure></p>`) leaves a stray `</p>` (a `<figure>` cannot
  sit in a `<p>`): the paragraph is dropped.
* `drop_markdown_attributes`: md_in_html's `markdown="..."` attribute, where
  it was left on an element, is no HTML attribute.
* `figure_files` (run by the hooks, which store the files): each figure's SVG
  leaves the page for a file of its own, shown by an `<img>` that loads when
  the reader scrolls near it, with the figure's text alternative and size. A
  figure's hundreds of elements no longer cost the phone's browser time as the
  page loads; the figure's ink follows the colour scheme through a CSS filter
  (docs/stylesheets/site.css).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType

from . import figures

# Pygments classes drawn as plain code: `.n` and `.kc` take
# --md-code-hl-name-color, which is --md-code-fg-color (the code's colour, in
# both schemes); `.o`, `.ow` and `.p` take the operator and punctuation
# colours, which docs/stylesheets/site.css sets to --md-code-fg-color in both
# schemes; `.w`, `.sa`, `.fm` and `.vm` are not styled at all.
PLAIN = frozenset({"n", "w", "kc", "sa", "fm", "vm", "o", "ow", "p"})
# Classes drawn in one colour, in both schemes: Material's own groups.
# tests/test_page_weight.py checks these against the stylesheets.
SAME_COLOUR = MappingProxyType(
    {
        **dict.fromkeys(
            ["s", "s1", "s2", "sb", "sc", "si", "ss", "l", "cpf"], "string"
        ),
        **dict.fromkeys(["il", "m", "mb", "mf", "mh", "mi", "mo"], "number"),
        **dict.fromkeys(["k", "kd", "kn", "kp", "kr", "kt"], "keyword"),
        **dict.fromkeys(["bp", "nb", "no"], "constant"),
        **dict.fromkeys(["nc", "ne", "nf", "nn"], "function"),
    }
)
CODE_RE = re.compile(r"(<code\b[^>]*>)(.*?)(</code>)", re.DOTALL)
TOKEN_RE = re.compile(
    r'<span class="(?P<cls>[a-z0-9]+)">(?P<text>[^<]*)</span>'
    r"|(?P<tag><[^>]*>)|(?P<plain>[^<]+)"
)
TEXT, TAG, ALONE = "text", "tag", "alone"  # pieces that never merge with a span
SVG_RE = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
METADATA_RE = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
INDENT_RE = re.compile(r">\n\s*<")  # matplotlib's pretty-printing between tags
GROUP_TAG_RE = re.compile(r"<g(?P<attrs>\s[^>]*)?>|</g>")
ID_ONLY_RE = re.compile(r'^\s*id="(?P<id>[^"]*)"\s*$')
FIGURE_IN_P_RE = re.compile(
    r"<p>\s*(?P<figure><figure\b(?:(?!</figure>).)*</figure>)\s*</p>", re.DOTALL
)
FIGURE_SVG_RE = re.compile(
    f"(?P<figure>{re.escape(figures.OPENING)})" + r"(?P<svg><svg\b[^>]*>.*?</svg>)",
    re.DOTALL,
)
ATTRIBUTE_RE = r'\s{name}="(?P<value>[^"]*)"'
SCOPED_STYLE = f".{figures.FIGURE_CLASS} *{{"  # the recipe's style, inline
MARKDOWN_ATTR_RE = re.compile(r'(<[a-z][a-z0-9]*\b[^>]*?) markdown="[^"]*"')


def _slim_tokens(code: str) -> str:
    pieces: list[list[str]] = []  # [kind: TEXT, TAG or a colour group, html, class]
    for match in TOKEN_RE.finditer(code):
        cls, text = match["cls"], match["text"]
        if match["tag"] is not None:  # another element: nothing merges across it
            pieces.append([TAG, match["tag"], ""])
        elif cls is None or cls in PLAIN:  # text
            text = match["plain"] if cls is None else text
            if pieces and pieces[-1][0] == TEXT:
                pieces[-1][1] += text
            else:
                pieces.append([TEXT, text, ""])
        else:
            # Any other class (comments: Material finds annotations in them)
            # stays a span of its own.
            group = SAME_COLOUR.get(cls, ALONE)
            if group == ALONE:
                pieces.append([ALONE, text, cls])
            elif pieces and pieces[-1][0] == group:
                pieces[-1][1] += text
            elif (
                len(pieces) >= 2
                and pieces[-1][0] == TEXT
                and not pieces[-1][1].strip()
                and pieces[-2][0] == group
            ):
                space = pieces.pop()[1]
                pieces[-1][1] += space + text
            else:
                pieces.append([group, text, cls])
    return "".join(
        html if kind in (TEXT, TAG) else f'<span class="{cls}">{html}</span>'
        for kind, html, cls in pieces
    )


def slim_code(html: str) -> str:
    """Code without the spans that change nothing on screen."""
    return CODE_RE.sub(lambda m: m[1] + _slim_tokens(m[2]) + m[3], html)


def _references(svg: str) -> set[str]:
    return set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))


def _slim_one(svg: str) -> str:
    svg = METADATA_RE.sub("", svg)
    svg = INDENT_RE.sub("><", svg)
    used = _references(svg)
    pieces, last, keep = [], 0, []  # keep: for each open <g>, is it kept?
    for match in GROUP_TAG_RE.finditer(svg):
        pieces.append(svg[last : match.start()])
        last = match.end()
        if match[0] == "</g>":
            if keep.pop():
                pieces.append(match[0])
            continue
        attrs = match["attrs"] or ""
        only_id = ID_ONLY_RE.match(attrs)
        bare = not attrs.strip() or (only_id and only_id["id"] not in used)
        keep.append(not bare)
        if not bare:
            pieces.append(match[0])
    pieces.append(svg[last:])
    return "".join(pieces)


def slim_svg(html: str) -> str:
    """Every inline SVG without metadata, indentation and empty groups."""
    return SVG_RE.sub(lambda match: _slim_one(match[0]), html)


def unwrap_figures(html: str) -> str:
    return FIGURE_IN_P_RE.sub(r"\g<figure>", html)


def drop_markdown_attributes(html: str) -> str:
    return MARKDOWN_ATTR_RE.sub(r"\1", html)


def _attribute(tag: str, name: str) -> str:
    found = re.search(ATTRIBUTE_RE.format(name=name), tag)
    if found is None:
        raise ValueError(f"a figure's <svg> has no {name} attribute")
    return found["value"]


def svg_file(svg: str) -> str:
    """An inline figure's SVG as a file of its own: an XML declaration, and
    its style no longer scoped to the page's figures."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + svg.replace(SCOPED_STYLE, "*{")
        + "\n"
    )


def figure_files(html: str, place: Callable[[str], str]) -> str:
    """Each figure's inline SVG replaced by an <img> of the file `place` stores
    (it is given the file's text and returns its URL from the page): the
    figure's text alternative as alt, its size in CSS pixels (matplotlib
    gives points), loaded lazily."""

    def swap(match: re.Match[str]) -> str:
        svg = match["svg"]
        opening = svg[: svg.index(">") + 1]
        width, height = (
            round(float(_attribute(opening, name).removesuffix("pt")) * 4 / 3)
            for name in ("width", "height")
        )
        return (
            f'{match["figure"]}<img src="{place(svg_file(svg))}" '
            f'alt="{_attribute(opening, "aria-label")}" width="{width}" '
            f'height="{height}" loading="lazy" decoding="async">'
        )

    return FIGURE_SVG_RE.sub(swap, html)


def lighten(html: str) -> str:
    """All of the above, for a page's content."""
    html = unwrap_figures(html)
    html = drop_markdown_attributes(html)
    html = slim_svg(html)
    return slim_code(html)
