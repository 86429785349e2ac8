"""Step 3 of the build, render: a block's fence becomes HTML from its result.

mkdocs.yml gives pymdownx.superfences markdown-exec's validator and formatter
for `python` fences; the plugin (tools/plugin.py) puts a `BlockFormatter` in
markdown-exec's place for Python while it builds. The formatter runs nothing:
it looks the block's result up by the key the execute step stored it under
(tools/execution.py: `block_key`, from the code and options the fence hands
it) and lets markdown-exec lay it out (`base_format`: the source above, tabs,
a result as text, HTML or Markdown), showing the code the chapter model says
the page shows (a figure's plot, not the strings after it).

Every fence the formatter renders leaves a marker (`MARKER`): the block's id,
and whether its result was there. A fence whose result is not there was not
executed by step 2: the chapter model did not see it (a fence in a container
it does not read), or the page runs other code than the model read. The
plugin reads the markers out of the page's HTML (`markers`) and fails the
build, naming the page and the block, for such a fence and for a block of the
model that left no marker (superfences swallows a formatter's error and
leaves the fence as text: no marker).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import markdown_exec
from markupsafe import Markup

from .cache import Cache
from .chapter import OURS
from .execution import Record, block_key

# A block-level element (Python-Markdown leaves it out of paragraphs), after
# the block's HTML; the plugin removes it.
MARKER = '<div data-code-block-{state}="{id}"></div>'
MARKER_RE = re.compile(
    r'<div data-code-block-(?P<state>rendered|unseen)="(?P<id>[^"]*)"></div>'
)


class BlockFormatter:
    """markdown-exec's Python formatter, as a lookup of the execute step's
    results."""

    def __init__(self, records: dict[str, Record], cache: Cache, project: Path):
        self.records, self.cache, self.project = records, cache, project

    def __call__(self, *, code: str, md: Any, **options: Any) -> Markup:
        key = block_key(self.cache, code, options, self.project)
        record = self.records.get(key)
        block_id = html.escape(options.get("id", ""))
        if record is None:
            return Markup(MARKER.format(state="unseen", id=block_id))
        # A block's HTML depends on its result and its options only (both in
        # its key): kept in the cache, so that a page's prose edit does not
        # lay out and highlight its blocks again.
        html_key = self.cache.key("blockhtml", key)
        kept = self.cache.get(html_key)
        marker = Markup(MARKER.format(state="rendered", id=block_id))
        if kept is not None:
            return Markup(kept) + marker
        shown = record.shown_code
        extra = options.get("extra") or {}
        options = {
            **options,
            "extra": {k: v for k, v in extra.items() if k not in OURS},
        }
        rendered = markdown_exec.base_format(
            language="python",
            run=lambda *_, **__: record.output,
            code=code,  # what ran
            transform_source=lambda source: (source, shown),  # what is shown
            md=md,
            **options,
        )
        # markdown-exec prefixes the ids of the HTML it lays out (a figure's
        # tabs) with `exec-N--`, N counting its layouts in this build, where the
        # fence names no idprefix and its output is HTML: they would depend on
        # which pages a build renders. The block's id instead: an incremental
        # build equals a clean one.
        counted = f"exec-{markdown_exec.MarkdownConverter.counter}--"
        if options.get("id_prefix") is None and counted in rendered:
            rendered = Markup(str(rendered).replace(counted, f"{block_id}--"))
        self.cache.put(html_key, str(rendered))
        return rendered + marker


def markers(content: str) -> tuple[str, list[str], list[str]]:
    """The page's HTML without the markers, and the ids of the blocks they
    say were rendered and that were not seen by the execute step."""
    found: dict[str, list[str]] = {"rendered": [], "unseen": []}
    for match in MARKER_RE.finditer(content):
        found[match["state"]].append(html.unescape(match["id"]))
    return MARKER_RE.sub("", content), found["rendered"], found["unseen"]


def install(formatter: Any) -> Any:
    """Put `formatter` in markdown-exec's place for Python fences; return what
    was there (markdown-exec's `formatters` registry is its public API)."""
    previous = markdown_exec.formatters.get("python")
    markdown_exec.formatters["python"] = formatter
    markdown_exec.formatters["py"] = formatter
    return previous
