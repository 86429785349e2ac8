"""The KaTeX bridge: TeX in a page's HTML rendered to MathML at build time.

pymdownx.arithmatex (generic mode) leaves each formula in the HTML as
`<span class="arithmatex">\\(...\\)</span>` (or a `div` for display maths).
`Katex.render_maths` renders every formula of a page with KaTeX (npm's, from
node_modules) in the build's own process: V8, embedded by mini-racer, into
which a `Katex` loads KaTeX's `dist/katex.js` and `tools/katex_render.js`
once, the first time it renders a formula. It puts KaTeX's output in their
place, so pages need no maths JavaScript. A malformed formula is an error
that names the formula (and MkDocs names the page). Results go through the
build's cache (tools/cache.py). `KatexExtension` does this as a
Python-Markdown extension (`tools.katex` in mkdocs.yml), so that any build
that runs the Markdown extensions (MkDocs, Zensical) renders the maths.

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
import re
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from mkdocs.exceptions import BuildError
from py_mini_racer import MiniRacer

from .cache import Cache

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


class KatexError(BuildError):
    """Maths that cannot be rendered. A BuildError: MkDocs logs it, after the
    line that names the page, and stops the build without a traceback."""


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


class Katex:
    """KaTeX in a V8 context of this process (mini-racer), made on first use.

    `close` closes the context; it must be closed before the process exits or
    forks: a context left to its finalizer waits for mini-racer's thread,
    which no longer runs, and the process never exits (a child that inherits a
    context, likewise). The chapters plugin closes its own as each build ends;
    use it as a context manager (`with Katex() as katex:`) elsewhere."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache
        self._context: MiniRacer | None = None

    def __enter__(self) -> Katex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._context = None

    def _v8(self) -> MiniRacer:
        if self._context is None:
            context = MiniRacer()
            context.eval(read(json.loads(read("package.json"))["main"]))
            context.eval(SCRIPT.read_text("utf-8"))
            self._context = context
        return self._context

    def render(self, formulas: list[dict]) -> list[dict]:
        """[{"tex", "display"}] -> [{"html"} or {"error"}], in one call into
        V8 (or from the cache, when this Katex has one)."""
        cache, key = self.cache, ""
        if cache is not None:
            request = json.dumps(formulas, sort_keys=True)
            key = cache.key("katex", version(), request)
            cached = cache.get(key)
            if cached is not None:
                return cached
        results = self._v8().call("renderAll", formulas)
        if cache is not None and not any("error" in r for r in results):
            cache.put(key, results)
        return results

    def render_maths(self, content: str, where: str = "") -> str:
        """HTML with every arithmatex formula rendered by KaTeX; a malformed
        one is a KatexError that names it (and `where`, the page)."""
        matches = list(MATH_RE.finditer(content))
        if not matches:
            return content
        formulas = [formula(match) for match in matches]
        rendered = self.render(formulas)
        page = f"{where}: " if where else ""
        errors = [
            f"{page}malformed formula ${f['tex']}$: {r['error']}"
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


class _Postprocessor(Postprocessor):
    def __init__(self, md: markdown.Markdown, katex: Katex) -> None:
        super().__init__(md)
        self.katex = katex

    def run(self, text: str) -> str:
        return self.katex.render_maths(text)


class KatexExtension(Extension):
    """The maths of any Python-Markdown build (mkdocs.yml: `tools.katex`, after
    pymdownx.arithmatex): every formula arithmatex leaves in the HTML, rendered
    by KaTeX as the last step of the conversion. Its option `katex` is the
    Katex to use: the chapters plugin gives its own (with the build's cache,
    closed as the build ends); without one, a conversion makes its own,
    closed when the process exits."""

    def __init__(self, **kwargs: Any) -> None:
        # Not None as the default: Python-Markdown reads such an option as a
        # true-or-false value.
        self.config = {"katex": ["", "the Katex to render with"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        katex = self.getConfig("katex")
        if not isinstance(katex, Katex):
            katex = Katex()
            atexit.register(katex.close)
        # Last: after the raw HTML and the escapes are put back (priority 10+).
        md.postprocessors.register(_Postprocessor(md, katex), "katex", 1)


def makeExtension(**kwargs: Any) -> KatexExtension:  # noqa: N802
    return KatexExtension(**kwargs)


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
