"""tools/run_blocks.py: every page's blocks in one process, in MkDocs' file order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from snippet import small_project

RUN_BLOCKS = [sys.executable, "-m", "tools.run_blocks"]


def test_blocks_run_in_mkdocs_file_order_in_one_process(tmp_path: Path):
    """A block sees what a block of an earlier page (in MkDocs' file order,
    not the nav's) left in the process: the harder test than the build's,
    where each block runs in a process of its own (tests/test_execution.py)."""
    fence = 'python exec="on" result="text" id="{id}"'
    pages = {
        "index.md": "# Home\n",
        "zeta.md": f"# First in the nav\n\n```{fence.format(id='see')}\n"
        '--8<-- "snippets/see.py"\n```\n',
        "alpha.md": f"# First in file order\n\n```{fence.format(id='set')}\n"
        '--8<-- "snippets/set.py"\n```\n',
    }
    files = {
        "snippets/set.py": "import string\n\nstring.seen = ['set']\n",
        "snippets/see.py": (
            "import string\n\nassert string.seen == ['set'], 'not seen'\n"
        ),
    }
    config = small_project(tmp_path, pages, files)
    text = config.read_text(encoding="utf-8") + "nav: [index.md, zeta.md, alpha.md]\n"
    config.write_text(text, encoding="utf-8")
    process = subprocess.run(
        [*RUN_BLOCKS, "--project", str(tmp_path)], capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr
    lines = process.stdout.splitlines()
    assert lines[-1] == "2 blocks run in one process, 0 failed"
    assert [line.split()[-2:] for line in lines[:-1]] == [
        ["docs/alpha.md", "set"],
        ["docs/zeta.md", "see"],
    ], "the build's order"


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
