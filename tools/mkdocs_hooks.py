"""MkDocs hooks: fail loudly on a raising snippet, and render the maths with KaTeX.

* markdown-exec only logs a WARNING when an executed block raises, and renders the
  traceback into the page. Here that becomes a build error that names the page,
  the block, the snippet file and the line, so no page is published with a
  traceback in it, whether or not the build is strict.
* pymdownx.arithmatex (generic mode) leaves the TeX in the HTML. Every formula is
  rendered to HTML + MathML by KaTeX (Node.js, from node_modules) at build time,
  so pages need no maths JavaScript and a malformed formula fails the build.
  Only pages with maths link KaTeX's stylesheet.
* Executed blocks are cached by content (.cache/markdown-exec/): the key is the
  code after --8<-- expansion, the fence's options, the files the code names
  (a program that runs other snippets), mkdocs.yml, and the versions of Python
  and of every installed package; the value is the rendered HTML. A build after
  a prose-only edit executes nothing (and never imports torch). DOCS_CACHE=0
  switches the cache off; the tests build with it off.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown_exec
import provenance  # issue 12: tools/provenance.py (MkDocs puts tools/ on the path)
from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.docs")

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
KATEX_SCRIPT = ROOT / "tools" / "katex_render.cjs"
KATEX_CSS = "assets/katex/katex.min.css"
KATEX_PRELOAD = [
    "assets/katex/fonts/KaTeX_Main-Regular.woff2",
    "assets/katex/fonts/KaTeX_Math-Italic.woff2",
]
CACHE_DIR = Path(".cache", "markdown-exec")  # relative to the build's cwd
PATH_LITERAL_RE = re.compile(r"""["']([\w./-]+\.py)["']""")

# ```python exec="on" ... id="name" ...``` followed by --8<-- "path"
FENCE_RE = re.compile(
    r"^(?P<indent>[ \t]*)```+\s*python\b(?P<info>[^\n]*)\n"
    r'(?P=indent)--8<--\s+"(?P<path>[^"]+)"',
    re.MULTILINE,
)
ID_RE = re.compile(r'\bid="([^"]+)"')
TRACE_LINE_RE = re.compile(r'File "<code block: id (?P<id>[^>]+)>", line (?P<line>\d+)')
MATH_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.DOTALL
)


class _ExecErrors(logging.Handler):
    """Collects markdown-exec's "code block exited with errors" warnings."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "exited with" in message:
            self.messages.append(message)


_errors = _ExecErrors()
_blocks: dict[str, dict[str, tuple[int, str]]] = {}  # page -> id -> (line, path)
_docs_dir = ["docs"]  # as the build's messages name it: relative to the cwd


class _ExecCache:
    """Wraps markdown-exec's Python formatter with a cache keyed by content."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.enabled = True
        self.salt = ""
        self.hits = self.executed = 0

    def start(self, config_file: str) -> None:
        self.enabled = os.environ.get("DOCS_CACHE", "1") != "0"
        self.hits = self.executed = 0
        packages = sorted(
            f"{d.metadata['Name']}=={d.version}"
            for d in importlib.metadata.distributions()
        )
        environment = [sys.version, *packages, Path(config_file).read_text("utf-8")]
        self.salt = hashlib.sha256("\n".join(environment).encode()).hexdigest()

    def key(self, code: str, options: dict[str, Any]) -> str:
        digest = hashlib.sha256()
        for part in (self.salt, code, repr(sorted(options.items()))):
            digest.update(part.encode() + b"\0")
        for path in sorted(set(PATH_LITERAL_RE.findall(code))):
            if Path(path).is_file():  # a program that runs another snippet
                digest.update(path.encode() + b"\0" + Path(path).read_bytes())
        return digest.hexdigest()

    def __call__(self, *, code: str, md: Any, **options: Any) -> str:
        if not self.enabled:
            self.executed += 1
            return self.run(code=code, md=md, **options)
        entry = CACHE_DIR / f"{self.key(code, options)}.html"
        if entry.is_file():
            self.hits += 1
            return Markup(entry.read_text(encoding="utf-8"))
        errors_before = len(_errors.messages)
        output = self.run(code=code, md=md, **options)
        self.executed += 1
        if len(_errors.messages) == errors_before:  # never cache a failure
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            entry.write_text(str(output), encoding="utf-8")
        return output


_cache = _ExecCache(markdown_exec.formatters["python"])
markdown_exec.formatters["python"] = _cache


def on_config(config: Any) -> Any:
    logger = logging.getLogger("mkdocs.plugins.markdown_exec")
    if _errors not in logger.handlers:
        logger.addHandler(_errors)
    _cache.start(config["config_file_path"])
    _docs_dir[0] = os.path.relpath(config["docs_dir"])
    return config


def _source(page: Any) -> str:
    return Path(_docs_dir[0], page.file.src_uri).as_posix()


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    blocks = {}
    source = page.file.content_string  # with its front matter, for line numbers
    for match in FENCE_RE.finditer(source):
        block_id = ID_RE.search(match["info"])
        if block_id:
            line = source.count("\n", 0, match.start()) + 1
            blocks[block_id.group(1)] = (line, match["path"])
    _blocks[page.file.src_uri] = blocks
    _errors.messages.clear()
    if blocks:  # issue 12: overrides/main.html prints it under the page's content
        page.meta["provenance"] = provenance.version_line()
    return markdown


def _describe_exec_error(page: Any, message: str) -> str:
    src = _source(page)
    frames = list(TRACE_LINE_RE.finditer(message))
    last_line = [line for line in message.strip().splitlines() if line.strip()][-1]
    if not frames:
        return f"{src}: an executed code block raised: {last_line.strip()}"
    block_id, line = frames[-1]["id"], int(frames[-1]["line"])
    md_line, path = _blocks.get(page.file.src_uri, {}).get(block_id, (0, "?"))
    return (
        f"{src}:{md_line}: code block '{block_id}' raised "
        f"({path}, line {line}): {last_line.strip()}"
    )


def _katex(formulas: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Render with tools/katex_render.cjs; cached like the executed blocks."""
    request = json.dumps(formulas, sort_keys=True)
    version = json.loads((KATEX_DIST.parent / "package.json").read_text())["version"]
    key = hashlib.sha256(f"katex {version}\0{request}".encode()).hexdigest()
    entry = CACHE_DIR / f"{key}.katex.json"
    if _cache.enabled and entry.is_file():
        return json.loads(entry.read_text(encoding="utf-8"))
    try:
        process = subprocess.run(
            ["node", str(KATEX_SCRIPT)],
            input=request,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise PluginError(
            f"KaTeX could not run (is Node.js installed?): {error}"
        ) from error
    if _cache.enabled and '"error"' not in process.stdout:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        entry.write_text(process.stdout, encoding="utf-8")
    return json.loads(process.stdout)


def _render_maths(content: str, page: Any) -> str:
    matches = list(MATH_RE.finditer(content))
    if not matches:
        return content
    formulas = []
    for match in matches:
        tex = html.unescape(match["tex"]).strip()
        display = match["tag"] == "div"
        tex = tex[2:-2] if tex[:2] in ("\\(", "\\[") else tex
        formulas.append({"tex": tex.strip(), "display": display})
    rendered = _katex(formulas)
    src = _source(page)
    errors = [
        f"{src}: malformed formula ${f['tex']}$: {r['error']}"
        for f, r in zip(formulas, rendered, strict=True)
        if "error" in r
    ]
    if errors:
        raise PluginError("\n".join(errors))
    pieces, last = [], 0
    for match, result in zip(matches, rendered, strict=True):
        pieces += [content[last : match.start()], result["html"]]
        last = match.end()
    return "".join(pieces) + content[last:]


def on_page_content(content: str, page: Any, **kwargs: Any) -> str:
    if _errors.messages:
        messages = [_describe_exec_error(page, m) for m in _errors.messages]
        _errors.messages.clear()
        raise PluginError("\n".join(messages))
    return _render_maths(content, page)


def on_post_page(output: str, page: Any, **kwargs: Any) -> str:
    if 'class="katex' not in output:  # no maths on this page, from any hook
        return output
    href = get_relative_url(KATEX_CSS, page.url)
    links = [
        # The two fonts nearly every formula uses, fetched with the stylesheet
        # rather than after it: the maths appears sooner and does not shift.
        f'<link rel="preload" href="{get_relative_url(font, page.url)}" '
        'as="font" type="font/woff2" crossorigin>'
        for font in KATEX_PRELOAD
    ]
    links.append(f'<link rel="stylesheet" href="{href}">')
    return output.replace("</head>", "\n".join(links) + "\n</head>", 1)


def on_post_build(config: Any, **kwargs: Any) -> None:
    state = "on" if _cache.enabled else "off (DOCS_CACHE=0)"
    log.info(
        f"Executed code blocks: {_cache.executed} run, {_cache.hits} from the "
        f"cache; cache {state}"
    )
    target = Path(config["site_dir"]) / "assets" / "katex"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(KATEX_DIST / "katex.min.css", target / "katex.min.css")
    fonts = target / "fonts"
    fonts.mkdir(exist_ok=True)
    for font in (KATEX_DIST / "fonts").glob("*.woff2"):
        shutil.copy2(font, fonts / font.name)
