"""A page's HTML made lighter and valid, after Markdown and before the theme.

Every step keeps what the reader sees and what assistive technology reads:

* `slim_code`: Pygments wraps every name (`.n`) and every run of whitespace
  (`.w`) of a code block in a span. Material colours names with
  `--md-code-hl-name-color`, which is the code's own colour
  (`--md-code-fg-color`), and whitespace not at all: those spans (about a
  quarter of a code page's elements) are unwrapped into plain text.
* `slim_svg`: matplotlib's inline SVG loses its RDF `<metadata>` (not allowed
  in HTML), its pretty-printing, and the `<g>` groups that carry nothing but an
  id no one refers to (a third of a figure's elements).
* `unwrap_figures`: a figure printed by a block inside a paragraph
  (`<p><figure>...</figure></p>`) leaves a stray `</p>` (a `<figure>` cannot
  sit in a `<p>`): the paragraph is dropped.
* `drop_markdown_attributes`: md_in_html's `markdown="..."` attribute, where
  it was left on an element, is no HTML attribute.
"""

from __future__ import annotations

import re

# Pygments' spans whose class Material colours as plain code (or not at all).
PLAIN_SPAN_RE = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')
SVG_RE = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
METADATA_RE = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
INDENT_RE = re.compile(r">\n\s*<")  # matplotlib's pretty-printing between tags
GROUP_TAG_RE = re.compile(r"<g(?P<attrs>\s[^>]*)?>|</g>")
ID_ONLY_RE = re.compile(r'^\s*id="(?P<id>[^"]*)"\s*$')
FIGURE_IN_P_RE = re.compile(
    r"<p>\s*(?P<figure><figure\b(?:(?!</figure>).)*</figure>)\s*</p>", re.DOTALL
)
MARKDOWN_ATTR_RE = re.compile(r'(<[a-z][a-z0-9]*\b[^>]*?) markdown="[^"]*"')


def slim_code(html: str) -> str:
    """Code blocks without the spans that change nothing on screen."""
    return PLAIN_SPAN_RE.sub(r"\1", html)


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


def lighten(html: str) -> str:
    """All of the above, for a page's content."""
    html = unwrap_figures(html)
    html = drop_markdown_attributes(html)
    html = slim_svg(html)
    return slim_code(html)
