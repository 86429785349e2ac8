"""Step 2 of the build, execute: every block runs once, before any page renders.

`execute` takes every executed Python block of every chapter (step 1, the
chapter model) and gives each its result: from the cache when nothing it
depends on changed, else by running it. Blocks that must run are run on
every core: each in a fork of one fork server (tools/forkserver.py) that
imported the libraries they use, so none pays for the imports again and none
sees what another left (a block is a program of its own; its output cannot
depend on which blocks ran before it, or where). Each runs as a reader runs
its program after copying it: from an empty folder of its own, unless it
declares (runs=) files of the repository it runs, when it runs from the
project's root. Where Python has no fork (Windows), they run one after
another in the build's own process, as markdown-exec runs them.

The results are data (`Results`): each block's output, error and time, and
the run's statistics, written to `results.json` in the cache folder for the
tests to read. Step 3 (tools/rendering.py, tools/notebooks.py) only looks
them up, by the same key (`block_key`) the cache uses.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import runner
from .cache import Cache
from .chapter import OURS, RUNS, SHOW, Block, Chapter
from .forkserver import ForkServer

RESULTS = "results.json"  # in the cache folder: this build's results, as data
RUNNER = "tools.runner"  # what a fork runs: its main(JOB, RESULT)
# The result written, the fork ends at once (os._exit): the interpreter's
# exit handlers (torch's, matplotlib's) would take tens of milliseconds.
RUN = f"import os, sys; from {RUNNER} import main; os._exit(main(sys.argv[1:]))"


def block_key(cache: Cache, code: str, options: dict[str, Any], project: Path) -> str:
    """The key of a block's result: its code, its fence options (markdown-exec's
    options, as its validator reads them, with our `runs=` and `show=` among
    the "extra" ones) and the bytes of every file it declares with runs=. The
    chapter model (step 2) and the block formatter (step 3) both call this."""
    extra = dict(options.get("extra") or {})
    runs = shlex.split(extra.get(RUNS, ""))
    plain = {**options, "extra": {k: v for k, v in extra.items() if k not in OURS}}
    parts: list[str | bytes] = [
        code.strip("\n"),
        json.dumps(plain, sort_keys=True, default=str),
        extra.get(SHOW, ""),
    ]
    for path in runs:
        parts += [path, (project / path).read_bytes()]
    return cache.key("block", *parts)


def model_options(block: Block) -> dict[str, Any]:
    """A block's options as its formatter receives them: markdown-exec's, with
    our own options among the extra ones, as written on the fence."""
    extra = dict(block.options.get("extra") or {})
    if block.runs:
        extra[RUNS] = " ".join(block.runs)
    if block.section:
        extra[SHOW] = block.section
    return {**block.options, "extra": extra}


@dataclass
class Record:
    """One block's result in this build."""

    page: str  # numpy_by_hand.md
    id: str
    key: str
    output: str
    error: str = ""
    trace: str = ""
    seconds: float = 0.0  # how long its code ran (0 when it came from the cache)
    ran: bool = False  # run in this build (False: from the cache)
    from_root: bool = False  # run from the project's root (runs=), not an empty folder
    shown_code: str = ""  # what the page shows as its code


@dataclass
class Results:
    """Every block's result, and how the run went."""

    records: list[Record] = field(default_factory=list)
    workers: int = 0  # processes that ran blocks at once (0: none ran)
    wall_seconds: float = 0.0  # from the first block started to the last ended
    startup_seconds: float = 0.0  # the fork servers' imports, before any block

    def by_key(self) -> dict[str, Record]:
        return {r.key: r for r in self.records}

    def outputs(self, chapter: Chapter) -> dict[str, str]:
        """What each of the chapter's blocks printed."""
        return {r.id: r.output for r in self.records if r.page == chapter.src_uri}

    @property
    def errors(self) -> list[Record]:
        return [r for r in self.records if r.error]

    @property
    def executed(self) -> int:
        return sum(r.ran for r in self.records)

    @property
    def cached(self) -> int:
        return sum(not r.ran for r in self.records)

    @property
    def serial_seconds(self) -> float:
        """How long the blocks' code ran, added up: one core's time."""
        return sum(r.seconds for r in self.records)

    def summary(self) -> str:
        text = f"{self.executed} run, {self.cached} from the cache"
        if self.executed:
            text += (
                f"; their code ran for {self.serial_seconds:.1f} s on "
                f"{self.workers} worker{'s' * (self.workers != 1)} in "
                f"{self.wall_seconds:.1f} s, after {self.startup_seconds:.1f} s "
                "of imports"
            )
        return text

    def as_data(self) -> dict[str, Any]:
        return {
            "blocks": [asdict(r) for r in self.records],
            "executed": self.executed,
            "cached": self.cached,
            "workers": self.workers,
            "serial_seconds": self.serial_seconds,
            "wall_seconds": self.wall_seconds,
            "startup_seconds": self.startup_seconds,
        }

    def write(self, folder: Path, **more: Any) -> Path:
        """results.json in `folder`: every block and the statistics (and `more`)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / RESULTS
        data = {**self.as_data(), **more}
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        return path


def libraries(codes: Iterable[str], preload: list[str]) -> tuple[str, ...]:
    """The modules of `preload` whose package some of the code imports (the
    blocks to run, and the files they declare they run): the fork server
    imports them once (a build of blocks that import nothing heavy starts no
    heavy server)."""
    roots: set[str] = set()
    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # it will fail where it runs, with its message
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
    return tuple(m for m in preload if m.split(".")[0] in roots)


def execute(
    chapters: list[Chapter],
    cache: Cache,
    project: Path,
    *,
    workers: int,
    preload: list[str],
    timeout: int,
    forked: bool | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Results:
    """Every block's result: from the cache, or run (and stored in the cache).
    `meanwhile`: work of the build's own to do while the fork server imports
    the libraries (one core's work, when the others wait), if blocks run."""
    results = Results()
    todo: list[tuple[Record, runner.Job]] = []
    needs: list[tuple[str, ...]] = []  # what each job imports, of `preload`
    for chapter in chapters:
        for block in chapter.blocks:
            key = block_key(cache, block.code, model_options(block), project)
            record = Record(chapter.src_uri, block.id, key, "")
            record.shown_code = block.shown_code
            # Where it ran, or ran when its cached output was made (the cache
            # is salted with these tools: tools/cache.py).
            record.from_root = bool(block.runs)
            results.records.append(record)
            hit = cache.get(key)
            if hit is not None:
                record.output = hit["output"]
                continue
            record.ran = True
            job = runner.Job(
                chapter.path, block.line, block.id, block.snippet, block.code
            )
            todo.append((record, job))
            codes = [block.code]  # what runs: its code, the files it declares
            codes += [(project / p).read_text(encoding="utf-8") for p in block.runs]
            needs.append(libraries(codes, preload))
    if not todo:
        return results
    if forked is None:
        forked = hasattr(os, "fork")
    count = workers if workers > 0 else available_cores()
    count = max(1, min(count, len(todo))) if forked else 1
    jobs = [job for _, job in todo]
    from_root = [record.from_root for record, _ in todo]
    if forked:
        outcomes = _run_forked(
            jobs, needs, from_root, project, count, timeout, results, meanwhile
        )
    else:
        start = time.perf_counter()
        outcomes = _run_here(jobs, from_root, project)
        results.wall_seconds = time.perf_counter() - start
    results.workers = count
    for (record, _), outcome in zip(todo, outcomes, strict=True):
        record.output, record.error = outcome.output, outcome.error
        record.trace, record.seconds = outcome.trace, outcome.seconds
        if not outcome.error:
            cache.put(record.key, {"output": outcome.output})
    return results


def available_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _run_here(
    jobs: list[runner.Job], from_root: list[bool], project: Path
) -> list[runner.Outcome]:
    """One after another in this process, each from its folder (`folder`)."""
    here = os.getcwd()
    outcomes = []
    try:
        with tempfile.TemporaryDirectory(prefix="blocks-") as temporary:
            for number, job in enumerate(jobs):
                empty = Path(temporary, f"{number}.folder")
                os.chdir(folder(from_root[number], project, empty))
                outcomes.append(runner.outcome(job))
    finally:
        os.chdir(here)
    return outcomes


def folder(from_root: bool, project: Path, empty: Path) -> Path:
    """Where a job runs: the project's root if it declares files it runs
    (`from_root`), else `empty`, made now, as a reader runs a program copied
    from the page into a folder of its own."""
    if from_root:
        return project
    empty.mkdir()
    return empty


def servers(needs: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], list[int]]]:
    """The fork servers to start (the modules each imports) and the jobs each
    runs (their numbers), from what each job imports (`needs`). The packages
    that most jobs need (torch, here) take the longest to import: the jobs
    that need none of them get a server of their own, which imports only what
    they need and is ready while the other still imports."""

    def roots(need: tuple[str, ...]) -> set[str]:
        return {module.split(".")[0] for module in need}

    main = roots(Counter(needs).most_common(1)[0][0]) if needs else set()
    light = [n for n, need in enumerate(needs) if main and not roots(need) & main]
    heavy = [n for n in range(len(needs)) if n not in set(light)]
    groups = [group for group in (light, heavy) if group]
    return [
        (tuple(dict.fromkeys(m for n in group for m in needs[n])), group)
        for group in groups
    ]


def _run_forked(
    jobs: list[runner.Job],
    needs: list[tuple[str, ...]],
    from_root: list[bool],
    project: Path,
    workers: int,
    timeout: int,
    results: Results,
    meanwhile: Callable[[], object] | None,
) -> list[runner.Outcome]:
    """Each job in a fork of a server that imported what it needs (`servers`),
    from its folder (`folder`), `workers` at a time (the times of the servers'
    start and of the jobs go to `results`); `meanwhile` runs here while the
    servers import."""
    env = {**os.environ, "MPLBACKEND": "Agg"}  # matplotlib: no window
    plan = servers(needs)
    started: list[ForkServer] = []
    server_of: dict[int, ForkServer] = {}
    for modules, group in plan:
        server = ForkServer((*modules, RUNNER), env=env)
        started.append(server)
        server_of.update(dict.fromkeys(group, server))
    order = [n for _, group in plan for n in group]  # the light server's first
    times: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="blocks-") as temporary:

        def one(number: int) -> runner.Outcome:
            job = jobs[number]
            job_file = Path(temporary, f"{number}.job.json")
            result_file = Path(temporary, f"{number}.result.json")
            empty = Path(temporary, f"{number}.folder")
            cwd = folder(from_root[number], project, empty)
            job_file.write_text(json.dumps(asdict(job)), encoding="utf-8")
            argv = ["-c", RUN, str(job_file), str(result_file)]
            server = server_of[number]
            server.wait_ready()
            start = time.perf_counter()
            done = server.capture(argv, cwd, timeout, env)
            times[number] = (start, time.perf_counter())
            if done.stderr:
                sys.stderr.write(done.stderr)
            if done.returncode == 0 and result_file.is_file():
                data = json.loads(result_file.read_text(encoding="utf-8"))
                return runner.Outcome(**data)
            status = (
                f"was stopped after {timeout} s"
                if done.returncode == -14  # SIGALRM: the timeout
                else f"ended with exit status {done.returncode}"
            )
            return runner.Outcome(
                "",
                f"{job.path}:{job.line}: code block '{job.id}' {status} "
                f"({job.snippet or job.path})",
                done.stderr[-4000:],
            )

        try:
            begin = time.perf_counter()
            for server in started:
                server.start()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(one, number) for number in order]
                if meanwhile is not None:
                    meanwhile()
                outcomes = {n: f.result() for n, f in zip(order, futures, strict=True)}
            first = min(start for start, _ in times.values())
            results.startup_seconds = first - begin
            results.wall_seconds = max(end for _, end in times.values()) - first
            return [outcomes[n] for n in range(len(jobs))]
        finally:
            for server in started:
                server.close()
