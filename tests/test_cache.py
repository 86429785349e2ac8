"""The cache of executed blocks: prose edits execute nothing, snippet edits
execute only their blocks, DOCS_CACHE=0 switches it off."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import small_project

# mkdocs build, then report whether the build process imported torch.
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

```python exec="on" source="above" result="text" id="uses-torch"
--8<-- "snippets/uses_torch.py"
```

```python exec="on" source="above" result="text" id="plain"
--8<-- "snippets/plain.py"
```
"""
SNIPPETS = {
    "snippets/uses_torch.py": "import torch\n\nprint(torch.ones(3).sum().item())\n",
    "snippets/plain.py": "print(6 * 7)\n",
}


def outputs(html: str) -> set[str]:
    """The text of the page's code blocks."""
    blocks = re.findall(r"<code[^>]*>(.*?)</code>", html, flags=re.S)
    return {re.sub(r"<[^>]+>", "", block).strip() for block in blocks}


def build(root: Path, cache: str = "1") -> tuple[int, int, bool, str]:
    """Build; return (blocks run, blocks from the cache, torch imported, html)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DOCS_CACHE": cache}
    process = subprocess.run(
        [sys.executable, "-c", BUILD, "build", "--strict", "-d", "site"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stderr
    counts = re.search(
        r"Executed code blocks: (\d+) run, (\d+) from the cache", process.stderr
    )
    assert counts, process.stderr
    html = (root / "site" / "cached" / "index.html").read_text(encoding="utf-8")
    torch = "torch imported: True" in process.stderr
    return int(counts[1]), int(counts[2]), torch, html


def test_cache_skips_unchanged_blocks_and_never_imports_torch_for_prose(tmp_path):
    pages = {"index.md": "# Home\n", "cached.md": PAGE.format(prose="First.")}
    small_project(tmp_path, pages, SNIPPETS)

    run, cached, torch, cold = build(tmp_path)
    assert (run, cached, torch) == (2, 0, True)
    assert {"3.0", "42"} <= outputs(cold)

    run, cached, torch, warm = build(tmp_path)
    assert (run, cached, torch) == (0, 2, False)
    assert warm == cold

    (tmp_path / "docs/cached.md").write_text(PAGE.format(prose="Edited prose."))
    run, cached, torch, html = build(tmp_path)
    assert (run, cached, torch) == (0, 2, False)
    assert "Edited prose." in html

    (tmp_path / "snippets/plain.py").write_text("print(6 * 9)\n")
    run, cached, torch, html = build(tmp_path)
    assert (run, cached, torch) == (1, 1, False)
    assert "54" in outputs(html) and "42" not in outputs(html)

    run, cached, torch, _ = build(tmp_path, cache="0")  # switched off
    assert (run, cached, torch) == (2, 0, True)


def test_a_program_that_runs_another_snippet_is_rerun_when_that_snippet_changes(
    tmp_path,
):
    page = """\
    # Cached

    ```python exec="on" source="above" result="text" id="runner"
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
    assert build(tmp_path)[:2] == (1, 0)
    (tmp_path / "snippets/value.py").write_text("value = 2\n")
    run, cached, _, html = build(tmp_path)
    assert (run, cached) == (1, 0)
    assert "2" in outputs(html) and "1" not in outputs(html)
