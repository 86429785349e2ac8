"""The tests' helpers (fixtures live in conftest.py).

* `Programs`: snippets run as programs (`python path`), each a fork of one
  server that imported NumPy, PyTorch and matplotlib (LIBRARIES) and ran
  nothing else (tools/forkserver.py: no state crosses from one program to the
  next), so that no program pays for those imports; `fresh_kernel` starts each
  notebook's kernel the same way, and `run_build` each build;
* `run`: a snippet executed in this process, to test the functions and values
  it defines; `block_output`: a snippet run as the build runs a block
  (tools/runner.py), in a fork of its own;
* the project's pages and chapters (from the chapter model), their URLs and
  built HTML, the build's results (results.json), and builds of the real or of
  a small made-up project.
"""

from __future__ import annotations

import atexit
import functools
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import yaml

from tools import chapter as chapter_model
from tools import execution, figures, page_html, runner
from tools.forkserver import Completed, ForkServer

# The libraries, and what they import later on their own: torch imports
# torch._dynamo (a CPU second, sympy included) the first time a program builds
# an optimizer; pyplot imports matplotlib.figure (not pyplot itself: it picks
# a backend when imported).
LIBRARIES = ("numpy", "torch", "torch._dynamo", "matplotlib", "matplotlib.figure")
# ipykernel points matplotlib at its inline backend before a notebook imports
# matplotlib; a kernel server imports matplotlib with that backend set.
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}

ROOT = Path(__file__).resolve().parent.parent
CONFIG = chapter_model.load_config(ROOT / "mkdocs.yml")
CHAPTERS = chapter_model.project_chapters(ROOT)  # every page in nav order
PAGES = [c.src_uri for c in CHAPTERS]  # docs/ pages, nav order
CODE_CHAPTERS = [c for c in CHAPTERS if c.blocks]
# Pages with a notebook and a script: those with code, and collections (a
# page whose front matter names the pages its notebook holds).
NOTEBOOK_CHAPTERS = [c for c in CHAPTERS if c.has_notebook]
COLLECTIONS = [c for c in CHAPTERS if c.parts_collected]
# The chapters that must end with exercises: every chapter with code, but one
# whose front matter says `exercises: false` (tools/chapter.py).
EXERCISE_CHAPTERS = [c for c in CHAPTERS if c.has_exercises]
SNIPPETS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("snippets/**/*.py"))


# --- the exercises: the rule, in one place --------------------------------------

EXERCISES_HEADING = "\n## Exercises\n"
SOLUTION_BOX = '??? success "Solution"'
NEXT_RE = re.compile(r"\nNext, \[[^\]]+\]\((?P<page>[a-z_/]+\.md)(?:#[\w-]+)?\)")
HOW = (
    "a chapter with code ends with an `## Exercises` section: 2 to 4 exercises, "
    "each a `### ` heading, its question, and its solution in a "
    f"`{SOLUTION_BOX}` box whose one executed block runs "
    '`snippets/<chapter>/exercise_<name>.py` (result="text" source="above"), '
    "then a last line `Next, [the next page](page.md).`; or the page says "
    "`exercises: false` in its front matter (`make chapter` writes one that "
    "follows these rules)"
)


def exercises_of(chapter) -> list[tuple[str, str, object]]:
    """(question, solution's prose, solution's block) of each exercise, from
    the chapter model (solutions sit in `??? success "Solution"` boxes)."""
    found, text, started = [], "", False
    for part in chapter.parts:
        if isinstance(part, chapter_model.Prose):
            started = started or EXERCISES_HEADING in f"\n{part.text}"
            text += part.text if started else ""
        elif started and part.executed:
            question = text.rsplit("\n### ", 1)[-1]
            question, _, solution = question.partition("**Solution**")
            found.append((question, solution, part))
            text = ""
    return found


def exercise_problems(chapter, root: Path = ROOT) -> list[str]:
    """What breaks the site's rule for exercises in a chapter (of the project
    in `root`), each as one sentence that names the page, the rule and the fix
    ([] when none)."""
    if not chapter.has_exercises:
        return []
    where = chapter.path
    text = (root / where).read_text(encoding="utf-8")
    if EXERCISES_HEADING not in text:
        return [f"{where}: no `## Exercises` section: {HOW}."]
    section = text[text.index(EXERCISES_HEADING) :]
    stem = chapter.stem
    problems = []
    if "\n## " in section[len(EXERCISES_HEADING) :]:
        problems.append(f"{where}: `## Exercises` is not the last section: {HOW}.")
    boxes = section.count(SOLUTION_BOX)
    if not 2 <= boxes <= 4:
        problems.append(f"{where}: {boxes} solutions in `## Exercises`: {HOW}.")
    if not NEXT_RE.search(section) or not section.rstrip().endswith("."):
        problems.append(f"{where}: no closing `Next, [...](....md).` line: {HOW}.")
    found = exercises_of(chapter)
    if len(found) != boxes:
        problems.append(
            f"{where}: {boxes} solution boxes but {len(found)} executed blocks in "
            f"`## Exercises`: {HOW}."
        )
    for _, _, block in found:
        if not re.fullmatch(rf"snippets/{stem}/exercise_[a-z_]+\.py", block.snippet):
            problems.append(
                f"{where}:{block.line}: solution '{block.id}' runs "
                f"{block.snippet or 'inline code'}: {HOW}."
            )
        elif block.output_as != "text" or block.options.get("source") != "above":
            problems.append(
                f"{where}:{block.line}: solution '{block.id}' needs "
                f'result="text" source="above": {HOW}.'
            )
    return problems


def run(path: str) -> tuple[dict, str]:
    """Execute snippets/<path> in this process as the build runs a block
    (tools/runner.py: what it prints, or the figure it draws, is its output);
    return its globals and its output. The working directory is the
    repository's root, as in the build."""
    snippet = f"snippets/{path}"
    code = (ROOT / snippet).read_text(encoding="utf-8")
    job = runner.Job(snippet, 1, Path(path).stem, snippet, code)
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        output = runner.run(job, namespace)
    except runner.BlockError as error:
        if error.__cause__ is None:  # a figure the build cannot publish
            raise
        raise error.__cause__ from None  # what the program raised, as python shows
    finally:
        os.chdir(cwd)
    return namespace, output


@functools.cache
def ran(path: str) -> tuple[dict, str]:
    """`run`, once per test process: for the tests that only read what the
    program left, which then share the same objects. A test that changes them,
    or that checks a program gives the same output twice, calls `run`."""
    return run(path)


# --- the site ------------------------------------------------------------------------


def page_url(src_uri: str) -> str:
    """The page's URL relative to the site's root: "" or "numpy_by_hand/"."""
    return chapter_model.page_url(src_uri)


def built_page(site_dir: Path, src_uri: str) -> str:
    """The built HTML of docs/<src_uri>."""
    return (site_dir / page_url(src_uri) / "index.html").read_text(encoding="utf-8")


FIGURE_IMG_RE = re.compile(re.escape(figures.OPENING) + r'<img src="(?P<src>[^"]+)"')


def shows_figure(site_dir: Path, src_uri: str, drawn: str) -> bool:
    """Whether the built page shows a figure as the build draws it
    (tools/figures.py) and moves it out of the page (tools/page_html.py): the
    figure's markup with an <img> in place of its SVG, and that SVG,
    lightened, byte for byte in the file the <img> loads."""
    files: list[str] = []

    def place(text: str) -> str:
        files.append(text)
        return "SRC"

    expected = page_html.figure_files(page_html.slim_svg(drawn), place)
    html = built_page(site_dir, src_uri)
    folder = site_dir / page_url(src_uri)
    shown = {
        (folder / m["src"]).resolve().read_text(encoding="utf-8")
        for m in FIGURE_IMG_RE.finditer(html)
    }
    html = FIGURE_IMG_RE.sub(f'{figures.OPENING}<img src="SRC"', html)
    return len(files) == 1 and files[0] in shown and expected.strip() in html


def build_results(site_dir: Path) -> dict:
    """The shared build's results.json (tools/execution.py): every block's
    output, error and time, and the run's statistics (a copy made as the
    build ended: conftest.py)."""
    path = site_dir.parent / execution.RESULTS
    return json.loads(path.read_text(encoding="utf-8"))


def block_result(results: dict, src_uri: str, block_id: str) -> dict:
    """One block's record in results.json."""
    found = [
        b for b in results["blocks"] if b["page"] == src_uri and b["id"] == block_id
    ]
    if len(found) != 1:
        raise KeyError(f"{src_uri}: {len(found)} results for block {block_id!r}")
    return found[0]


def printed_in_build(site_dir: Path, snippet: str) -> str:
    """What the first block that runs snippets/<snippet> printed in the shared
    build, where it ran alone, as a program of its own (test_snippets.py)."""
    path = f"snippets/{snippet}"
    for chapter in CHAPTERS:
        for block in chapter.blocks:
            if block.snippet == path:
                found = block_result(build_results(site_dir), chapter.src_uri, block.id)
                return found["output"]
    raise KeyError(f"no block of the build runs {path}")


CODE_RE = re.compile(r"<code[^>]*>(.*?)</code>", re.DOTALL)
TAG_RE = re.compile(r"<[^>]+>")


def page_code_blocks(site_dir: Path, src_uri: str) -> list[str]:
    """The text of every code block on the built page of docs/<src_uri>."""
    return [
        html.unescape(TAG_RE.sub("", block)).strip()
        for block in CODE_RE.findall(built_page(site_dir, src_uri))
    ]


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
) -> Completed:
    """Run the build that `make site` runs (strict). The cache is off unless
    `cache` names its folder (DOCS_CACHE_DIR); the build's results.json goes
    to the cache folder either way (a temporary one when the cache is off)."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "DOCS_CACHE": str(int(cache is not None)),
        "DOCS_CACHE_DIR": str(cache or site_dir.parent / f"{site_dir.name}-cache"),
        "SOURCE_DATE_EPOCH": source_date_epoch(),
    }
    command = ["-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config_file), "--site-dir", str(site_dir)]
    return run_build(command, cwd, env)


# The libraries a build imports, but not torch (a test checks that a build
# which runs no torch block never imports it): builds forked from a server that
# imported them (ForkServer) do not each pay for the imports. Not
# mkdocs.__main__: `python -m mkdocs` runs it as __main__, and runpy warns when
# it was imported before.
BUILD_LIBRARIES = (
    "mkdocs.commands.build",
    "material.plugins.search.plugin",
    "tools.plugin",
    "markdown_exec",
    "pymdownx.superfences",
    "pymdownx.snippets",
    "pymdownx.arithmatex",
    "pymdownx.highlight",
    "htmlproofer.plugin",
    "nbformat",
    "jinja2",
    "pygments.lexers.python",
    "pygments.formatters.html",
)
_builds: list[ForkServer] = []
_builds_lock = threading.Lock()


def run_build(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 600
) -> Completed:
    """`python *argv` (a build) in cwd with env, forked from this test
    process's build server (started when first used, stopped at exit)."""
    with _builds_lock:
        if not _builds:
            # Material warns about MkDocs 2 when it is imported, unless told not to.
            server = ForkServer(BUILD_LIBRARIES, env={"NO_MKDOCS_2_WARNING": "1"})
            atexit.register(server.close)
            _builds.append(server)
    return _builds[0].capture(argv, cwd, timeout, env)


class _Tag:
    """A YAML tag of mkdocs.yml (`!ENV`, `!!python/name:`), kept as written."""

    def __init__(self, tag: str, value: object) -> None:
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _keep(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tag:
    if isinstance(node, yaml.SequenceNode):
        return _Tag(node.tag, loader.construct_sequence(node))
    return _Tag(node.tag, loader.construct_scalar(node))


def _write(dumper: yaml.SafeDumper, tag: _Tag) -> yaml.Node:
    if isinstance(tag.value, list):
        return dumper.represent_sequence(tag.tag, tag.value)
    return dumper.represent_scalar(tag.tag, tag.value)


_Loader.add_multi_constructor("!", _keep)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _keep)
_Dumper.add_representer(_Tag, _write)


def read_config(path: Path) -> dict:
    """An mkdocs.yml as data, its tags (`!ENV`, `!!python/name:`) kept as
    written (`write_config` writes them back)."""
    text = path.read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (SafeLoader's subclass)


def write_config(path: Path, config: dict) -> None:
    path.write_text(yaml.dump(config, Dumper=_Dumper), encoding="utf-8")


def small_project(root: Path, pages: dict[str, str], files: dict[str, str]) -> Path:
    """A project in `root` with the real configuration (its `!ENV` settings
    and the rest, as written) but only `pages`."""
    config = read_config(ROOT / "mkdocs.yml")
    config.pop("nav")
    config.pop("watch", None)
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    for name, text in {**{f"docs/{p}": t for p, t in pages.items()}, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    config_file = root / "mkdocs.yml"
    write_config(config_file, config)
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


# --- notebooks and programs, forked from a parent that imported the libraries -----


def kernel_server() -> ForkServer:
    """A fork server for notebook kernels: ipykernel and the libraries imported
    (not matplotlib.pyplot: a notebook that uses it imports it)."""
    # ipykernel reads JPY_PARENT_PID when it is imported (a class default):
    # the value jupyter_client's launcher gives a kernel it starts from here.
    env = KERNEL_ENV | {"JPY_PARENT_PID": str(os.getpid())}
    return ForkServer(("ipykernel.kernelapp", *LIBRARIES), env=env)


def prepare_kernel_clients() -> None:
    """Import, in this thread, what starting a notebook's kernel imports in
    this process: nbformat, nbclient, jupyter_client's kernel manager, and
    what its kernel spec lookup imports (IPython, ipykernel, pygments).
    conftest.py calls it before its background thread runs the notebooks:
    imported by that thread while a test imports matplotlib.pyplot (which
    imports from IPython when IPython is in sys.modules), one of them can get
    a half-initialised module ("partially initialized module 'IPython' has no
    attribute 'get_ipython'", seen once). test_notebooks.py checks that a
    kernel's start imports nothing more."""
    import nbformat  # noqa: F401
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient  # noqa: F401

    AsyncKernelManager(kernel_name="python3").kernel_spec  # noqa: B018


async def fresh_kernel(path: Path, server: ForkServer) -> tuple[str, dict]:
    """Run a notebook as a reader would: a fresh kernel in an empty directory.
    Returns (its stem, {"notebook": executed} or {"error": message}).

    Fresh: a new process that runs the kernel spec's command line
    (`python -m ipykernel_launcher -f ...`) with a new IPython shell and an
    empty namespace, in a new empty directory, started and stopped by
    jupyter_client's kernel manager; but forked from `server`, so NumPy,
    PyTorch, matplotlib (see LIBRARIES) and ipykernel are already imported (a
    notebook that forgets an import still fails: its names are not defined)."""
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class ForkedKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
            command = super().format_kernel_cmd(extra_arguments)
            if command[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
                raise RuntimeError(f"not the python3 kernel spec's command: {command}")
            return server.stand_in(command[1:])

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    with tempfile.TemporaryDirectory(prefix="fresh-kernel-") as empty:
        client = NotebookClient(
            notebook,
            kernel_manager_class=ForkedKernelManager,  # started and stopped by it
            kernel_name="python3",
            timeout=600,
            startup_timeout=300,  # a loaded machine starts kernels slowly
            record_timing=False,
            resources={"metadata": {"path": empty}},
        )
        try:
            await client.async_execute()
        except Exception as error:
            return path.stem, {"error": f"{type(error).__name__}: {error}"}
    return path.stem, {"notebook": nbformat.writes(notebook)}


class Programs:
    """Runs Python files as programs, `python path` from `cwd`, each forked
    from one server that imported the LIBRARIES and ran nothing else (see
    ForkServer)."""

    def __init__(self) -> None:
        # No window: plt.show() returns at once, as in the build (a figure's
        # plot section, run alone, ends with it).
        self.server = ForkServer(LIBRARIES, env={"MPLBACKEND": "Agg"})

    def run(self, path: Path, cwd: Path, timeout: int = 300) -> Completed:
        return self.server.capture([str(path)], cwd, timeout)

    def as_block(self, path: str, timeout: int = 300) -> Completed:
        """snippets/<path> run as the build runs a block (tools/runner.py:
        `print` captured, a figure drawn as the page shows it), from the
        repository's root, in a fork of its own; its output on stdout."""
        code = (
            "import sys\n"
            "from tools import runner\n"
            "path = sys.argv[1]\n"
            "code = open(path, encoding='utf-8').read()\n"
            "job = runner.Job(path, 1, 'alone', path, code)\n"
            "print(runner.run(job), end='')\n"
        )
        return self.server.capture(["-c", code, f"snippets/{path}"], ROOT, timeout)

    def close(self) -> None:
        self.server.close()
