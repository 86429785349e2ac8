"""What produced the outputs: the build's Python, torch and NumPy, and its date.

Every chapter page and every notebook says it in one line:

    Outputs produced on 2026-11-26 by Python 3.11.7, torch 2.13.0 (CPU), NumPy 2.4.6.

(an example: the numbers come from the build).

* The versions are those of the interpreter that runs the build, read without
  importing torch (a build that executes nothing stays fast): torch's version
  and build from torch/version.py, the file `torch.__version__` comes from (the
  package metadata can differ: PyPI's CUDA wheels for Linux are `2.13.0` there
  and `2.13.0+cu130` in `torch.__version__`), NumPy's from its metadata. "(CPU)"
  is torch's build: a CPU-only wheel; a CUDA or ROCm wheel says so instead.
* The date is the build's date as MkDocs defines it: SOURCE_DATE_EPOCH when set
  (the Makefile and the tests set it to the last commit's time), so two builds of
  one commit print the same line and stay byte-identical.

Each notebook also gets a code cell that prints the versions of the kernel it
runs in (`torch.__version__` among them): published, it shows the build's; a
reader who runs it on Colab sees their own, and can tell why some printed digits
differ.

A plain module, no MkDocs events: the plugin calls it.
"""

from __future__ import annotations

import importlib.util
import platform
import re
from datetime import datetime
from importlib import metadata
from pathlib import Path

from mkdocs.utils import get_build_datetime

# The code cell that prints the kernel's versions, as a reader sees it.
VERSIONS_CODE = """\
import platform

import numpy
import torch

print("Python", platform.python_version())
print("torch", torch.__version__)
print("NumPy", numpy.__version__)"""
KIND = "provenance"  # cell.metadata["provenance"]: "line" or "versions"
_BUILD_RE = re.compile(
    r"^(?P<name>cuda|hip)\s*(?::[^=\n]*)?=\s*(?:None|'(?P<version>[^']*)')", re.M
)
_VERSION_RE = re.compile(r"^__version__\s*(?::[^=\n]*)?=\s*'(?P<version>[^']*)'", re.M)


def _torch_version_py() -> str:
    """The installed torch's torch/version.py, read as text (not imported)."""
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise RuntimeError("torch is not installed in the build's environment")
    return Path(spec.origin).with_name("version.py").read_text("utf-8")


def torch_version(version_py: str | None = None) -> str:
    """`torch.__version__` ("2.13.0+cpu"), from torch/version.py."""
    found = _VERSION_RE.search(
        _torch_version_py() if version_py is None else version_py
    )
    if found is None:
        raise RuntimeError("torch/version.py has no __version__ = '...' line")
    return found["version"]


def torch_build(version_py: str | None = None) -> str:
    """The build of the installed torch wheel: "CPU", "CUDA 12.8" or "ROCm 6.4",
    from torch/version.py (read as text, so torch is not imported)."""
    if version_py is None:
        version_py = _torch_version_py()
    builds = {m["name"]: m["version"] for m in _BUILD_RE.finditer(version_py)}
    if builds.get("cuda"):
        return f"CUDA {builds['cuda']}"
    if builds.get("hip"):
        return f"ROCm {builds['hip']}"
    return "CPU"


def installed() -> dict[str, str]:
    """torch's and NumPy's installed versions and torch's build (read from
    torch/version.py and NumPy's metadata: milliseconds, no import)."""
    version_py = _torch_version_py()
    return {
        "torch": torch_version(version_py),
        "torch_build": torch_build(version_py),
        "numpy": metadata.version("numpy"),
    }


def versions() -> dict[str, str]:
    """The build interpreter's Python, torch (without its local label, such as
    +cpu: the build says that) and NumPy versions."""
    found = installed()
    return {
        "python": platform.python_version(),
        "torch": found["torch"].split("+")[0],
        "torch_build": found["torch_build"],
        "numpy": found["numpy"],
    }


def version_line(when: datetime | None = None) -> str:
    """The sentence every chapter page and notebook carries."""
    when = when or get_build_datetime()
    v = versions()
    return (
        f"Outputs produced on {when:%Y-%m-%d} by Python {v['python']}, "
        f"torch {v['torch']} ({v['torch_build']}), NumPy {v['numpy']}."
    )


def printed_versions() -> str:
    """What VERSIONS_CODE prints in the build's own interpreter (read from the
    packages' metadata: the build imports torch only when a block does)."""
    found = installed()
    return (
        f"Python {platform.python_version()}\n"
        f"torch {found['torch']}\n"
        f"NumPy {found['numpy']}\n"
    )


def versions_cell(stem: str):
    """The code cell that prints the kernel's versions, with what it prints in
    the build's interpreter as its output (the tests run it in a fresh kernel
    and compare)."""
    import nbformat  # here: a build whose notebooks are cached never needs it

    cell = nbformat.v4.new_code_cell(VERSIONS_CODE, id=f"{stem}-versions")
    cell.metadata = {KIND: "versions"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=printed_versions())
    ]
    return cell


def line_cell(stem: str, more_url: str | None = None):
    """The version line as a Markdown cell, to go just above the versions cell."""
    text = (
        f"*{version_line()}* The next cell prints the versions this notebook "
        "runs with. On other versions, or on another device, some printed "
        "digits can differ"
    )
    text += f" ([why]({more_url}))." if more_url else "."
    import nbformat

    cell = nbformat.v4.new_markdown_cell(text, id=f"{stem}-provenance")
    cell.metadata = {KIND: "line"}
    return cell


def is_provenance(cell) -> bool:
    return KIND in cell.get("metadata", {})


def is_versions_cell(cell) -> bool:
    return cell.get("metadata", {}).get(KIND) == "versions"


def stamp(notebook, stem: str, more_url: str | None = None):
    """Put the version line above the versions cell (added when the download is
    written). Returns the notebook; without a versions cell, unchanged."""
    for at, cell in enumerate(notebook.cells):
        if is_versions_cell(cell):
            notebook.cells.insert(at, line_cell(stem, more_url))
            break
    return notebook
