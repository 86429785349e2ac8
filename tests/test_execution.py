"""The build's three steps: read, execute, render (tools/plugin.py).

Execute runs every block not in the cache before any page is rendered, each
in a process of its own forked from one server that imported the libraries
(tools/execution.py), on as many workers as the build is given; its results
are data (results.json); render only looks them up (tools/rendering.py). A
block that raises, runs too long or kills its process fails the build with
every error, before any page is written; the other packages' internals the
build touches are pinned here.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import textwrap
from pathlib import Path

import pytest
from htmlproofer.plugin import HtmlProoferPlugin
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.pages import Page

from snippet import (
    ROOT,
    build_site,
    read_config,
    run_build,
    small_project,
    write_config,
)
from tools import chapter as chapter_model
from tools import execution, page_cache
from tools.cache import Cache


def results_of(folder: Path) -> dict:
    return json.loads((folder / execution.RESULTS).read_text(encoding="utf-8"))


FENCE = '```python exec="on" result="text" id="{id}"\n{code}\n```\n'


def page(title: str, **blocks: str) -> str:
    fences = "\n".join(FENCE.format(id=k, code=v) for k, v in blocks.items())
    return f"# {title}\n\n{fences}"


# --- execute: every block in a process of its own ---------------------------------


def test_no_block_sees_what_another_left(tmp_path: Path):
    """Each block runs in a fresh fork: whatever ran before it, and wherever,
    it starts from the same state (a program of its own, as the tests and
    readers run it)."""
    pages = {
        "index.md": "# Home\n",
        "alpha.md": page("A", set="import string\nstring.seen = 1\nprint('set')"),
        "beta.md": page("B", see="import string\nprint(hasattr(string, 'seen'))"),
    }
    config = small_project(tmp_path, pages, {})
    process = build_site(config, tmp_path / "site", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert "Warning" not in process.stderr, process.stderr  # as the tests start it
    results = results_of(tmp_path / "site-cache")
    printed = {b["id"]: b["output"] for b in results["blocks"]}
    assert printed == {"set": "set\n", "see": "False\n"}
    assert all(b["ran"] for b in results["blocks"])


def test_the_workers_setting_is_the_number_of_blocks_run_at_once(tmp_path: Path):
    blocks = {f"b{n}": f"print({n})" for n in range(4)}
    small_project(
        tmp_path, {"index.md": "# Home\n", "many.md": page("Many", **blocks)}, {}
    )
    env = {**os.environ, "DOCS_WORKERS": "1", "DOCS_CACHE": "0"}
    env["DOCS_CACHE_DIR"] = str(tmp_path / "cache")
    process = run_build(["-m", "mkdocs", "build", "--strict"], tmp_path, env)
    assert process.returncode == 0, process.stderr
    results = results_of(tmp_path / "cache")
    assert results["workers"] == 1
    assert [b["output"] for b in results["blocks"]] == [f"{n}\n" for n in range(4)]
    assert "on 1 worker in" in process.stderr


def test_without_fork_the_blocks_run_here_with_the_same_results(tmp_path: Path):
    """Where Python has no fork (Windows), the blocks run one after another in
    the build's process: the same outputs and errors."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets/value.py").write_text("print(sum(range(10)))\n")
    text = page(
        "Both",
        file='--8<-- "snippets/value.py"',
        here="print(6 * 7)",
        boom="x = 1\nraise ValueError('boom')",
    )
    config = {"markdown_extensions": [{"pymdownx.snippets": {"base_path": ["."]}}]}
    expander = chapter_model.Expander.for_project(config, tmp_path)
    chapters = [chapter_model.parse(text, "both.md", expander)]
    found = {}
    for forked in (True, False):
        cache = Cache(tmp_path / f"cache-{forked}", enabled=False)
        results = execution.execute(
            chapters,
            cache,
            tmp_path,
            workers=2,
            preload=[],
            timeout=60,
            forked=forked,
        )
        assert results.workers == (2 if forked else 1)
        found[forked] = [(r.id, r.output, r.error) for r in results.records]
    assert found[True] == found[False]
    assert found[True][:2] == [("file", "45\n", ""), ("here", "42\n", "")]
    assert found[True][2][2] == (
        "docs/both.md:11: code block 'boom' raised (docs/both.md, line 2): "
        "ValueError: boom"
    )


def test_a_block_runs_from_an_empty_folder_unless_it_runs_files_of_the_project(
    tmp_path: Path,
):
    """As a reader runs a program copied from the page: from a folder that
    holds nothing, a new one for each block; a block that declares files it
    runs (runs=) from the project's root, where they are. Forked or not."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets/value.py").write_text("print(sum(range(10)))\n")
    look = "import os\nprint(os.listdir('.'))\nopen('left.txt', 'w').close()"
    text = page("Where", first=look, second=look) + (
        '\n```python exec="on" id="root" runs="snippets/value.py"\n'
        "print(open('snippets/value.py').read().strip())\n```\n"
    )
    config = {"markdown_extensions": [{"pymdownx.snippets": {"base_path": ["."]}}]}
    expander = chapter_model.Expander.for_project(config, tmp_path)
    chapters = [chapter_model.parse(text, "where.md", expander)]
    for forked in (True, False):
        cache = Cache(tmp_path / f"cache-{forked}", enabled=False)
        results = execution.execute(
            chapters, cache, tmp_path, workers=2, preload=[], timeout=60, forked=forked
        )
        found = [(r.id, r.output, r.error, r.from_root) for r in results.records]
        assert found == [
            ("first", "[]\n", "", False),
            ("second", "[]\n", "", False),  # not the folder the first one wrote in
            ("root", "print(sum(range(10)))\n", "", True),
        ], forked
    assert not (tmp_path / "left.txt").exists()


def test_a_program_that_reads_a_file_it_does_not_declare_fails_the_build(
    tmp_path: Path,
):
    """It would run from the project's root, where the file is, and fail for a
    reader who copied it, in a fresh kernel, or as a download: the build runs
    it from an empty folder, and fails, naming the page, block and line."""
    page_text = page("Reads", **{"reads-a-file": '--8<-- "snippets/reads.py"'})
    files = {
        "snippets/reads.py": "text = open('snippets/data.txt').read()\n",
        "snippets/data.txt": "42\n",
    }
    pages = {"index.md": "# Home\n", "reads.md": page_text}
    config = small_project(tmp_path, pages, files)
    process = build_site(config, tmp_path / "site", cwd=tmp_path)
    assert process.returncode != 0
    assert (
        "docs/reads.md:3: code block 'reads-a-file' raised (snippets/reads.py, "
        "line 1): FileNotFoundError: [Errno 2] No such file or directory: "
        "'snippets/data.txt'"
    ) in process.stderr, process.stderr


def test_every_error_fails_the_build_before_any_page_is_written(tmp_path: Path):
    pages = {
        "index.md": "# Home\n",
        "one.md": page("One", first="raise ValueError('first')", fine="print(1)"),
        "two.md": page("Two", second="import os\nos._exit(3)"),
    }
    config = small_project(tmp_path, pages, {})
    process = build_site(config, tmp_path / "site", cwd=tmp_path)
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert (
        "docs/one.md:3: code block 'first' raised (docs/one.md, line 1): "
        "ValueError: first"
    ) in output, output
    assert (
        "docs/two.md:3: code block 'second' ended with exit status 3 (docs/two.md)"
    ) in output, output
    assert not list((tmp_path / "site").rglob("*.html")), "a page was written"
    results = results_of(tmp_path / "site-cache")
    errors = {b["id"]: bool(b["error"]) for b in results["blocks"]}
    assert errors == {"first": True, "fine": False, "second": True}


def test_a_block_that_runs_too_long_is_stopped(tmp_path: Path):
    pages = {
        "index.md": "# Home\n",
        "slow.md": page("Slow", spin="while True:\n    pass"),
    }
    config_file = small_project(tmp_path, pages, {})
    config = read_config(config_file)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "chapters" in plugin:
            plugin["chapters"]["timeout"] = 1
    write_config(config_file, config)
    process = build_site(config_file, tmp_path / "site", cwd=tmp_path)
    assert process.returncode != 0
    assert "docs/slow.md:3: code block 'spin' was stopped after 1 s" in (
        process.stderr
    ), process.stderr


def test_a_session_is_refused_naming_the_page_and_line(tmp_path: Path):
    expander = chapter_model.Expander.for_project(
        chapter_model.load_config(ROOT / "mkdocs.yml"), tmp_path
    )
    text = '# S\n\n```python exec="on" session="s" id="one"\nx = 1\n```\n'
    with pytest.raises(chapter_model.ChapterError) as error:
        chapter_model.parse(text, "s.md", expander)
    assert str(error.value).startswith("docs/s.md:3: block 'one' declares session=")
    assert "one file, with a named section for each block" in str(error.value)


def test_the_server_imports_only_what_the_blocks_to_run_need():
    codes = [
        "import numpy as np\nfrom torch import nn\n",
        "print(1)\nimport matplotlib.pyplot\n",
        "this is not Python",
    ]
    preload = ["numpy", "torch", "torch._dynamo", "matplotlib", "scipy"]
    assert execution.libraries(codes, preload) == (
        "numpy",
        "torch",
        "torch._dynamo",
        "matplotlib",
    )
    assert execution.libraries(codes[1:2], preload) == ("matplotlib",)
    assert execution.libraries([], preload) == ()


def test_the_real_sites_preload_names_what_its_blocks_import():
    """mkdocs.yml's preload list: each module exists, and each package is one
    the site's blocks import (else it preloads nothing and costs nothing)."""
    plugins = read_config(ROOT / "mkdocs.yml")["plugins"]
    (options,) = [
        p["chapters"] for p in plugins if isinstance(p, dict) and "chapters" in p
    ]
    codes = [b.code for c in chapter_model.project_chapters(ROOT) for b in c.blocks]
    assert execution.libraries(codes, options["preload"]) == tuple(options["preload"])
    for module in options["preload"]:
        importlib.import_module(module)


# --- render: from the stored results ----------------------------------------------


def test_a_dirty_build_writes_every_notebook_with_its_outputs(tmp_path: Path):
    """`mkdocs serve --dirty` (here `mkdocs build --dirty`, the same build)
    renders only the pages whose source changed; every notebook is still made
    from the results, with every block's output."""
    pages = {
        "index.md": "# Home\n",
        "one.md": page("One", one="print('one')"),
        "two.md": page("Two", two="print('two')"),
    }
    small_project(tmp_path, pages, {})
    env = {**os.environ, "DOCS_CACHE": "1"}
    env.pop("DOCS_CACHE_DIR", None)
    clean = run_build(["-m", "mkdocs", "build"], tmp_path, env)
    assert clean.returncode == 0, clean.stderr
    notebook = tmp_path / "site/notebooks/two.ipynb"
    before = notebook.read_text(encoding="utf-8")
    cells = json.loads(before)["cells"]
    (two,) = [c for c in cells if c["metadata"].get("block_id") == "two"]
    assert two["outputs"][0]["text"] == ["two\n"]
    (tmp_path / "docs/one.md").write_text(page("One, edited", one="print('one')"))
    dirty = run_build(["-m", "mkdocs", "build", "--dirty"], tmp_path, env)
    assert dirty.returncode == 0, dirty.stderr
    assert "Pages rendered: 1, 0 from the cache" in dirty.stderr, dirty.stderr
    assert notebook.read_text(encoding="utf-8") == before


# --- other packages' internals, each used in one function, pinned -----------------

# The source of the functions the build's code copies or relies on, as read
# when the build was written for them: a new release that changes one fails
# here, and tools/ must be checked against it (then the digest updated).
PINNED = {
    "htmlproofer's on_post_page (re-implemented by tools/links.py, its parse cached)": (
        HtmlProoferPlugin.on_post_page,
        "12a65101e3276a53a463a15c2ec0221be139a718910a134583709935321a4408",
    ),
    "MkDocs' Page.render (swapped and its results restored by tools/page_cache.py)": (
        Page.render,
        "cc68ba627b85613de4dd206e13831fde0536069fd904d04a5224a2ca43d943dc",
    ),
}


@pytest.mark.parametrize("name", PINNED)
def test_the_internals_the_build_relies_on_are_as_read(name: str):
    function, digest = PINNED[name]
    source = textwrap.dedent(inspect.getsource(function))
    assert hashlib.sha256(source.encode()).hexdigest() == digest, name


def test_forks_can_forget_the_finalizers_of_the_servers_imports():
    """tools/forkserver.py sets `atexit = False` on every finalizer in
    weakref.finalize's registry (the standard library's private part): it is
    there, and torch puts its own in it as it is imported."""
    import weakref

    import torch  # noqa: F401

    registry = weakref.finalize._registry
    assert isinstance(registry, dict) and registry
    assert all(isinstance(f, weakref.finalize) for f in registry)
    assert all(isinstance(f.atexit, bool) for f in registry)


def test_the_page_cache_restores_everything_render_sets(tmp_path: Path):
    """What Page.render sets on a page is what tools/page_cache.py keeps and
    restores: rendered once, snapshotted, restored on a fresh page, the two
    pages are the same."""
    text = "# Title\n\n## A section\n\nSee [the other](other.md#there).\n"
    config_file = small_project(
        tmp_path,
        {"index.md": text, "other.md": "# Other\n\n## There\n"},
        {},
    )
    config = load_config(str(config_file))
    files = get_files(config)
    file = files.get_file_from_path("index.md")

    def fresh() -> Page:
        made = Page(None, file, config)
        made.read_source(config)
        return made

    rendered = fresh()
    before = dict(vars(rendered))
    rendered.render(config, files)
    changed = {k for k, v in vars(rendered).items() if before.get(k, ...) is not v}
    kept = page_cache._snapshot(rendered)
    assert changed == {
        "content",
        "toc",
        "_title_from_render",
        "present_anchor_ids",
        "links_to_anchors",
    }, changed
    restored = fresh()
    page_cache._restore(restored, json.loads(json.dumps(kept)), files)
    assert restored.content == rendered.content
    assert str(restored.toc) == str(rendered.toc)
    assert restored._title_from_render == rendered._title_from_render
    assert restored.present_anchor_ids == rendered.present_anchor_ids
    assert {f.src_uri: v for f, v in restored.links_to_anchors.items()} == {
        f.src_uri: v for f, v in rendered.links_to_anchors.items()
    }
    assert restored.title == rendered.title == "Title"


def test_the_search_entries_cache_needs_materials_index():
    class NoIndex:
        search_index = None

    cache = Cache(Path("unused"), enabled=True)
    with pytest.raises(Exception, match="Material's search plugin has no"):
        page_cache.cache_search(NoIndex(), cache)
    config = load_config(str(ROOT / "mkdocs.yml"))
    search = config.plugins["material/search"]
    search.on_config(config)
    page_cache.cache_search(search, cache)  # the real one has what it needs


def test_blocks_that_need_none_of_the_main_packages_get_a_server_of_their_own():
    """What most blocks import (torch) is imported by one server; the blocks
    that need none of it fork from another, which imports only what they
    need; with one kind of block, one server."""
    torch, numpy = ("torch", "torch._dynamo"), ("numpy",)
    figure = ("numpy", "matplotlib", "matplotlib.pyplot")
    needs = [torch, numpy, torch, figure, ("numpy", "torch"), (), torch]
    assert execution.servers(needs) == [
        (("numpy", "matplotlib", "matplotlib.pyplot"), [1, 3, 5]),
        (("torch", "torch._dynamo", "numpy"), [0, 2, 4, 6]),
    ]
    assert execution.servers([numpy, numpy]) == [(("numpy",), [0, 1])]
    assert execution.servers([(), ()]) == [((), [0, 1])]
    assert execution.servers([]) == []
