"""Shared fixtures: the site, built once per test run."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import textwrap
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from filelock import FileLock
from markdown_includes import ROOT, mkdocs_config

# The date a build stamps into sitemap.xml: the last commit's, as in the Makefile.
SOURCE_DATE_EPOCH = (
    os.environ.get("SOURCE_DATE_EPOCH")
    or subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    or "0"
)


def build_site(config_file: Path, site_dir: Path, cwd: Path = ROOT, cache=False):
    """Run the build that `make site` runs; return the finished process.

    The tests build with the cache of executed blocks off (DOCS_CACHE=0), so
    every block runs, unless a test is about the cache.
    """
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "DOCS_CACHE": str(int(cache)),
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,  # the sitemap's dates
    }
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config_file), "--site-dir", str(site_dir)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def small_project(root: Path, pages: dict[str, str], files: dict[str, str]) -> Path:
    """A project in `root` with the real configuration but only `pages`."""
    config = mkdocs_config()
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


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test run (shared by pytest-xdist's workers)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' common parent
        shared = shared.parent
    site = shared / "site"
    with FileLock(str(shared / "site.lock")):
        if not (site / "index.html").exists():
            process = build_site(ROOT / "mkdocs.yml", site)
            if process.returncode != 0:
                pytest.fail(f"mkdocs build --strict failed:\n{process.stderr}")
    return site


# --- a real browser against the built site ------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
    prefix = urllib.parse.urlsplit(mkdocs_config()["site_url"]).path.strip("/")
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


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright. Never skipped: a missing browser
    is a failure (`make test` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageWatch:
    """What a page did: console errors, and requests to hosts other than ours."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []


@pytest.fixture
def page(browser, site_url: str):
    """A fresh page that blocks (and records) every non-loopback request."""
    context = browser.new_context()
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
    yield page
    context.close()
