"""tools/run_blocks.py: every page's blocks in one process, in nav order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from snippet import CHAPTERS, ROOT, small_project

RUN_BLOCKS = [sys.executable, str(ROOT / "tools" / "run_blocks.py")]


def test_every_block_of_the_site_runs_in_one_process():
    process = subprocess.run(RUN_BLOCKS, capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout + process.stderr
    total = sum(len(c.blocks) for c in CHAPTERS)
    assert f"{total} blocks run in one process, 0 failed" in process.stdout
    ran = [line.split()[-1] for line in process.stdout.splitlines()[:-1]]
    assert ran == [b.id for c in CHAPTERS for b in c.blocks], "nav order"


def test_every_failure_is_reported_and_the_status_is_1(tmp_path: Path):
    page = """
    # Two failures

    ```python exec="on" result="text" id="first"
    --8<-- "snippets/first.py"
    ```

    ```python exec="on" result="text" id="fine"
    print("fine")
    ```

    ```python exec="on" result="text" id="second"
    --8<-- "snippets/second.py"
    ```
    """
    files = {
        "snippets/first.py": "x = 1\nraise ValueError('first')\n",
        "snippets/second.py": "import missing_module\n",
    }
    config = small_project(tmp_path, {"index.md": "# Home\n", "two.md": page}, files)
    text = config.read_text(encoding="utf-8") + "nav: [index.md, two.md]\n"
    config.write_text(text, encoding="utf-8")
    process = subprocess.run(
        [*RUN_BLOCKS, "--project", str(tmp_path)], capture_output=True, text=True
    )
    assert process.returncode == 1
    assert "3 blocks run in one process, 2 failed" in process.stdout
    assert (
        "docs/two.md:4: code block 'first' raised (snippets/first.py, line 2): "
        "ValueError: first"
    ) in process.stderr
    assert (
        "docs/two.md:12: code block 'second' raised (snippets/second.py, line 1): "
        "ModuleNotFoundError"
    ) in process.stderr
