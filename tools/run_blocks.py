"""Execute every page's blocks in ONE process, one after another.

    python -m tools.run_blocks [--project DIR]

The build runs each block in a process of its own (tools/execution.py), so
that no block sees what another left. This runs them all in one process, in
MkDocs' file order (index first, then by name), as markdown-exec runs them in
a build: the harder test, and the check to run on a machine with a GPU, where
a block can behave differently after the blocks before it (CUDA, autograd's
threads and fork). Every failure is reported (page and line, block id,
snippet, error); the exit status is 1 if any block failed. The working
directory is the project's root, as in the build.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from mkdocs.structure.files import File, file_sort_key

from . import chapter as chapter_model
from .runner import BlockError, Job, run


def build_order(chapters: list[chapter_model.Chapter]) -> list[chapter_model.Chapter]:
    """MkDocs' own file order: index first, then by name (not the nav's)."""
    return sorted(
        chapters, key=lambda c: file_sort_key(File(c.src_uri, "docs", "site", True))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=chapter_model.ROOT)
    args = parser.parse_args(argv)
    project = args.project.resolve()
    os.chdir(project)
    try:
        chapters = chapter_model.project_chapters(project)
    except chapter_model.ChapterError as error:
        print(error, file=sys.stderr)
        return 1
    failures, count = [], 0
    for chapter in build_order(chapters):
        for block in chapter.blocks:
            count += 1
            start = time.perf_counter()
            job = Job(chapter.path, block.line, block.id, block.snippet, block.code)
            try:
                run(job)
                status = "ok"
            except BlockError as error:
                failures.append(str(error))
                status = "FAILED"
            seconds = time.perf_counter() - start
            print(
                f"{status:>6} {seconds:6.2f} s  {chapter.path} {block.id}", flush=True
            )
    print(f"{count} blocks run in one process, {len(failures)} failed")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
