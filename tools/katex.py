"""The KaTeX bridge: TeX in a page's HTML rendered to MathML at build time.

pymdownx.arithmatex (generic mode) leaves each formula in the HTML as
`<span class="arithmatex">\\(...\\)</span>` (or a `div` for display maths).
`render_maths` renders every formula of a page with KaTeX (npm's, from
node_modules) in the build's own process: V8, embedded by mini-racer, into
which each process loads KaTeX's `dist/katex.js` and `tools/katex_render.js`
once, the first time it renders a formula. It puts KaTeX's output in their
place, so pages need no maths JavaScript. A malformed formula is an error
that names the page and the formula. Results go through the build's cache
(execution.Cache).

KaTeX's output is MathML only, which Chromium, Firefox and Safari render
natively in the system's maths font: no stylesheet, no fonts, and half the
elements of KaTeX's HTML + MathML output (whose HTML half is hidden from
assistive technology anyway). `lean_mathml` then drops what neither the
browser nor a screen reader uses: KaTeX's `<span class="katex">` wrapper, the
`<semantics>` element with the TeX source as its `<annotation>` (never
displayed), and a top `<mrow>` holding the whole formula (`<math>` groups its
children already): up to four elements less per formula. Display maths is
wrapped in `<span class="katex-display">`, as KaTeX's HTML output does;
docs/stylesheets/site.css styles both.
"""

from __future__ import annotations

import atexit
import html
import json
import os
import re
from pathlib import Path

from py_mini_racer import MiniRacer

from execution import Cache

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "katex_render.js"
KATEX = ROOT / "node_modules" / "katex"
MATH_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.DOTALL
)


SEMANTICS_RE = re.compile(
    r"<semantics>(?P<body>.*)<annotation encoding=\"application/x-tex\">"
    r"[^<]*</annotation></semantics>",
    re.DOTALL,
)
MROW_TAG_RE = re.compile(r"<(/?)mrow\b[^>]*>")


class KatexError(Exception):
    pass


def read(name: str, folder: Path = KATEX) -> str:
    """A file of KaTeX's npm package, or a KatexError that says what to run."""
    path = folder / name
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise KatexError(
            f"KaTeX is not installed: {path} is missing (an interrupted npm ci, or "
            "a folder emptied by hand); run `make install`, which installs it again."
        ) from None


def version() -> str:
    return json.loads(read("package.json"))["version"]


_context: MiniRacer | None = None


def _v8() -> MiniRacer:
    """This process's V8 context with KaTeX loaded: made on first use."""
    global _context
    if _context is None:
        context = MiniRacer()
        context.eval(read(json.loads(read("package.json"))["main"]))
        context.eval(SCRIPT.read_text("utf-8"))
        _context = context
    return _context


def _close() -> None:
    """Close this process's V8 context, if it has one (the next render makes
    another). Before the interpreter exits: a context left to its finalizer
    then waits for mini-racer's thread, which no longer runs, and the process
    never exits. Before a fork: a child that inherits a context hangs when it
    exits, for the same reason."""
    global _context
    if _context is not None:
        _context.close()
        _context = None


atexit.register(_close)
if hasattr(os, "register_at_fork"):  # every system but Windows, which never forks
    os.register_at_fork(before=_close)


def render(formulas: list[dict], cache: Cache) -> list[dict]:
    """[{"tex", "display"}] -> [{"html"} or {"error"}], in one call into V8."""
    request = json.dumps(formulas, sort_keys=True)
    key = cache.key("katex", version(), request)
    cached = cache.get(key)
    if cached is not None:
        return cached
    results = _v8().call("renderAll", formulas)
    if not any("error" in r for r in results):
        cache.put(key, results)
    return results


def without_whole_mrow(body: str) -> str:
    """A formula's body without an `<mrow>` that holds all of it (`<math>`
    groups its children already); any other body as it is."""
    if not (body.startswith("<mrow>") and body.endswith("</mrow>")):
        return body
    depth = 0
    for tag in MROW_TAG_RE.finditer(body):
        depth += -1 if tag[1] else 1
        if depth == 0:  # the first mrow closes here: the whole body, or not
            whole = tag.end() == len(body)
            return body[len("<mrow>") : -len("</mrow>")] if whole else body
    return body


def lean_mathml(output: str) -> str:
    """KaTeX's MathML without its wrapper, annotation and top-level mrow."""
    prefix, suffix = '<span class="katex">', "</span>"
    if output.startswith(prefix) and output.endswith(suffix):
        output = output[len(prefix) : -len(suffix)]
    semantics = SEMANTICS_RE.search(output)
    if semantics:
        body = without_whole_mrow(semantics["body"])
        output = output[: semantics.start()] + body + output[semantics.end() :]
    return output


def formula(match: re.Match) -> dict:
    """An arithmatex formula (a match of MATH_RE) as `render` takes it."""
    tex = html.unescape(match["tex"]).strip()
    tex = tex[2:-2] if tex[:2] in ("\\(", "\\[") else tex
    return {"tex": tex.strip(), "display": match["tag"] == "div"}


def render_maths(content: str, where: str, cache: Cache) -> str:
    """The page's HTML with every arithmatex formula rendered by KaTeX."""
    matches = list(MATH_RE.finditer(content))
    if not matches:
        return content
    formulas = [formula(match) for match in matches]
    rendered = render(formulas, cache)
    errors = [
        f"{where}: malformed formula ${f['tex']}$: {r['error']}"
        for f, r in zip(formulas, rendered, strict=True)
        if "error" in r
    ]
    if errors:
        raise KatexError("\n".join(errors))
    pieces, last = [], 0
    for match, tex, result in zip(matches, formulas, rendered, strict=True):
        output = lean_mathml(result["html"])
        if tex["display"]:
            output = f'<span class="katex-display">{output}</span>'
        pieces += [content[last : match.start()], output]
        last = match.end()
    return "".join(pieces) + content[last:]
