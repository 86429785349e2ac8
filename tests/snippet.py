"""Run a snippet in this process, to test the functions and values it defines."""

from __future__ import annotations

import contextlib
import io
import os
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(path: str) -> tuple[dict, str]:
    """Execute snippets/<path> as a program; return its globals and its output.

    The working directory is the repository's root, as in the build.
    """
    output, cwd = io.StringIO(), os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(output):
            namespace = runpy.run_path(f"snippets/{path}", run_name="__main__")
    finally:
        os.chdir(cwd)
    return namespace, output.getvalue()
