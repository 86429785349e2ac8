"""Shared fixtures: the site, built once per test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from markdown_includes import ROOT


def build_site(config_file: Path, site_dir: Path, cwd: Path = ROOT):
    """Run the build that `make site` runs; return the finished process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config_file), "--site-dir", str(site_dir)]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test run (shared by pytest-xdist's workers)."""
    shared = tmp_path_factory.getbasetemp().parent
    site = shared / "site"
    with FileLock(str(shared / "site.lock")):
        if not (site / "index.html").exists():
            process = build_site(ROOT / "mkdocs.yml", site)
            if process.returncode != 0:
                pytest.fail(f"mkdocs build --strict failed:\n{process.stderr}")
    return site
