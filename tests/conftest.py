"""Shared fixtures: the site, built once per test run."""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import shutil
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from filelock import FileLock

import chromium
from snippet import (
    CONFIG,
    ROOT,
    Programs,
    build_results,
    build_site,
    fresh_kernel,
    kernel_server,
    prepare_kernel_clients,
    ran,
)
from tools import execution


def _shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by pytest-xdist's workers (the parent of their tmp dirs)."""
    shared = tmp_path_factory.getbasetemp()
    return shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared


def _build_shared_site(shared: Path) -> None:
    """The one shared build, by whichever process or thread comes first: a
    strict clean build whose cache starts empty (every block runs, and is
    stored for the reproducibility test's cached build). With DOCS_TEST_SITE
    set (`make check-chapter`), the site built there instead, with its cache
    folder's results."""
    with FileLock(str(shared / "site.lock"), thread_local=False):
        if (shared / "build.status").exists():
            return
        given = os.environ.get("DOCS_TEST_SITE")
        if given:
            cache = ROOT / os.environ.get("DOCS_CACHE_DIR", ".cache/build")
            (shared / "site").symlink_to((ROOT / given).resolve())
            (shared / "build-cache").symlink_to(cache.resolve())
            shutil.copyfile(cache / execution.RESULTS, shared / execution.RESULTS)
            (shared / "build.log").write_text("", encoding="utf-8")
            (shared / "build.status").write_text("0", "utf-8")
            return
        cache = shared / "build-cache"
        shutil.rmtree(cache, ignore_errors=True)  # a clean build: empty
        process = build_site(ROOT / "mkdocs.yml", shared / "site", cache=cache)
        (shared / "build.log").write_text(process.stderr, encoding="utf-8")
        # The clean build's results, kept: later builds from its cache (the
        # reproducibility test's) write their own results.json there.
        made = cache / execution.RESULTS
        if made.is_file():
            shutil.copyfile(made, shared / execution.RESULTS)
        (shared / "build.status").write_text(str(process.returncode), "utf-8")


def _uses(item: pytest.Item, fixture: str) -> bool:
    return fixture in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that need no site run first, while the site builds in the
    background (`_site_in_the_background`), then those that read the site,
    then those that read the notebooks' fresh-kernel runs, which start in the
    background once the site is built."""
    items.sort(key=lambda item: (_uses(item, "site_dir"), _uses(item, "fresh_runs")))


@pytest.fixture(scope="session", autouse=True)
def _site_in_the_background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
):
    """Starts the shared build in a thread when the run starts, if any of its
    tests reads the site, and then the notebooks' fresh kernels, if any test
    reads them; the other tests run meanwhile."""
    items = request.session.items
    if not any(_uses(item, "site_dir") for item in items):
        yield
        return
    shared = _shared(tmp_path_factory)
    kernels = any(_uses(item, "fresh_runs") for item in items)

    def background() -> None:
        _build_shared_site(shared)
        if kernels and (shared / "build.status").read_text("utf-8") == "0":
            server = kernel_server()
            try:
                _run_fresh_kernels(shared, server)
            finally:
                server.close()

    if kernels:
        prepare_kernel_clients()  # here, not in the thread: see its docstring
    thread = threading.Thread(target=background)
    thread.start()
    yield
    thread.join()


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site: one strict clean build for the whole test run (shared by
    pytest-xdist's workers; started in the background as the run starts). Its
    cache starts empty (`build_cache`): every block runs, and is stored for
    the reproducibility test's cached build."""
    shared = _shared(tmp_path_factory)
    _build_shared_site(shared)  # waits for the build if another has started it
    if (shared / "build.status").read_text("utf-8") != "0":
        log = (shared / "build.log").read_text(encoding="utf-8")
        pytest.fail(f"mkdocs build --strict failed:\n{log}")
    return shared / "site"


@pytest.fixture(scope="session")
def build_log(site_dir: Path) -> str:
    """What the shared build printed."""
    return (site_dir.parent / "build.log").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def build_cache(site_dir: Path) -> Path:
    """The cache the shared build filled (DOCS_CACHE_DIR): every block it ran."""
    return site_dir.parent / "build-cache"


@pytest.fixture(scope="session")
def results(site_dir: Path) -> dict:
    """The shared build's results.json: every block's output, error and time,
    and the statistics of the build."""
    return build_results(site_dir)


@pytest.fixture(scope="session")
def programs():
    """Snippets run as programs, forked from a parent that imported the libraries
    (snippet.Programs)."""
    runner = Programs()
    yield runner
    runner.close()


# --- the notebooks, run once per test run in fresh kernels -------------------------


@pytest.fixture(scope="session")
def kernels():
    """The fork server that notebook kernels are forked from (fresh_kernel)."""
    server = kernel_server()
    yield server
    server.close()


def _run_fresh_kernels(shared: Path, server) -> None:
    """Every published notebook of the shared build in a fresh kernel, once per
    test run, by whichever process or thread comes first; the results go to
    a file the workers share."""
    results = shared / "fresh-kernel-runs.json"
    with FileLock(str(shared / "fresh-kernel-runs.lock"), thread_local=False):
        if results.exists():
            return
        paths = sorted((shared / "site" / "notebooks").glob("*.ipynb"))
        # `make check-chapter`: only that chapter's notebook.
        only = os.environ.get("DOCS_TEST_NOTEBOOKS")
        if only:
            paths = [p for p in paths if p.stem in only.split(",")]

        # As many kernels at a time as cores (2 to 4): more at once only cost
        # more CPU time (torch's threads compete; on 2 cores, the notebooks
        # took 35 CPU s two at a time, 40 s six at a time).
        limit = asyncio.Semaphore(max(2, min(4, os.cpu_count() or 2)))

        async def one(path: Path):
            async with limit:
                return await fresh_kernel(path, server)

        async def run_all():
            return dict(await asyncio.gather(*(one(p) for p in paths)))

        # In a thread of its own: Playwright may hold this thread's event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            runs = pool.submit(asyncio.run, run_all()).result()
        results.write_text(json.dumps(runs), encoding="utf-8")


@pytest.fixture(scope="session")
def fresh_runs(site_dir: Path, kernels) -> dict[str, dict]:
    """Every published notebook, executed in its own fresh kernel in an empty
    directory, as a reader runs the download (fresh as `fresh_kernel` says: a
    new process and namespace, the libraries already imported). Each runs once
    per test run (shared by pytest-xdist's workers through a file; started in
    the background once the site is built)."""
    _run_fresh_kernels(site_dir.parent, kernels)  # waits if already started
    results = site_dir.parent / "fresh-kernel-runs.json"
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def regimes():
    """snippets/learning_rate/regimes.py's functions."""
    return ran("learning_rate/regimes.py")[0]


# --- a real browser against the built site ------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files like GitHub Pages: a missing page gets the site's 404.html."""

    not_found: Path

    def send_error(self, code: int, message=None, explain=None) -> None:
        if code != 404 or not self.not_found.exists():
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built site, served on 127.0.0.1 under the path of mkdocs.yml's
    site_url (as GitHub Pages serves a project site), for the whole run."""
    prefix = urllib.parse.urlsplit(CONFIG["site_url"]).path.strip("/")
    root = tmp_path_factory.mktemp("served")
    (root / prefix).parent.mkdir(parents=True, exist_ok=True)
    (root / prefix).symlink_to(site_dir, target_is_directory=True)
    handler = type("Handler", (_Handler,), {"not_found": site_dir / "404.html"})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{prefix}/"
    server.shutdown()
    server.server_close()


# pytest-playwright provides the browser (`browser`, per session) and a fresh
# context for each test (`context`); these fixtures say which Chromium it
# launches and how, and what a test's page watches.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, playwright) -> dict:
    """Chromium: CHROMIUM's program when set, else Playwright's own Chromium,
    else Debian's (tests/chromium.py). Never skipped: no browser is a failure
    that says what to run."""
    try:
        program = chromium.choose(
            os.environ.get("CHROMIUM"), chromium.playwright_chromium(playwright)
        )
    except chromium.NoBrowser as error:
        pytest.fail(str(error), pytrace=False)
    return {
        **browser_type_launch_args,
        "executable_path": program,
        "args": CHROMIUM_ARGS,
    }


class PageWatch:
    """What a page did: console errors, and requests to hosts other than ours."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []


def _watched_page(context):
    """A page of context that blocks (and records) every non-loopback request
    and records console errors, in page.watch."""
    page = context.new_page()
    watch = PageWatch()

    def route(route) -> None:
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            watch.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and watch.errors.append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.watch = watch
    return page


@pytest.fixture
def page(context, site_url: str):
    """pytest-playwright's page, in a context of its own, that blocks (and
    records) every non-loopback request and records console errors."""
    return _watched_page(context)


@pytest.fixture(scope="module")
def module_page(browser, site_url: str):
    """Like `page`, one for a module's tests (per pytest-xdist worker): for
    tests that set every input they read, on a page they do not leave."""
    context = browser.new_context()
    yield _watched_page(context)
    context.close()
