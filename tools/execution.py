"""Running a block, naming its errors, and the one cache of the build.

* `run_block` executes a block's code as markdown-exec does (in this process,
  `print` captured) and, when it raises, gives a message that names the page,
  the line of its fence, the block, the snippet file and the line in it. The
  build and `tools/run_blocks.py` both run blocks with it.
* `Cache` is the build's only cache (executed blocks and KaTeX's output): one
  switch (`DOCS_CACHE=0` turns it off), one folder (`.cache/build/` next to
  mkdocs.yml, or `DOCS_CACHE_DIR`), one key recipe (`Cache.key`), and every
  entry a build did not use is deleted when the build succeeds.
* `BlockFormatter` replaces markdown-exec's Python formatter: it looks the
  block up in the chapter model, runs its code and shows what the chapter
  model says it shows (`Block.shown`: a figure's plotting, without the recipe
  around it), returns the cached HTML when the block's inputs have not
  changed, and records every block's printed output (for the notebooks) in
  the build's results.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any

import markdown_exec
from markupsafe import Markup

from chapter import RUNS, SHOW, Block, Chapter

TOOLS = Path(__file__).resolve().parent
CACHE_FOLDER = Path(".cache", "build")  # relative to the project's directory
ENTRY_RE = re.compile(r"[0-9a-f]{64}\.[a-z]+\.json")  # what Cache.key names


def cache_enabled() -> bool:
    """The one switch: DOCS_CACHE=0 (or false, no, off) turns the cache off."""
    value = os.environ.get("DOCS_CACHE", "1").strip().lower()
    return value not in ("0", "false", "no", "off")


def cache_folder(project: Path) -> Path:
    """`DOCS_CACHE_DIR` if set (a relative path is taken from the project's
    directory), else `.cache/build/` in the project's directory."""
    folder = os.environ.get("DOCS_CACHE_DIR", "").strip()
    return project / (folder or CACHE_FOLDER)  # an absolute folder stays itself


@dataclass
class Result:
    """What one executed block produced."""

    output: str  # what its print() calls printed
    error: str = ""  # a message naming page, line, block, snippet; "" if it ran


class BlockError(Exception):
    def __init__(self, message: str, trace: str) -> None:
        super().__init__(message)
        self.trace = trace


def _filename(block_id: str) -> str:
    return f"<code block: id {block_id}>"


def run_block(chapter: Chapter, block: Block, code: str | None = None) -> str:
    """Execute the block's code as markdown-exec does; return what it printed.

    Raises BlockError with a message that names the page and line of the fence,
    the block, the snippet and the line in it.
    """
    code = block.code if code is None else code
    filename = _filename(block.id)
    module_name = "".join(c if c.isalnum() else "_" for c in filename)
    buffer = StringIO()

    def printed(*texts: Any, end: str = "\n", **kwargs: Any) -> None:
        buffer.write(" ".join(str(text) for text in texts) + end)

    namespace: dict[str, Any] = {"__name__": module_name, "print": printed}
    sys.modules[module_name] = ModuleType(module_name)
    try:
        exec(compile(code, filename, "exec"), namespace)  # noqa: S102
    except Exception as error:
        trace = traceback.TracebackException.from_exception(error)
        lines = code.split("\n")
        frames = [f for f in trace.stack if f.filename == filename]
        for frame in frames:
            frame._line = lines[frame.lineno - 1]  # type: ignore[attr-defined]
        text = "".join(trace.format())
        last = "".join(trace.format_exception_only()).strip().splitlines()[-1]
        where = f", line {frames[-1].lineno}" if frames else ""
        snippet = block.snippet or chapter.path
        message = (
            f"{chapter.path}:{block.line}: code block '{block.id}' raised "
            f"({snippet}{where}): {last}"
        )
        raise BlockError(message, text) from error
    return buffer.getvalue()


# --- the cache ------------------------------------------------------------------------


def _environment(project: Path) -> str:
    """What every cached value depends on besides its own inputs: Python, every
    installed package, mkdocs.yml and the build's own tools."""
    # Each installed distribution's metadata folder, named with its version
    # (`torch-2.13.0+cpu.dist-info`): listing them is much quicker than reading
    # every package's metadata, which every build, a warm one too, did.
    packages = sorted(
        {
            folder.name
            for entry in sys.path
            if entry and Path(entry).is_dir()
            for pattern in ("*.dist-info", "*.egg-info")
            for folder in Path(entry).glob(pattern)
        }
    )
    parts = [sys.version, *packages]
    config = project / "mkdocs.yml"
    if config.is_file():
        parts.append(config.read_text(encoding="utf-8"))
    for tool in sorted(TOOLS.glob("*.py")) + sorted(TOOLS.glob("*.cjs")):
        parts.append(tool.read_text(encoding="utf-8"))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass
class Cache:
    folder: Path | None  # None: switched off
    salt: str = ""
    used: set[str] = field(default_factory=set)

    @classmethod
    def for_project(cls, project: Path) -> Cache:
        if not cache_enabled():
            return cls(None)
        return cls(cache_folder(project), _environment(project))

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def key(self, kind: str, *parts: str | bytes) -> str:
        """The one key recipe: the kind of value, its inputs, the environment."""
        digest = hashlib.sha256(f"{self.salt}\0{kind}".encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "little") + data)
        return f"{digest.hexdigest()}.{kind}.json"

    def get(self, key: str) -> Any:
        if self.folder is None:
            return None
        self.used.add(key)
        entry = self.folder / key
        return json.loads(entry.read_text("utf-8")) if entry.is_file() else None

    def put(self, key: str, value: Any) -> None:
        if self.folder is None:
            return
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / key).write_text(json.dumps(value), encoding="utf-8")

    def prune(self) -> int:
        """Delete every entry this build did not use; return how many. Only
        entries are deleted (files named as `key` names them): any other file in
        the folder is left alone."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        stale = [
            e
            for e in self.folder.iterdir()
            if ENTRY_RE.fullmatch(e.name) and e.name not in self.used and e.is_file()
        ]
        for entry in stale:
            entry.unlink()
        return len(stale)


# --- markdown-exec's Python formatter, replaced -------------------------------------


@dataclass
class Build:
    """One build's blocks: the chapter being rendered, and every result."""

    project: Path
    cache: Cache
    chapter: Chapter | None = None
    results: dict[tuple[str, str], Result] = field(default_factory=dict)
    executed: int = 0
    cached: int = 0
    seconds: float = 0.0  # spent running blocks' code

    def errors(self, chapter: Chapter) -> list[str]:
        return [
            r.error
            for (page, _), r in self.results.items()
            if page == chapter.src_uri and r.error
        ]


class BlockFormatter:
    """Stands in for markdown-exec's Python formatter during a build."""

    def __init__(self) -> None:
        self.build: Build | None = None

    def __call__(self, *, code: str, md: Any, **options: Any) -> Markup:
        build, chapter = self.build, self.build and self.build.chapter
        options["extra"] = {
            k: v for k, v in options.get("extra", {}).items() if k not in (RUNS, SHOW)
        }
        if build is None or chapter is None:
            raise RuntimeError("a Python block was rendered outside a chapter")
        block_id = options.get("id", "")
        try:
            block = chapter.block(block_id)
        except KeyError:
            build.results[(chapter.src_uri, block_id or "?")] = Result(
                "",
                f"{chapter.path}: code block '{block_id}' is executed by the page, "
                "but the chapter model does not see it, so no notebook or test "
                "would run it: put it at the top level, in an admonition or in a "
                "content tab",
            )
            return Markup()
        if block.shown != block.code and code.strip("\n") != block.code.strip("\n"):
            build.results[(chapter.src_uri, block.id)] = Result(
                "",
                f"{chapter.path}:{block.line}: code block '{block.id}' shows a "
                "section of its file, but the page runs other code than the "
                "chapter model read, so what it shows may not be what runs",
            )
            return Markup()
        parts = [code, block.shown, json.dumps(options, sort_keys=True, default=str)]
        for path in block.inputs:
            parts += [path, (build.project / path).read_bytes()]
        key = build.cache.key("block", *parts)
        hit = build.cache.get(key)
        if hit is not None:
            build.cached += 1
            build.results[(chapter.src_uri, block.id)] = Result(hit["output"])
            return Markup(hit["html"])

        result = Result("")

        def run(source: str, **_: Any) -> str:
            start = time.perf_counter()
            try:
                result.output = run_block(chapter, block, source)
            except BlockError as error:
                result.error = str(error)
                raise markdown_exec.ExecutionError(
                    markdown_exec.code_block("python", error.trace)
                ) from error
            finally:
                build.seconds += time.perf_counter() - start
            return result.output

        html = markdown_exec.base_format(
            language="python",
            run=run,
            code=code,  # what runs
            transform_source=lambda source: (source, block.shown),  # what is shown
            md=md,
            **options,
        )
        build.executed += 1
        build.results[(chapter.src_uri, block.id)] = result
        if not result.error:
            build.cache.put(key, {"html": str(html), "output": result.output})
        return html


def install_formatter() -> BlockFormatter:
    """Put a BlockFormatter in markdown-exec's place (once per process)."""
    current = markdown_exec.formatters.get("python")
    if not isinstance(current, BlockFormatter):
        current = BlockFormatter()
        markdown_exec.formatters["python"] = current
        markdown_exec.formatters["py"] = current
    return current
