"""A cached build equals a clean build, byte for byte, on the real site.

The shared build (`site_dir`) is a clean build: its cache folder starts empty,
so every block runs (and is stored). One more build from that cache runs no
block; its site must equal the clean one in every file.

That the execution itself gives the same output from run to run is checked
where every snippet runs again, in a process of its own, and what it prints is
compared with what the shared build put on the page: its text exactly, its
figure byte for byte, its table word for word (tests/test_snippets.py); and
every notebook's printed output in a fresh kernel (tests/test_notebooks.py).
`make bench` still builds twice from scratch, in two fresh clones, and
compares the sites.
"""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

from snippet import CHAPTERS, ROOT, build_site
from tools import execution

BLOCKS = sum(len(c.blocks) for c in CHAPTERS)


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_a_cached_build_is_byte_identical_to_the_clean_build(
    site_dir: Path, results: dict, build_cache: Path, tmp_path: Path
):
    assert (results["executed"], results["cached"]) == (BLOCKS, 0)
    again = tmp_path / "again"
    process = build_site(ROOT / "mkdocs.yml", again, cache=build_cache)
    assert process.returncode == 0, process.stderr
    cached = json.loads((build_cache / execution.RESULTS).read_text("utf-8"))
    assert (cached["executed"], cached["cached"]) == (0, BLOCKS), process.stderr
    assert cached["pages_rendered"] == 0, "every page came from the cache"
    names = files_under(site_dir)
    assert names == files_under(again)
    _, mismatch, errors = filecmp.cmpfiles(
        site_dir, again, sorted(names), shallow=False
    )
    assert mismatch == [] and errors == [], f"differ between builds: {mismatch}"
    assert len(names) > 50
