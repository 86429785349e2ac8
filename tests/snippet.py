"""The tests' helpers (fixtures live in conftest.py).

* `run`: a snippet executed in this process, to test the functions and values
  it defines;
* `Programs`: snippets run as separate programs, each forked from a parent
  process that has imported NumPy, PyTorch and matplotlib and run nothing else
  (so a program does not pay for those imports, and no autograd state crosses
  the fork);
* the project's pages and chapters (from the chapter model), their URLs and
  built HTML, and builds of the real or of a small made-up project.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import chapter as chapter_model  # noqa: E402

CONFIG = chapter_model.load_config(ROOT / "mkdocs.yml")
CHAPTERS = chapter_model.project_chapters(ROOT)  # every page in nav order
PAGES = [c.src_uri for c in CHAPTERS]  # docs/ pages, nav order
CODE_CHAPTERS = [c for c in CHAPTERS if c.blocks]
# Chapters with code but no exercises: a comparison, and symptoms with fixes.
NO_EXERCISES = {"side_by_side.md", "troubleshooting.md"}
SNIPPETS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("snippets/**/*.py"))


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


# --- the site ------------------------------------------------------------------------


def page_url(src_uri: str) -> str:
    """The page's URL relative to the site's root: "" or "numpy_by_hand/"."""
    return chapter_model.page_url(src_uri)


def built_page(site_dir: Path, src_uri: str) -> str:
    """The built HTML of docs/<src_uri>."""
    return (site_dir / page_url(src_uri) / "index.html").read_text(encoding="utf-8")


def source_date_epoch() -> str:
    """The date a build stamps into sitemap.xml: the last commit's (Makefile)."""
    return (
        os.environ.get("SOURCE_DATE_EPOCH")
        or subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        or "0"
    )


def build_site(
    config_file: Path, site_dir: Path, cwd: Path = ROOT, cache: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the build that `make site` runs (strict). The cache is off unless
    `cache` names its folder (DOCS_CACHE_DIR)."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "DOCS_CACHE": str(int(cache is not None)),
        "DOCS_CACHE_DIR": str(cache or ""),
        "SOURCE_DATE_EPOCH": source_date_epoch(),
    }
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config_file), "--site-dir", str(site_dir)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def small_project(root: Path, pages: dict[str, str], files: dict[str, str]) -> Path:
    """A project in `root` with the real configuration but only `pages`."""
    config = chapter_model.load_config(ROOT / "mkdocs.yml")
    config.pop("nav")
    config.pop("watch", None)
    config["hooks"] = [str(ROOT / hook) for hook in config["hooks"]]
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    for name, text in {**{f"docs/{p}": t for p, t in pages.items()}, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return config_file


def build_broken(tmp_path: Path, page: str, files: dict[str, str] | None = None) -> str:
    """Build a one-page site that must fail; return what the build printed."""
    pages = {"index.md": "# Home\n", "broken.md": page}
    config_file = small_project(tmp_path, pages, files or {})
    process = build_site(config_file, tmp_path / "site", cwd=tmp_path)
    assert process.returncode != 0, "the build should have failed"
    output = process.stdout + process.stderr
    published = tmp_path / "site" / "broken" / "index.html"
    assert not published.exists() or "Traceback" not in published.read_text("utf-8")
    return output


# --- notebooks -------------------------------------------------------------------


async def fresh_kernel(path: Path) -> tuple[str, dict]:
    """Run a notebook as a reader would: a fresh kernel in an empty directory.
    Returns (its stem, {"notebook": executed} or {"error": message})."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    with tempfile.TemporaryDirectory(prefix="fresh-kernel-") as empty:
        client = NotebookClient(
            notebook,
            timeout=600,
            startup_timeout=300,  # a loaded machine starts kernels slowly
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": empty}},
        )
        try:
            await client.async_execute()
        except Exception as error:
            return path.stem, {"error": f"{type(error).__name__}: {error}"}
    return path.stem, {"notebook": nbformat.writes(notebook)}


# --- programs, forked from a parent that has imported the libraries ------------------


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


class Programs:
    """Runs Python files as programs: `python path` from `cwd`, but forked from
    one server process that imported numpy, torch and matplotlib once."""

    def __init__(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, path: Path, cwd: Path, timeout: int = 300) -> Completed:
        with tempfile.TemporaryDirectory(prefix="program-") as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            request = {"path": str(path), "cwd": str(cwd), "timeout": timeout}
            request |= {"out": str(out), "err": str(err)}
            self.server.stdin.write(json.dumps(request) + "\n")
            self.server.stdin.flush()
            reply = json.loads(self.server.stdout.readline())
            return Completed(
                reply["returncode"], out.read_text("utf-8"), err.read_text("utf-8")
            )

    def close(self) -> None:
        self.server.stdin.close()
        self.server.wait(timeout=60)


def _serve() -> None:
    import signal
    import traceback

    import matplotlib  # noqa: F401
    import numpy  # noqa: F401
    import torch  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the program
            code = 1
            try:
                signal.alarm(request["timeout"])  # SIGALRM ends a program that hangs
                os.chdir(request["cwd"])
                for fd, name in ((1, "out"), (2, "err")):
                    target = os.open(request[name], os.O_WRONLY | os.O_CREAT)
                    os.dup2(target, fd)
                    os.close(target)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                sys.stdin = open(0, closefd=False)  # noqa: SIM115
                sys.argv = [request["path"]]
                sys.path[0] = os.path.dirname(request["path"])
                runpy.run_path(request["path"], run_name="__main__")
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else int(bool(exit.code))
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        returncode = os.waitstatus_to_exitcode(status)
        print(json.dumps({"returncode": returncode}), flush=True)


if __name__ == "__main__":
    _serve()
