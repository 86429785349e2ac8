"""The tests' helpers (fixtures live in conftest.py).

* `ForkServer`: a process that imports libraries once and then runs Python
  command lines (`python path`, `python -m module`) as forks of itself, so that
  a run does not pay for those imports. `Programs` runs snippets as separate
  programs this way (forked from a parent that has imported NumPy, PyTorch and
  matplotlib, see LIBRARIES, and run nothing else: no autograd state crosses
  the fork), and `fresh_kernel` starts each notebook's kernel this way;
* `run`: a snippet executed in this process, to test the functions and values
  it defines;
* the project's pages and chapters (from the chapter model), their URLs and
  built HTML, and builds of the real or of a small made-up project.

Run as a program, this file is the fork server or a stand-in for one of its
forks (see `ForkServer`), and stops before it imports anything of the tests.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import html
import io
import json
import os
import re
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

# --- Python command lines, forked from a parent that imported the libraries ------

# The libraries, and what they import later on their own: torch imports
# torch._dynamo (a CPU second, sympy included) the first time a program builds
# an optimizer; pyplot imports matplotlib.figure (not pyplot itself: it picks
# a backend when imported).
LIBRARIES = ("numpy", "torch", "torch._dynamo", "matplotlib", "matplotlib.figure")
# ipykernel points matplotlib at its inline backend before a notebook imports
# matplotlib; a kernel server imports matplotlib with that backend set.
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}
# The signals a stand-in passes on to its fork (a kernel manager interrupts
# with SIGINT and stops with SIGTERM; SIGKILL cannot be caught: the stand-in
# dies, and its fork is killed when the stand-in's connection closes).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class ForkServer:
    """A server process that imports `modules` and nothing else, then runs each
    request, a Python command line, in a fork of itself: `["path", *args]`
    runs like `python path args`, `["-m", "module", *args]` like
    `python -m module args`, in the requester's directory, environment,
    stdin, stdout and stderr, in a new session (process group), with a fresh
    `__main__`. What the fork has that a new `python` has not: the modules
    already imported (and whatever their import did), and the server's
    `sys.modules` and `sys.path` apart from `sys.path[0]`, which is set as
    Python sets it (the program's directory; for `-m`, the working directory).
    It exits as `python` exits (the uncaught exception printed, non-daemon
    threads joined, atexit functions run, output flushed) but without the
    interpreter's teardown of every module (half a CPU second with torch
    imported; the objects still alive at exit are not finalized, which Python
    does not promise either). The imported objects are frozen out of the
    garbage collector's reach (`gc.freeze`), so that forks neither scan them
    nor copy the memory pages that hold them.

    A program outside this process (a kernel manager's kernel) asks for a
    fork through `stand_in(argv)`: a small process that passes its stdin,
    stdout, stderr, directory and environment to the fork, passes on the
    signals it gets, and exits as the fork exits (with its status, or killed
    by its signal); if the stand-in dies, the fork is killed.

    Each fork is watched by a supervisor, itself a fork of the server, that
    waits for it and reports its exit status. The server only accepts and
    forks: it runs no code of a request, and starts no thread, event loop or
    zmq context of its own.
    """

    def __init__(self, modules: tuple[str, ...], env: dict[str, str] | None = None):
        self.modules, self.env = modules, {**os.environ, **(env or {})}
        self._dir = tempfile.TemporaryDirectory(prefix="fork-server-")
        self.address = os.path.join(self._dir.name, "socket")
        self.process: subprocess.Popen | None = None  # started when first used
        self._starting = threading.Lock()

    def wait_ready(self) -> None:
        with self._starting:  # threads of one test process may ask at once
            self._start()

    def _start(self) -> None:
        if self.process is None:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "serve", self.address, *self.modules],
                stdin=subprocess.PIPE,  # the server stops when this closes
                stdout=subprocess.PIPE,  # it prints "ready" when it listens
                env=self.env,
            )
            line = self.process.stdout.readline()
            if line != b"ready\n":
                raise RuntimeError(f"the fork server did not start: {line!r}")

    def run(
        self,
        argv: list[str],
        cwd: Path,
        stdio: tuple[int, int, int],
        timeout: int | None = None,
        env: dict[str, str] | None = None,
    ) -> int:
        """Run the command line in a fork, wait for it; return its exit status
        (-N: killed by signal N). `timeout` seconds: then SIGALRM ends it. The
        fork's environment is `env`, or this process's."""
        self.wait_ready()
        environment = dict(os.environ if env is None else env)
        request = {"argv": argv, "cwd": str(cwd), "env": environment}
        return _ask(self.address, request | {"timeout": timeout}, stdio)

    def capture(
        self,
        argv: list[str],
        cwd: Path,
        timeout: int | None = None,
        env: dict[str, str] | None = None,
    ) -> Completed:
        """`run` with no stdin, its stdout and stderr captured as text."""
        with (
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
            open(os.devnull, "rb") as null,
        ):
            stdio = (null.fileno(), out.fileno(), err.fileno())
            returncode = self.run(argv, cwd, stdio, timeout, env)
            out.seek(0)
            err.seek(0)
            return Completed(
                returncode, out.read().decode("utf-8"), err.read().decode("utf-8")
            )

    def stand_in(self, argv: list[str]) -> list[str]:
        """The command line of a process that stands in for `python *argv`."""
        self.wait_ready()
        return [sys.executable, __file__, "stand-in", self.address, *argv]

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=60)
            self.process.stdout.close()
        self._dir.cleanup()


def _ask(
    address: str, request: dict, stdio: tuple[int, int, int], forward: bool = False
) -> int:
    """Send the request and the three descriptors; return the fork's status."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(address)
        socket.send_fds(connection, [b"\n"], list(stdio))
        connection.sendall(json.dumps(request).encode() + b"\n")
        if forward:
            for signum in FORWARDED:
                signal.signal(
                    signum, lambda n, _: connection.sendall(f"{n}\n".encode())
                )
        with connection.makefile("rb") as replies:
            reply = replies.readline()
        if forward:
            for signum in FORWARDED:
                signal.signal(signum, signal.SIG_DFL)
    if not reply:
        raise RuntimeError("the fork server closed the connection")
    return int(reply)


def _stand_in(address: str, argv: list[str]) -> int:
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    status = _ask(address, request | {"timeout": None}, (0, 1, 2), forward=True)
    if status < 0:  # killed by a signal: die of it too
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


def _serve(address: str, modules: list[str]) -> dict:
    """Accept requests until stdin closes; return only in a fork that is to
    run a request, with the request."""
    import gc
    import importlib

    for module in modules:
        importlib.import_module(module)
    gc.freeze()  # forks share the imported objects' pages: their collector skips them
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(64)
    # Supervisors are reaped when they end (so that their CPU time, and their
    # forks', is counted as this process's children's, as a test run's is).
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake)
    os.write(1, b"ready\n")
    while True:
        readable, _, _ = select.select([listener, 0, woken], [], [])
        if woken in readable:
            while os.read(woken, 512) == 512:
                pass
            _reap(block=False)
        if 0 in readable and not os.read(0, 1):
            _reap(block=True)
            os._exit(0)
        if listener in readable:
            connection, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(woken)
                os.close(wake)
                return _supervise(connection)
            connection.close()


def _reap(block: bool) -> None:
    """Wait for the ended supervisors (block: for all of them)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass


def _supervise(connection: socket.socket) -> dict:
    """In a fork of the server: fork the request's process and report its
    status; return only in that process, with the request."""
    _, stdio, _, _ = socket.recv_fds(connection, 1, 3)
    messages = connection.makefile("rb")
    request = json.loads(messages.readline())
    pid = os.fork()
    if pid == 0:
        os.setsid()
        for target, fd in enumerate(stdio):
            os.dup2(fd, target)
        for fd in stdio:
            os.close(fd)
        messages.close()
        connection.close()
        return request
    for fd in stdio:
        os.close(fd)

    def forward() -> None:  # the requester's signals; its end closing: kill
        for line in messages:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, int(line))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    threading.Thread(target=forward, daemon=True).start()
    _, status = os.waitpid(pid, 0)
    connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    os._exit(0)


def _become(request: dict) -> None:
    """In the request's fork: run its command line as `python` would."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if request["timeout"]:
        signal.alarm(request["timeout"])  # SIGALRM ends a program that hangs
    argv = request["argv"]
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]  # runpy sets argv[0] to the file
        sys.path[0] = os.getcwd()
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        sys.path[0] = os.path.dirname(os.path.realpath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")


def _main(argv: list[str]) -> int:
    if argv[0] == "stand-in":
        return _stand_in(argv[1], argv[2:])
    request = _serve(argv[1], argv[2:])
    # A request's fork from here on: it runs the command line and exits as
    # ForkServer says.
    code = 0
    try:
        _become(request)
    except SystemExit as exit:
        code = _exit_status(exit.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """The status `sys.exit(code)` gives (a message is printed to stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import chapter as chapter_model  # noqa: E402
import page_html  # noqa: E402

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


FIGURE_IMG_RE = re.compile(r'<figure class="mpl-figure"><img src="(?P<src>[^"]+)"')


def shows_figure(site_dir: Path, src_uri: str, printed: str) -> bool:
    """Whether the built page shows the figure a program printed, as the
    build moves it out of the page (tools/page_html.py): the figure's markup
    with an <img> in place of its SVG, and that SVG, lightened, byte for byte
    in the file the <img> loads."""
    files: list[str] = []

    def place(text: str) -> str:
        files.append(text)
        return "SRC"

    expected = page_html.figure_files(page_html.slim_svg(printed), place)
    html = built_page(site_dir, src_uri)
    folder = site_dir / page_url(src_uri)
    shown = {
        (folder / m["src"]).resolve().read_text(encoding="utf-8")
        for m in FIGURE_IMG_RE.finditer(html)
    }
    html = FIGURE_IMG_RE.sub('<figure class="mpl-figure"><img src="SRC"', html)
    return len(files) == 1 and files[0] in shown and expected.strip() in html


def printed_in_build(site_dir: Path, snippet: str) -> str:
    """What the block that runs snippets/<snippet> printed in the shared build
    (its notebook holds the build's outputs; test_snippets.py checks that the
    program prints the same on its own)."""
    path = f"snippets/{snippet}"
    texts = []
    for notebook_path in sorted((site_dir / "notebooks").glob("*.ipynb")):
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell.get("metadata", {}).get("snippet") == path:
                texts.append(
                    "".join(
                        "".join(o.get("text", ""))
                        for o in cell["outputs"]
                        if o["output_type"] == "stream"
                    )
                )
    if not texts:
        raise KeyError(f"no block of the build runs {path}")
    return texts[0]


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
    `cache` names its folder (DOCS_CACHE_DIR)."""
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "DOCS_CACHE": str(int(cache is not None)),
        "DOCS_CACHE_DIR": str(cache or ""),
        "SOURCE_DATE_EPOCH": source_date_epoch(),
    }
    command = ["-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config_file), "--site-dir", str(site_dir)]
    return run_build(command, cwd, env)


# The libraries a build imports, but not torch (a test checks that a build
# which runs no torch block never imports it): builds forked from a server that
# imported them (ForkServer) do not each pay for the imports.
BUILD_LIBRARIES = (
    "mkdocs.__main__",
    "mkdocs.commands.build",
    "material.plugins.search.plugin",
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


# --- notebooks and programs, forked from a parent that imported the libraries -----


def kernel_server() -> ForkServer:
    """A fork server for notebook kernels: ipykernel and the libraries imported
    (not matplotlib.pyplot: a notebook that uses it imports it)."""
    # ipykernel reads JPY_PARENT_PID when it is imported (a class default):
    # the value jupyter_client's launcher gives a kernel it starts from here.
    env = KERNEL_ENV | {"JPY_PARENT_PID": str(os.getpid())}
    return ForkServer(("ipykernel.kernelapp", *LIBRARIES), env=env)


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


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


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

    def close(self) -> None:
        self.server.close()
