"""The chapter model: a docs page parsed once into prose and blocks.

Everything that needs to know what a page executes reads it from here: the
build's hooks, the notebook writer, `tools/run_blocks.py` and the tests. This
module holds the project's only fence parser, its only include expander
(pymdownx's own SnippetPreprocessor, configured from mkdocs.yml) and its only
container flattener (admonitions and content tabs).

A block is a fenced code block. Its fence options are read by pymdownx's own
option syntax and markdown-exec's own validator, so "executed" means what it
means to markdown-exec (`exec="on"`, "true", "yes", "1", ...). One option is
ours: `runs="path [path...]"` declares the repository files (relative to the
project's root) that the block's program runs or reads. They are part of the
block's cache key, and the notebook writes them out before the block's cell.
Another is ours too: `show="NAME"` on a block that includes one file makes the
page show only that file's section NAME (between `# --8<-- [start:NAME]` and
`# --8<-- [end:NAME]`) as the block's code, while the whole file runs: a
figure's Code tab shows its plotting, not the text alternative and caption
after it.

Blocks are independent programs: markdown-exec's `session="..."`, which lets a
block see what an earlier one left, is refused (a page that needs state across
blocks uses one file with named sections, and each block shows one).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import markdown_exec
from mkdocs.utils.meta import get_data
from mkdocs.utils.yaml import yaml_load
from pymdownx.superfences import RE_OPTIONS

ROOT = Path(__file__).resolve().parent.parent
RUNS = "runs"  # the fence option that declares the repository files a block runs
SHOW = "show"  # the fence option that names the section of its file a block shows
OURS = (RUNS, SHOW)  # our fence options: markdown-exec passes them on as "extra"
SESSION = "session"  # markdown-exec's option for state shared by blocks: refused
NOTEBOOK = "notebook"  # front matter: {title, parts}: a notebook of other pages
EXERCISES = "exercises"  # front matter: false: a chapter with code but no exercises

# The one fence parser: an opening line of three or more backticks or tildes and
# its info string, closed by a line of the same character, at least as long.
FENCE_OPEN_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
# Admonitions (!!!, ???, ???+) and content tabs (===, ===+): their content is
# indented by four spaces under them.
CONTAINER_RE = re.compile(r"^(?P<indent> *)(?:!!!|\?\?\?\+?|===\+?)[ \t]+(?P<rest>.*)$")
TITLE_RE = re.compile(r'"(?P<title>[^"]*)"')
HEADING_RE = re.compile(r"^# (?P<title>.+)$", re.MULTILINE)


class ChapterError(Exception):
    """Bad input in a page: the message names the file and the line."""


# --- configuration: mkdocs.yml ------------------------------------------------------


def load_config(config_file: Path = ROOT / "mkdocs.yml") -> dict[str, Any]:
    """mkdocs.yml as a plain dictionary (for tools and tests; the build passes
    MkDocs' own config)."""
    with open(config_file, encoding="utf-8") as file:
        return yaml_load(file)


def snippets_options(config: dict[str, Any], project: Path) -> dict[str, Any]:
    """pymdownx.snippets' options as mkdocs.yml sets them, base paths resolved
    against the project's directory."""
    options: dict[str, Any] = {}
    mdx = config.get("mdx_configs")
    if mdx is not None:  # MkDocs' validated config
        options = dict(mdx.get("pymdownx.snippets", {}))
    else:
        for extension in config.get("markdown_extensions", []):
            if isinstance(extension, dict) and "pymdownx.snippets" in extension:
                options = dict(extension["pymdownx.snippets"] or {})
    base = options.get("base_path", ["."])
    base = [base] if isinstance(base, str) else base
    options["base_path"] = [str((project / b).resolve()) for b in base]
    return options


class Expander:
    """The include expander: pymdownx's SnippetPreprocessor, configured as the
    build configures it, recording which files each expansion read."""

    def __init__(self, options: dict[str, Any], project: Path) -> None:
        md = markdown.Markdown(
            extensions=["pymdownx.snippets"],
            extension_configs={"pymdownx.snippets": options},
        )
        self.project = project
        self._preprocessor = md.preprocessors["snippet"]
        self._read: list[str] = []
        self._written: dict[str, str] = {}  # file read -> its name in the include
        resolve = self._preprocessor.get_snippet_path

        def get_snippet_path(path: str) -> str | None:
            found = resolve(path)
            if found is not None:
                self._read.append(self._relative(found))
                self._written.setdefault(self._read[-1], path)
            return found

        self._preprocessor.get_snippet_path = get_snippet_path

    @classmethod
    def for_project(cls, config: dict[str, Any], project: Path) -> Expander:
        return cls(snippets_options(config, project), project)

    def _relative(self, path: str) -> str:
        resolved = Path(path).resolve()
        try:
            return resolved.relative_to(self.project.resolve()).as_posix()
        except ValueError:
            return resolved.as_posix()

    def expand(self, text: str) -> tuple[str, list[str]]:
        """The text with its `--8<--` includes expanded, and the files read."""
        self._read = []
        lines = self._preprocessor.run(text.split("\n"))
        read, self._read = list(dict.fromkeys(self._read)), []
        return "\n".join(lines), read

    def include(self, file: str, section: str = "") -> str:
        """A file that `expand` read, or its section `section`, as an include
        of it expands (`--8<-- "file:section"`). Raises SnippetMissingError
        where the file has no such section."""
        name = self._written.get(file, file) + (f":{section}" if section else "")
        text, _ = self.expand(f'--8<-- "{name}"')
        return text


# --- the model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    index: int  # position among the page's fences
    line: int  # line of the opening fence in the page's file (front matter counted)
    language: str
    info: str  # the fence's info string after the language
    body: str  # as written, container indentation removed (`--8<-- "..."`)
    code: str  # the body with its includes expanded: what runs
    shown_code: str  # the code the page shows: `code`, or its show="..." section
    snippets: tuple[str, ...]  # the files the includes read
    executed: bool  # by markdown-exec's own rules
    options: dict[str, Any] = field(default_factory=dict, compare=False)
    runs: tuple[str, ...] = ()  # repository files declared with runs="..."
    id: str = ""
    section: str = ""  # the section of its file named by show="...", if any

    @property
    def python(self) -> bool:
        return self.language in ("python", "py")

    @property
    def output_as(self) -> str:
        """How the page shows what the block prints: text, html or markdown."""
        if self.options.get("html"):
            return "html"
        return "text" if self.options.get("result") else "markdown"

    @property
    def snippet(self) -> str:
        """The file a reader runs to get this block's output."""
        return self.snippets[0] if self.snippets else ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every file the block's output depends on, besides its code."""
        return tuple(dict.fromkeys(self.runs))


@dataclass
class Prose:
    """Markdown between blocks, containers flattened (a title in bold)."""

    text: str


@dataclass
class Chapter:
    src_uri: str  # numpy_by_hand.md
    path: str  # docs/numpy_by_hand.md, as messages name it
    title: str
    meta: dict[str, Any]
    parts: list[Prose | Block]
    reads: tuple[str, ...] = ()  # every file the page's includes read

    @property
    def blocks(self) -> list[Block]:
        """Every executed Python block, in page order."""
        return [p for p in self.parts if isinstance(p, Block) and p.executed]

    @property
    def stem(self) -> str:
        """numpy_by_hand: the name of its notebook and script."""
        return posixpath.splitext(self.src_uri)[0].replace("/", "_")

    @property
    def parts_collected(self) -> list[str]:
        """The pages whose cells this page's notebook holds after its own
        (front matter `notebook: {title: ..., parts: [...]}`), in order."""
        return list(self.meta.get(NOTEBOOK, {}).get("parts", []))

    @property
    def notebook_title(self) -> str:
        return self.meta.get(NOTEBOOK, {}).get("title", "") or self.title

    @property
    def has_exercises(self) -> bool:
        """Whether the chapter must end with exercises: every chapter with code
        does, but one whose front matter says `exercises: false`."""
        return bool(self.blocks) and self.meta.get(EXERCISES, True) is not False

    @property
    def has_notebook(self) -> bool:
        """A page gets a notebook, a script and their buttons if it executes
        code or collects other pages."""
        return bool(self.blocks or self.parts_collected)

    def block(self, block_id: str) -> Block:
        for block in self.blocks:
            if block.id == block_id:
                return block
        raise KeyError(f"{self.path}: no executed block with id {block_id!r}")


def _parse_options(info: str) -> dict[str, str]:
    """A fence's key="value" options, read as pymdownx.superfences reads them."""
    return {
        m["key"]: m["value"] if m["value"] is not None else m["key"]
        for m in RE_OPTIONS.finditer(info)
        if m["key"]
    }


def flatten(lines: list[str]) -> Iterator[tuple[str, str, str]]:
    """The container flattener and fence finder, one line at a time.

    Yields (kind, line, extra) per input line, container indentation removed:
    kind "title" (extra: a container's title), "open" (extra: the fence's info
    string), "code", "close" or "text". One output per input line, so line
    numbers are kept.
    """
    stack: list[int] = []  # indentation of each open container
    fence = ""  # the opening fence of the code block we are in
    for raw in lines:
        indent = len(raw) - len(raw.lstrip(" "))
        if raw.strip() and not fence:
            while stack and indent < stack[-1] + 4:
                stack.pop()
        line = raw[4 * len(stack) :] if raw.strip() else ""
        if fence:
            closing = line.rstrip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                fence = ""
                yield "close", line, ""
            else:
                yield "code", line, ""
            continue
        opener = CONTAINER_RE.match(line)
        if opener:
            title = TITLE_RE.search(opener["rest"])
            if title is None:  # `!!! note` without a title: the type is the title
                words = opener["rest"].split()
                text = words[0].capitalize() if words else ""
            else:
                text = title["title"]
            stack.append(indent)
            yield "title", "", text
            continue
        start = FENCE_OPEN_RE.match(line)
        if start:
            fence = start["fence"]
            yield "open", line, start["info"]
            continue
        yield "text", line, ""


def parse(
    source: str, src_uri: str, expander: Expander, docs_dir: str = "docs"
) -> Chapter:
    """Parse a page (its file's whole text, front matter included)."""
    path = posixpath.join(docs_dir, src_uri)
    body, meta = get_data(source)
    offset = source[: len(source) - len(body)].count("\n")
    lines = body.split("\n")
    parts: list[Prose | Block] = []
    prose: list[str] = []
    fence: dict[str, Any] | None = None
    ids: set[str] = set()
    reads: list[str] = []

    def end_prose() -> None:
        if prose:
            text, read = expander.expand("\n".join(prose))
            reads.extend(read)
            parts.append(Prose(text))
            prose.clear()

    for number, (kind, line, extra) in enumerate(flatten(lines)):
        if kind == "code":
            fence["body"].append(line)
        elif kind == "close":
            parts.append(_block(fence, path, expander, len(parts), ids))
            fence = None
        elif kind == "title":
            prose += [f"**{extra}**", ""] if extra else []
        elif kind == "open":
            end_prose()
            fence = {"info": extra, "body": [], "line": offset + number + 1}
        else:
            prose.append(line)
    if fence is not None:
        raise ChapterError(f"{path}:{fence['line']}: a code fence is never closed")
    end_prose()
    text = "\n".join(p.text for p in parts if isinstance(p, Prose))
    heading = HEADING_RE.search(text)
    title = meta.get("title") or (heading["title"].strip() if heading else "")
    reads += [s for p in parts if isinstance(p, Block) for s in p.snippets]
    _check_notebook(meta, path)
    if not isinstance(meta.get(EXERCISES, True), bool):
        raise ChapterError(
            f"{path}: front matter `{EXERCISES}:` is true or false (false: this "
            "chapter with code has no exercises)"
        )
    return Chapter(src_uri, path, title, meta, parts, tuple(dict.fromkeys(reads)))


def _check_notebook(meta: dict[str, Any], path: str) -> None:
    """The front matter's `notebook:`, if any, is {title: text, parts: [pages]}."""
    if NOTEBOOK not in meta:
        return
    value = meta[NOTEBOOK]
    ok = (
        isinstance(value, dict)
        and set(value) <= {"title", "parts"}
        and isinstance(value.get("title", ""), str)
        and isinstance(value.get("parts"), list)
        and all(isinstance(p, str) and p.endswith(".md") for p in value["parts"])
    )
    if not ok:
        raise ChapterError(
            f"{path}: front matter `{NOTEBOOK}:` must be a mapping with `parts:` "
            "(a list of pages, such as problem.md) and an optional `title:`"
        )


def _block(
    fence: dict[str, Any], path: str, expander: Expander, index: int, ids: set[str]
) -> Block:
    language, _, info = fence["info"].strip().partition(" ")
    language = language.strip("{}. ")
    where = f"{path}:{fence['line']}"
    inputs = _parse_options(info)
    runs = tuple(shlex.split(inputs.pop(RUNS, "")))
    section = inputs.pop(SHOW, "")
    options: dict[str, Any] = {}
    executed = markdown_exec.validator(language, inputs, options, {}, None)
    body = "\n".join(fence["body"])
    try:
        code, snippets = expander.expand(body)
    except Exception as error:  # SnippetMissingError and friends
        raise ChapterError(f"{where}: could not expand an include: {error}") from error
    block_id = options.get("id", "")
    python = executed and language in ("python", "py")
    if python:
        if not block_id:
            raise ChapterError(f'{where}: an executed block needs an id="..."')
        if block_id in ids:
            raise ChapterError(f"{where}: the id {block_id!r} is used twice")
        ids.add(block_id)
        if options.get(SESSION):
            raise ChapterError(
                f"{where}: block {block_id!r} declares {SESSION}="
                f"{options[SESSION]!r}, but every block runs as a program of its "
                "own: put the code that blocks share in one file, with a named "
                'section for each block to show (show="NAME")'
            )
        for file in runs:
            if not (expander.project / file).is_file():
                raise ChapterError(
                    f"{where}: block {block_id!r} declares runs={file!r}, "
                    "which is not a file of the project"
                )
    shown = _shown(code, snippets, section, where, python, block_id, expander)
    return Block(
        index=index,
        line=fence["line"],
        language=language,
        info=info,
        body=body,
        code=code,
        shown_code=shown,
        snippets=tuple(snippets),
        executed=executed,
        options=options,
        runs=runs,
        id=block_id,
        section=section,
    )


def _shown(
    code: str,
    snippets: list[str],
    show: str,
    where: str,
    python: bool,
    block_id: str,
    expander: Expander,
) -> str:
    """What the page shows as a block's code: all of it, or with show="NAME"
    the section NAME of the one file the block includes, every line of which
    is part of what runs."""
    if not show:
        return code
    block = f"block {block_id!r}" if block_id else "a block"
    named = f"{where}: {block} declares {SHOW}={show!r}"
    if not python:
        raise ChapterError(f"{named}, but only an executed Python block can")
    if len(snippets) != 1 or expander.include(snippets[0]) != code:
        raise ChapterError(f"{named}, but its code is not one include of one file")
    try:
        shown = expander.include(snippets[0], show)
    except Exception as error:  # SnippetMissingError: no such section
        raise ChapterError(f"{named}, but {snippets[0]}: {error}") from error
    lines = shown.strip("\n")
    if not lines.strip():
        raise ChapterError(f"{named}, but that section of {snippets[0]} is empty")
    if f"\n{lines}\n" not in f"\n{code}\n":  # e.g. dedented by pymdownx
        raise ChapterError(f"{named}, but not every line of it is run")
    return shown


# --- the project's pages ------------------------------------------------------------


def nav_pages(config: dict[str, Any]) -> list[str]:
    """The Markdown pages of `nav`, in order."""

    def walk(entries: list[Any]) -> Iterator[str]:
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            if isinstance(value, list):
                yield from walk(value)
            elif isinstance(value, str) and value.endswith(".md"):
                yield value

    return list(walk(config.get("nav") or []))


def page_url(src_uri: str) -> str:
    """The page's URL relative to the site's root (use_directory_urls), as
    mkdocs.structure.files.File computes it."""
    from mkdocs.structure.files import File

    return File(src_uri, "docs", "site", use_directory_urls=True).url


def project_chapters(project: Path = ROOT) -> list[Chapter]:
    """Every page of docs/ that is in the nav, parsed, in nav order."""
    config = load_config(project / "mkdocs.yml")
    expander = Expander.for_project(config, project)
    docs = project / config.get("docs_dir", "docs")
    chapters = []
    for src_uri in nav_pages(config):
        file = docs / src_uri
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            chapters.append(parse(text, src_uri, expander, docs.name))
    return chapters
