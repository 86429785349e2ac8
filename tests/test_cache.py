"""The build's cache: prose edits execute nothing, snippet edits execute only
their blocks and the blocks that declare them (runs=), an unchanged page is not
rendered again, DOCS_CACHE=0 switches it off, DOCS_CACHE_DIR moves it, stale
entries are pruned, and a cached build equals a clean one. And the other
packages' internals the cache relies on, pinned."""

from __future__ import annotations

import filecmp
import html
import json
import os
import re
import sys
import textwrap
from pathlib import Path

from snippet import Completed, read_config, run_build, small_project, write_config
from tools import cache as build_cache
from tools import execution

# mkdocs build, then report whether the build process imported torch (forked
# from a server that imported the build's libraries, but not torch: run_build).
# Blocks run in processes of their own: the build's own never imports torch.
BUILD = """
import sys
from mkdocs.__main__ import cli
try:
    cli.main(args=sys.argv[1:], standalone_mode=False)
finally:
    print("torch imported:", "torch" in sys.modules, file=sys.stderr)
"""
PAGE = """\
# Cached

{prose}

```python exec="on" source="above" result="text" id="uses-numpy"
--8<-- "snippets/uses_numpy.py"
```

```python exec="on" source="above" result="text" id="plain"
--8<-- "snippets/plain.py"
```
"""
SNIPPETS = {
    "snippets/uses_numpy.py": "import numpy as np\n\nprint(np.ones(3).sum())\n",
    "snippets/plain.py": "print(6 * 7)\n",
}


def outputs(html: str) -> set[str]:
    """The text of the page's code blocks."""
    blocks = re.findall(r"<code[^>]*>(.*?)</code>", html, flags=re.S)
    return {re.sub(r"<[^>]+>", "", block).strip() for block in blocks}


def build(
    root: Path, cache: str = "1", site: str = "site", folder: str = ""
) -> tuple[int, int, int, str]:
    """Build; return (blocks run, blocks from the cache, processes that ran
    blocks at once (0: none started), html). `folder`: DOCS_CACHE_DIR ("":
    unset, the default folder). The pages rendered and taken from the cache
    are in `build.pages`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCS_CACHE": cache}
    env.pop("DOCS_CACHE_DIR", None)
    if folder:
        env["DOCS_CACHE_DIR"] = folder
    script = root / ".build.py"
    script.write_text(BUILD, encoding="utf-8")
    process = run_build([str(script), "build", "--strict", "-d", site], root, env)
    assert process.returncode == 0, process.stderr
    assert "torch imported: False" in process.stderr, process.stderr
    results_file = root / (folder or ".cache/build") / execution.RESULTS
    results = json.loads(results_file.read_text(encoding="utf-8"))
    counts = re.search(
        r"Executed code blocks: (\d+) run, (\d+) from the cache", process.stderr
    )
    assert counts, process.stderr
    assert (int(counts[1]), int(counts[2])) == (
        results["executed"],
        results["cached"],
    )
    pages = re.search(r"Pages rendered: (\d+), (\d+) from the cache", process.stderr)
    assert pages, process.stderr
    assert (int(pages[1]), int(pages[2])) == (
        results["pages_rendered"],
        results["pages_cached"],
    )
    build.pages = (int(pages[1]), int(pages[2]))  # type: ignore[attr-defined]
    html = (root / site / "cached" / "index.html").read_text(encoding="utf-8")
    return results["executed"], results["cached"], results["workers"], html


def same_files(one: Path, two: Path) -> list[str]:
    """The files that differ between two sites (or exist in only one)."""
    names = {p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()}
    other = {p.relative_to(two).as_posix() for p in two.rglob("*") if p.is_file()}
    _, mismatch, errors = filecmp.cmpfiles(one, two, sorted(names), shallow=False)
    return sorted(set(mismatch) | set(errors) | (names ^ other))


def block_entries(root: Path) -> set[Path]:
    return set((root / ".cache/build").glob("*.block.json"))


def test_cache_skips_unchanged_blocks_and_a_cached_build_is_a_clean_build(tmp_path):
    pages = {"index.md": "# Home\n", "cached.md": PAGE.format(prose="First $x$.")}
    small_project(tmp_path, pages, SNIPPETS)

    run, cached, workers, cold = build(tmp_path)
    assert (run, cached) == (2, 0) and workers >= 1
    assert build.pages == (2, 0)  # type: ignore[attr-defined]
    assert {"3.0", "42"} <= outputs(cold)
    first = block_entries(tmp_path)
    assert len(first) == 2

    # Nothing changed: no block runs (no process is started for them), and no
    # page is rendered again.
    run, cached, workers, warm = build(tmp_path)
    assert (run, cached, workers) == (0, 2, 0)
    assert build.pages == (0, 2)  # type: ignore[attr-defined]
    assert warm == cold
    assert block_entries(tmp_path) == first, "a cached page keeps its blocks' entries"

    # Prose only (a formula too): no block runs.
    (tmp_path / "docs/cached.md").write_text(PAGE.format(prose="Edited $y$."))
    run, cached, workers, html = build(tmp_path)
    assert (run, cached, workers) == (0, 2, 0)
    assert build.pages == (1, 1)  # type: ignore[attr-defined]
    assert "Edited" in html

    # One snippet: its page and its block only; the stale entry is pruned.
    (tmp_path / "snippets/plain.py").write_text("print(6 * 9)\n")
    run, cached, workers, html = build(tmp_path)
    assert (run, cached, workers) == (1, 1, 1)
    assert build.pages == (1, 1)  # type: ignore[attr-defined]
    assert "54" in outputs(html) and "42" not in outputs(html)
    after = block_entries(tmp_path)
    assert len(after) == 2 and len(after - first) == 1
    assert not any(e.exists() for e in first - after)
    katex = list((tmp_path / ".cache/build").glob("*.katex.json"))
    assert len(katex) == 1, "the first page's formula entry is pruned"

    # Switched off: everything runs; and the cached site is the clean site.
    run, cached, _, _ = build(tmp_path, cache="0", site="clean")
    assert (run, cached) == (2, 0)
    assert same_files(tmp_path / "site", tmp_path / "clean") == []


def test_a_block_is_rerun_when_a_file_it_declares_changes(tmp_path):
    page = """\
    # Cached

    ```python exec="on" result="text" id="runner" runs="snippets/value.py"
    --8<-- "snippets/runner.py"
    ```
    """
    files = {
        "snippets/runner.py": (
            'import runpy\n\nprint(runpy.run_path("snippets/value.py")["value"])\n'
        ),
        "snippets/value.py": "value = 1\n",
    }
    small_project(tmp_path, {"index.md": "# Home\n", "cached.md": page}, files)
    # In a folder of its own (DOCS_CACHE_DIR, relative to the project), which
    # holds a file that is not the cache's: pruning leaves it alone.
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "notes.json").write_text("{}")
    assert build(tmp_path, folder="elsewhere")[:2] == (1, 0)
    first = set(folder.glob("*.block.json"))
    assert len(first) == 1 and not (tmp_path / ".cache").exists()
    (tmp_path / "snippets/value.py").write_text("value = 2\n")
    run, cached, _, html = build(tmp_path, folder=str(folder))  # absolute
    assert (run, cached) == (1, 0)
    assert "2" in outputs(html) and "1" not in outputs(html)
    after = set(folder.glob("*.block.json"))
    assert len(after) == 1 and after != first, "the stale entry is pruned"
    assert (folder / "notes.json").read_text() == "{}"


def test_a_block_that_shows_another_section_is_not_taken_from_the_cache(tmp_path):
    """show= changes what the page shows, not what runs: the key holds both."""
    page = textwrap.dedent("""\
        # Cached

        ```python exec="on" source="above" result="text" show="{section}" id="two"
        --8<-- "snippets/two.py"
        ```
        """)
    two = (
        "# --8<-- [start:one]\nprint('one')\n# --8<-- [end:one]\n"
        "# --8<-- [start:two]\nprint('two')\n# --8<-- [end:two]\n"
    )
    pages = {"index.md": "# Home\n", "cached.md": page.format(section="one")}
    small_project(tmp_path, pages, {"snippets/two.py": two})
    for section, other in [("one", "two"), ("two", "one")]:
        (tmp_path / "docs/cached.md").write_text(page.format(section=section))
        run, cached, _, html_text = build(tmp_path)
        assert (run, cached) == (1, 0), section
        shown = {html.unescape(block) for block in outputs(html_text)}
        assert f"print('{section}')" in shown and "one\ntwo" in shown, shown
        assert f"print('{other}')" not in "".join(shown), shown


def test_links_are_checked_on_every_build_though_unchanged_pages_are_not_parsed(
    tmp_path,
):
    """tools/links.py: a page whose HTML did not change is not parsed again,
    and a site where no page and no file changed is not checked again; but
    when one did, every link is checked against every page's anchors: a link
    on an unchanged page to an anchor that another page lost fails the
    build."""
    pages = {
        "index.md": "# Home\n\nSee [the kept part](cached.md#kept).\n",
        "cached.md": "# Cached\n\n## Kept\n\nText.\n",
    }
    small_project(tmp_path, pages, {})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCS_CACHE": "1"}
    env.pop("DOCS_CACHE_DIR", None)

    def build_links() -> Completed:
        return run_build(["-m", "mkdocs", "build", "--strict"], tmp_path, env)

    def counts(process: Completed) -> tuple[int, int]:
        assert process.returncode == 0, process.stderr
        found = re.search(r"(\d+) pages parsed, (\d+) from the cache", process.stderr)
        assert found, process.stderr
        return int(found[1]), int(found[2])

    assert counts(build_links()) == (2, 0)
    assert counts(build_links()) == (0, 2)
    (tmp_path / "docs/cached.md").write_text("# Cached\n\n## Renamed\n\nText.\n")
    process = build_links()
    assert process.returncode != 0
    assert "cached.md#kept" in process.stderr and "index.md" in process.stderr, (
        process.stderr
    )
    (tmp_path / "docs/index.md").write_text("# Home\n\nSee [it](cached.md#renamed).\n")
    assert counts(build_links()) == (1, 1)  # the new index; cached.md as it was


def test_every_installed_version_salts_the_cache(tmp_path, monkeypatch):
    """A package installed, upgraded or removed changes every cache key."""
    folder = tmp_path / "site-packages"
    (folder / "example-1.0.dist-info").mkdir(parents=True)
    before = build_cache.environment(tmp_path)
    monkeypatch.syspath_prepend(str(folder))
    installed = build_cache.environment(tmp_path)
    (folder / "example-1.0.dist-info").rename(folder / "example-1.1.dist-info")
    upgraded = build_cache.environment(tmp_path)
    assert len({before, installed, upgraded}) == 3
    torch = next(p for p in sys.path if list(Path(p).glob("torch-*.dist-info")))
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != torch])
    assert build_cache.environment(tmp_path) != installed  # torch removed


def test_a_page_from_the_cache_still_warns_and_its_links_are_still_checked(tmp_path):
    """A rendering that warned is not kept: the next build renders it again and
    warns again. A page that is kept still has its links to other pages'
    anchors checked by MkDocs: one to an anchor its target lost warns, though
    the page holding the link came from the cache."""
    pages = {
        "index.md": "# Home\n\nSee [the kept part](cached.md#kept).\n",
        "cached.md": "# Cached\n\n## Kept\n\nText, and [a lost page](lost.md).\n",
    }
    config = small_project(tmp_path, pages, {})
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCS_CACHE": "1"}
    env.pop("DOCS_CACHE_DIR", None)
    # htmlproofer's checks (tools/links.py) would also see both links, and its
    # error would stop the build after MkDocs warns: a warning of its own.
    data = read_config(config)
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "chapters" in plugin:
            plugin["chapters"]["links"]["raise_error"] = False
    write_config(config, data)

    def build_pages() -> tuple[str, tuple[int, int]]:
        process = run_build(["-m", "mkdocs", "build"], tmp_path, env)
        assert process.returncode == 0, process.stderr
        found = re.search(
            r"Pages rendered: (\d+), (\d+) from the cache", process.stderr
        )
        assert found, process.stderr
        return process.stderr, (int(found[1]), int(found[2]))

    lost = "contains a link 'lost.md', but the target is not found"
    for _ in range(2):
        log, pages_counted = build_pages()
        assert lost in log, log
        assert pages_counted[0] >= 1  # cached.md, rendered again: it warned
    assert pages_counted == (1, 1), "index.md, which did not warn, is kept"

    (tmp_path / "docs/cached.md").write_text("# Cached\n\n## Renamed\n\nText.\n")
    log, pages_counted = build_pages()
    assert pages_counted == (1, 1)  # index.md came from the cache
    assert (
        "Doc file 'index.md' contains a link 'cached.md#kept', but the doc "
        "'cached.md' does not contain an anchor '#kept'"
    ) in log, log


def test_an_incremental_build_equals_a_clean_one(tmp_path):
    """A prose edit renders one page again: it must come out as a clean build
    makes it, the HTML markdown-exec lays out (tabs and their ids) included,
    whichever pages were rendered before it in this build."""
    tabbed = (
        '```python exec="on" html="1" source="tabbed-right" tabs="Code|Output" '
        'id="{id}"\nprint("<p>{id}</p>")\n```\n'
    )
    pages = {
        "index.md": "# Home\n",
        "alpha.md": "# Alpha\n\n" + tabbed.format(id="first"),
        "cached.md": "# Cached\n\nProse.\n\n" + tabbed.format(id="second"),
    }
    small_project(tmp_path, pages, {})
    assert build(tmp_path)[:2] == (2, 0)
    edited = tmp_path / "docs/cached.md"
    edited.write_text(edited.read_text().replace("Prose.", "Prose, edited."))
    run, cached, _, html_text = build(tmp_path)
    assert (run, cached) == (0, 2)
    assert build.pages[0] == 1  # type: ignore[attr-defined]  # that page alone
    build(tmp_path, cache="0", site="clean")
    assert same_files(tmp_path / "site", tmp_path / "clean") == []
    assert 'id="second--' in html_text
