"""Running one block's code, as markdown-exec runs it, and what it produced.

`run` executes a block's code in this process and returns what it printed;
a block that draws a matplotlib figure gets the figure as its output
(tools/figures.py). When the code raises, `BlockError` has a message that
names the page and line of the fence, the block, the snippet file and the line
in it, and the traceback with each line of the block's code.

The build runs every block through `main` (`python -m tools.runner JOB
RESULT`) in a fork of its fork server (tools/execution.py): a program of its
own, which starts with the libraries imported and leaves nothing to the next
block.
`tools/run_blocks.py` and the tests call `run` in their own process.

markdown-exec's semantics, kept: the code runs in a namespace of its own whose
`print` writes to the block's output (what else the code writes to stdout is
not the block's output), named like a module (`__name__`) that is in
`sys.modules`, so that dataclasses and pickling work.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from io import StringIO
from pathlib import Path
from types import ModuleType
from typing import Any

from . import figures


@dataclass(frozen=True)
class Job:
    """One block to run: where it is, and its code."""

    path: str  # docs/numpy_by_hand.md, as messages name the page
    line: int  # the line of its fence in that file
    id: str
    snippet: str  # the file a reader runs for this output ("" for inline code)
    code: str


@dataclass
class Outcome:
    """What running a block produced."""

    output: str = ""  # what it printed, or the figure it drew (HTML)
    error: str = ""  # the message naming page, line, block, snippet; "" if it ran
    trace: str = ""  # the traceback, each frame's line of code included
    seconds: float = 0.0  # how long its code ran


class BlockError(Exception):
    def __init__(self, message: str, trace: str) -> None:
        super().__init__(message)
        self.trace = trace


def _filename(block_id: str) -> str:
    return f"<code block: id {block_id}>"


def _set_source_line(frame: traceback.FrameSummary, line: str) -> None:
    """Give a traceback frame of code that has no file its line of code.

    The one use of the standard library's private FrameSummary attributes,
    set as markdown-exec sets them: `_lines` from Python 3.13, `_line` before
    (tests/test_execution.py checks that a traceback shows the line)."""
    if sys.version_info >= (3, 13):
        frame._lines = line  # type: ignore[attr-defined]
    else:
        frame._line = line  # type: ignore[attr-defined]


def run(job: Job, namespace: dict[str, Any] | None = None) -> str:
    """Execute the job's code as markdown-exec does; return what it printed
    (or, if it drew a figure, the figure). Raises BlockError. `namespace`: the
    dictionary to run it in (its globals, for a caller that reads them)."""
    filename = _filename(job.id)
    module_name = re.sub(r"[^a-zA-Z\d]+", "_", filename)
    buffer = StringIO()

    def printed(*texts: Any, end: str = "\n", **kwargs: Any) -> None:
        buffer.write(" ".join(str(text) for text in texts) + end)

    namespace = {} if namespace is None else namespace
    namespace.update({"__name__": module_name, "print": printed})
    sys.modules[module_name] = ModuleType(module_name)
    figures.prepare(job.code)
    try:
        exec(compile(job.code, filename, "exec"), namespace)  # noqa: S102
    except Exception as error:
        trace = traceback.TracebackException.from_exception(error)
        lines = job.code.split("\n")
        frames = [f for f in trace.stack if f.filename == filename]
        for frame in frames:
            _set_source_line(frame, lines[frame.lineno - 1])
        text = "".join(trace.format())
        last = "".join(trace.format_exception_only()).strip().splitlines()[-1]
        where = f", line {frames[-1].lineno}" if frames else ""
        snippet = job.snippet or job.path
        message = (
            f"{job.path}:{job.line}: code block '{job.id}' raised "
            f"({snippet}{where}): {last}"
        )
        raise BlockError(message, text) from error
    where = f"{job.path}:{job.line}: code block '{job.id}' ({job.snippet or job.path})"
    try:
        drawn = figures.drawn(namespace)
    except figures.FigureError as error:
        raise BlockError(f"{where}: {error}", "") from error
    if drawn and buffer.getvalue():
        raise BlockError(
            f"{where}: it draws a figure and prints text: a figure's block "
            "prints nothing (its page shows the figure alone)",
            "",
        )
    return drawn or buffer.getvalue()


def outcome(job: Job) -> Outcome:
    """`run`, its error caught, timed."""
    start = time.perf_counter()
    try:
        output = run(job)
    except BlockError as error:
        return Outcome("", str(error), error.trace, time.perf_counter() - start)
    return Outcome(output, seconds=time.perf_counter() - start)


def main(argv: list[str]) -> int:
    """`python -m tools.runner JOB RESULT`: run the job read from the JSON file
    JOB in the working directory, write its Outcome to the JSON file RESULT."""
    job_file, result_file = argv
    job = Job(**json.loads(Path(job_file).read_text(encoding="utf-8")))
    result = asdict(outcome(job))
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")  # no window
    sys.exit(main(sys.argv[1:]))
