"""A pre-fork server: Python command lines run as forks of a process that
imported libraries once.

`ForkServer(modules)` starts a process that imports `modules` (numpy, torch,
matplotlib: seconds of CPU) and nothing else, then runs each request, a
Python command line such as `["path.py", *args]` or `["-m", "module", *args]`,
in a fork of itself: the request starts in milliseconds with those modules
imported, and no state passes from one request to the next. The build runs
each code block this way (tools/execution.py: `python -m tools.runner`), and
the tests run the snippets as programs, and the notebooks' kernels, this way
(tests/snippet.py).

POSIX only (fork, Unix sockets, passing file descriptors); tools/execution.py
runs blocks in its own process where there is no fork (Windows).

Run as a program, this file is the server or a stand-in for one of its forks
(see `ForkServer`): it imports nothing but the standard library.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SCRIPT = str(Path(__file__).resolve())


@dataclass
class Completed:
    """A request's exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


# The signals a stand-in passes on to its fork (a kernel manager interrupts
# with SIGINT and stops with SIGTERM; SIGKILL cannot be caught: the stand-in
# dies, and its fork is killed when the stand-in's connection closes).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class ForkServer:
    """A server process that imports `modules` and nothing else, then runs each
    request, a Python command line, in a fork of itself: `["path", *args]`
    runs like `python path args`, `["-m", "module", *args]` like
    `python -m module args`, `["-c", "code", *args]` like `python -c code
    args`, in the requester's directory, environment,
    stdin, stdout and stderr, in a new session (process group), with a fresh
    `__main__`. What the fork has that a new `python` has not: the modules
    already imported (and whatever their import did), and the server's
    `sys.modules` and `sys.path` apart from `sys.path[0]`, which is set as
    Python sets it (the program's directory; for `-m`, the working directory).
    It exits as `python` exits (the uncaught exception printed, non-daemon
    threads joined, atexit functions run, output flushed) but without the
    interpreter's teardown of every module (half a CPU second with torch
    imported; the objects still alive at exit are not finalized, which Python
    does not promise either), and without the exit-time finalizers of what
    the server imported. The imported objects are frozen out of the
    garbage collector's reach (`gc.freeze`), so that forks neither scan them
    nor copy the memory pages that hold them.

    A program outside this process (a kernel manager's kernel) asks for a
    fork through `stand_in(argv)`: a small process that passes its stdin,
    stdout, stderr, directory and environment to the fork, passes on the
    signals it gets, and exits as the fork exits (with its status, or killed
    by its signal); if the stand-in dies, the fork is killed.

    The server forks each request's process, waits for it and reports its
    exit status (one fork a request). It runs no code of a request, and starts
    no thread, event loop or zmq context of its own.
    """

    def __init__(self, modules: tuple[str, ...], env: dict[str, str] | None = None):
        self.modules, self.env = modules, {**os.environ, **(env or {})}
        self._dir = tempfile.TemporaryDirectory(prefix="fork-server-")
        self.address = os.path.join(self._dir.name, "socket")
        self.process: subprocess.Popen | None = None  # started when first used
        self._ready = False
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start the server's process (its imports take seconds): returns at
        once. `wait_ready` (and every request) waits until it listens."""
        with self._starting:  # threads of one test process may ask at once
            if self.process is None:
                self.process = subprocess.Popen(
                    [sys.executable, SCRIPT, "serve", self.address, *self.modules],
                    stdin=subprocess.PIPE,  # the server stops when this closes
                    stdout=subprocess.PIPE,  # it prints "ready" when it listens
                    env=self.env,
                )
                self._ready = False

    def wait_ready(self) -> None:
        self.start()
        with self._starting:
            if not self._ready:
                line = self.process.stdout.readline()
                if line != b"ready\n":
                    raise RuntimeError(f"the fork server did not start: {line!r}")
                self._ready = True

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
        return [sys.executable, SCRIPT, "stand-in", self.address, *argv]

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
    """Accept requests until stdin closes (then wait for the running ones);
    return only in a fork that is to run a request, with the request.

    The server forks each request's process itself and waits for it: when it
    ends (SIGCHLD), its exit status goes back on its connection. What the
    requester sends on the connection after the request is a signal for the
    process's group; the connection closing first (the requester died) kills
    the group."""
    import gc
    import importlib

    for module in modules:
        importlib.import_module(module)
    gc.freeze()  # forks share the imported objects' pages: their collector skips them
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(64)
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake)
    running: dict[int, socket.socket | None] = {}  # pid -> requester's connection
    by_connection: dict[socket.socket, int] = {}
    pending: dict[socket.socket, bytes] = {}  # part of a line a requester sent
    accepting = True
    os.write(1, b"ready\n")
    while accepting or running:
        watched = [woken, *by_connection] + ([listener, 0] if accepting else [])
        readable, _, _ = select.select(watched, [], [])
        if woken in readable:
            while os.read(woken, 512) == 512:
                pass
            _report(running, by_connection)
        if accepting and 0 in readable and not os.read(0, 1):
            accepting = False  # finish what runs, accept nothing more
        for connection in [c for c in readable if c in by_connection]:
            pid = by_connection[connection]
            if not _forward(connection, pid, pending):
                del by_connection[connection]  # closed: its process is killed
                running[pid] = None
        if accepting and listener in readable:
            connection, _ = listener.accept()
            _, stdio, _, _ = socket.recv_fds(connection, 1, 3)
            with connection.makefile("rb") as lines:
                request = json.loads(lines.readline())
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other in by_connection:
                    other.close()
                connection.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(woken)
                os.close(wake)
                os.setsid()
                for target, fd in enumerate(stdio):
                    os.dup2(fd, target)
                for fd in stdio:
                    os.close(fd)
                return request
            for fd in stdio:
                os.close(fd)
            running[pid] = connection
            by_connection[connection] = pid
    os._exit(0)


def _report(running: dict, by_connection: dict) -> None:
    """Send each ended process's exit status to its requester (and reap it,
    so that its CPU time counts as this process's children's)."""
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid not in running:
            continue
        connection = running.pop(pid)
        if connection is None:  # its requester is gone
            continue
        by_connection.pop(connection, None)
        with contextlib.suppress(OSError):
            connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
        connection.close()


def _forward(connection: socket.socket, pid: int, pending: dict) -> bool:
    """A requester's message: signal numbers, one a line, for the process's
    group. The connection closed (the requester died): the group is killed,
    and False is returned."""
    try:
        data = connection.recv(4096)
    except OSError:
        data = b""
    if not data:
        pending.pop(connection, None)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        return False
    *lines, pending[connection] = (pending.get(connection, b"") + data).split(b"\n")
    for line in lines:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, int(line))
    return True


def _become(request: dict) -> None:
    """In the request's fork: run its command line as `python` would."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if request["timeout"]:
        signal.alarm(request["timeout"])  # SIGALRM ends a program that hangs
    argv = request["argv"]
    if argv[0] == "-c":  # python -c CODE ARGS: sys.argv is ["-c", ARGS...]
        sys.argv = ["-c", *argv[2:]]
        sys.path[0] = ""
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        exec(compile(argv[1], "<string>", "exec"), namespace)  # noqa: S102
    elif argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]  # runpy sets argv[0] to the file
        sys.path[0] = os.getcwd()
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        sys.path[0] = os.path.dirname(os.path.realpath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")


def _forget_inherited_finalizers() -> None:
    """In a fork: the weakref finalizers that the server's imports registered
    for the interpreter's exit (torch unregisters thousands of operators that
    way) are not run when the fork exits; those it registers itself are. Each
    would touch memory the fork shares with the server, which then has to be
    copied: tens of milliseconds to a second a fork. The one use of the
    standard library's `weakref.finalize._registry` (tests/test_execution.py
    checks that it is still there)."""
    import weakref

    for finalizer in list(weakref.finalize._registry):  # type: ignore[attr-defined]
        finalizer.atexit = False


def _main(argv: list[str]) -> int:
    if argv[0] == "stand-in":
        return _stand_in(argv[1], argv[2:])
    request = _serve(argv[1], argv[2:])
    # A request's fork from here on: it runs the command line and exits as
    # ForkServer says.
    _forget_inherited_finalizers()
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
    # The server imports libraries by name: this file's folder (the package's)
    # is no place to find them.
    if sys.path and Path(sys.path[0]).resolve() == Path(SCRIPT).parent:
        sys.path.pop(0)
    sys.exit(_main(sys.argv[1:]))
