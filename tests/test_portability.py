"""Runs where readers run it: no fork, scripts guarded, an install without CUDA.

Two parts:

* the snippets: a program that uses several processes starts them only as new
  interpreters (torchrun, or subprocess with a timeout), never by forking, and a
  program that joins a process group does so only under
  `if __name__ == "__main__":` (torchrun starts it as a script; the build never
  runs it). Checked on the source (AST), for every file under snippets/;
* the install: requirements.lock pins every package with hashes, matches the
  ranges of pyproject.toml for every platform and Python it claims, holds no
  CUDA package, and is what this environment has installed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tools.chapter import project_chapters

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = sorted(ROOT.glob("snippets/**/*.py"))

# --- the snippets: no fork, __main__-guarded --------------------------------------

FORKING_MODULES = {"multiprocessing", "torch.multiprocessing", "concurrent.futures"}
POSIX_ONLY = {  # os.<name> and signal.<name> that Windows does not have
    "fork",
    "forkpty",
    "register_at_fork",
    "killpg",
    "setsid",
    "setpgrp",
    "getuid",
    "geteuid",
    "SIGKILL",
    "SIGHUP",
}
STARTS_PROCESSES = {"subprocess", "torch.distributed", *FORKING_MODULES}


def _dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, else ""."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _is_main_guard(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and _dotted(node.test.left) == "__name__"
        and len(node.test.comparators) == 1
        and isinstance(node.test.comparators[0], ast.Constant)
        and node.test.comparators[0].value == "__main__"
    )


def imported_modules(tree: ast.Module) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def is_multi_process(source: str) -> bool:
    modules = imported_modules(ast.parse(source))
    return any(
        m == s or m.startswith(s + ".") for m in modules for s in STARTS_PROCESSES
    )


def problems(source: str, name: str = "<source>") -> list[str]:
    """What breaks the rule in one program; [] when nothing does."""
    tree = ast.parse(source, filename=name)
    found = []

    def at(node: ast.AST, text: str) -> None:
        found.append(f"{name}:{node.lineno}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for module in names:
                if module in FORKING_MODULES or module.startswith("multiprocessing."):
                    at(node, f"imports {module}: start processes with torchrun")
        elif isinstance(node, ast.Attribute) and node.attr in POSIX_ONLY:
            if _dotted(node.value) in ("os", "signal"):
                at(node, f"{_dotted(node)} does not exist on Windows")
        elif isinstance(node, ast.Constant) and node.value in ("fork", "forkserver"):
            at(node, f'"{node.value}": a start method that forks')
        elif isinstance(node, ast.Call) and _dotted(node.func).startswith(
            "subprocess."
        ):
            keywords = {k.arg: k.value for k in node.keywords}
            for unsafe in ("shell", "preexec_fn", "start_new_session"):
                if unsafe in keywords:
                    at(node, f"subprocess with {unsafe}=: not portable")
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    if "subprocess" in imported_modules(tree):
        if not any(k.arg == "timeout" for call in calls for k in call.keywords):
            found.append(f"{name}: starts a process and never waits with a timeout")

    # A program that joins a process group is a script for torchrun: nothing
    # at its top level may run its functions, or join, outside the guard.
    joins = [c for c in calls if _dotted(c.func).endswith("init_process_group")]
    if joins:
        defined = {
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        guards = [n for n in tree.body if _is_main_guard(n)]
        if not guards:
            found.append(f"{name}: joins a process group without a __main__ guard")
        for statement in tree.body:
            if _is_main_guard(statement) or isinstance(
                statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.Call):
                    called = _dotted(node.func)
                    if called in defined or called.endswith("init_process_group"):
                        at(node, f"{called}() runs outside the __main__ guard")
    return found


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_fork_and_process_groups_only_under_the_main_guard(path: Path):
    name = path.relative_to(ROOT).as_posix()
    assert problems(path.read_text(encoding="utf-8"), name) == []


def test_the_multi_process_programs_are_the_ones_expected():
    """The rule is not vacuous: it sees the torchrun script and its launcher."""
    multi = {
        p.relative_to(ROOT).as_posix()
        for p in SNIPPETS
        if is_multi_process(p.read_text(encoding="utf-8"))
    }
    assert {"snippets/distributed/ddp.py", "snippets/distributed/launch.py"} <= multi


@pytest.mark.parametrize(
    "source",
    [
        "import os\npid = os.fork()\n",
        "import torch.multiprocessing as mp\n",
        "from multiprocessing import Process\n",
        "from concurrent.futures import ProcessPoolExecutor\n",
        "import signal, os\nos.kill(1, signal.SIGKILL)\n",
        "ctx = get_context('fork')\n",
        "import torch.distributed as dist\ndist.init_process_group('gloo')\n",
        "import torch.distributed as dist\n"
        "def main():\n    dist.init_process_group('gloo')\n\n"
        "main()\n",
        "import torch.distributed as dist\n"
        "def main():\n    dist.init_process_group('gloo')\n\n"
        "if __name__ == '__main__':\n    pass\n"
        "main()\n",
        "import subprocess\nsubprocess.run(['python', '-V'])\n",
        "import subprocess\nsubprocess.run('python -V', shell=True, timeout=9)\n",
    ],
)
def test_the_rule_finds_what_it_forbids(source: str):
    assert problems(source)


def test_the_rule_accepts_a_guarded_torchrun_script():
    source = (
        "import torch.distributed as dist\n"
        "def main():\n    dist.init_process_group('gloo')\n\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    assert problems(source) == []


def test_no_page_block_runs_a_program_that_joins_a_process_group():
    """The build executes each block with exec() (tools/runner.py): none of
    them joins; a program that does is started by torchrun (a block runs it)."""
    blocks = [(c, b) for c in project_chapters(ROOT) for b in c.blocks]
    assert len(blocks) > 10
    for chapter, block in blocks:
        assert "init_process_group" not in block.code, f"{chapter.path}: {block.id}"


# --- the install: requirements.lock ------------------------------------------------

LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
REQUIREMENTS_IN = (ROOT / "requirements.in").read_text(encoding="utf-8")
PLATFORMS = {  # sys_platform -> (platform_system, platform_machine)
    "linux": ("Linux", "x86_64"),
    "darwin": ("Darwin", "arm64"),
    "win32": ("Windows", "AMD64"),
}
PYTHONS = ["3.11.5", "3.12.0", "3.13.0", "3.14.0"]


@dataclass
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: list[str]

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or self.marker.evaluate(environment)


def pins() -> list[Pin]:
    entries = re.findall(
        r"^([A-Za-z0-9][\w.-]*)==(\S+?)(?: ; ([^\\\n]+?))? \\\n"
        r"((?:    --hash=\S+(?: \\)?\n)+)",
        LOCK,
        re.MULTILINE,
    )
    return [
        Pin(
            canonicalize_name(name),
            version,
            Marker(marker) if marker else None,
            re.findall(r"--hash=(sha256:[0-9a-f]{64})", hashes),
        )
        for name, version, marker, hashes in entries
    ]


def environment(python: str, sys_platform: str) -> dict[str, str]:
    system, machine = PLATFORMS[sys_platform]
    return {
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": python,
        "sys_platform": sys_platform,
        "platform_system": system,
        "platform_machine": machine,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "os_name": "nt" if sys_platform == "win32" else "posix",
        "extra": "",
    }


def test_every_line_of_the_lock_is_an_exact_pin_with_hashes():
    requirement_lines = [
        line for line in LOCK.splitlines() if line and line[0] not in " #"
    ]
    assert len(requirement_lines) == len(pins()) > 50
    assert all(pin.hashes for pin in pins())
    assert LOCK.startswith(
        "# This file was autogenerated by uv via the following command:\n"
        "#    make lock\n"
    )


def test_the_lock_pins_setuptools_and_the_cpu_build_of_torch():
    by_name = {}
    for pin in pins():
        by_name.setdefault(pin.name, []).append(pin)
    assert "setuptools" in by_name, "torch needs it: pinned like the rest"
    torch_pins = {str(p.marker): p.version for p in by_name["torch"]}
    assert torch_pins == {
        'sys_platform == "linux"': "2.13.0+cpu",
        'sys_platform != "linux"': "2.13.0",
    }
    assert torch.__version__ == "2.13.0+cpu" and torch.version.cuda is None


def test_no_cuda_package_is_locked_or_installed():
    cuda = re.compile(r"^(nvidia-|cuda-|cuda$|triton|pytorch-triton)")
    assert [p.name for p in pins() if cuda.match(p.name)] == []
    assert not any("+cu" in p.version or "+rocm" in p.version for p in pins())
    installed = {
        canonicalize_name(d.metadata["Name"])
        for d in importlib.metadata.distributions()
    }
    assert [name for name in installed if cuda.match(name)] == []


def test_the_cpu_index_is_scoped_to_torch():
    """pip reads PyTorch's page for torch alone; no extra index for everything."""
    assert "--index-url" not in MAKEFILE and "--extra-index-url" not in MAKEFILE
    assert "PIP_EXTRA_INDEX_URL" not in MAKEFILE and "PIP_INDEX_URL" not in MAKEFILE
    default = re.search(r"^TORCH_WHEELS \?= (.+)$", MAKEFILE, re.MULTILINE)[1]
    assert (
        default == "$(or $(PIP_FIND_LINKS),https://download.pytorch.org/whl/cpu/torch/)"
    )
    install = re.search(r"pip install (.*?)-r requirements\.lock", MAKEFILE, re.S)[1]
    assert "--require-hashes" in install and "--find-links $(TORCH_WHEELS)" in install


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("sys_platform", PLATFORMS)
def test_the_lock_satisfies_every_range_of_its_inputs(python: str, sys_platform: str):
    """One pin per package, inside pyproject.toml's range and requirements.in's."""
    env = environment(python, sys_platform)
    chosen: dict[str, str] = {}
    for pin in pins():
        if pin.applies(env):
            assert pin.name not in chosen, f"{pin.name} pinned twice for {env}"
            chosen[pin.name] = pin.version
    project = PYPROJECT["project"]
    inputs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        inputs += extra
    inputs += [
        line
        for line in REQUIREMENTS_IN.splitlines()
        if line and not line.startswith("#")
    ]
    for text in inputs:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        name = canonicalize_name(requirement.name)
        assert name in chosen, f"{name} is not in the lock for {env}"
        version = Version(chosen[name])
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement.specifier}"
        )


def test_this_environment_is_exactly_the_lock():
    """`make install` installed the lock's versions, and nothing else but pip
    and this project's own package (tools/, editable)."""
    expected = {
        pin.name: pin.version
        for pin in pins()
        if pin.marker is None or pin.marker.evaluate()
    }
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in importlib.metadata.distributions()
    }
    assert {n: installed.get(n) for n in expected} == expected
    project = canonicalize_name(PYPROJECT["project"]["name"])
    assert installed[project] == PYPROJECT["project"]["version"]
    extra = set(installed) - set(expected)
    assert extra <= {"pip", project}, extra


def test_supported_pythons_are_the_same_everywhere():
    minimum = PYPROJECT["project"]["requires-python"]
    assert minimum == ">=3.11.5"
    assert "--python-version 3.11.5" in MAKEFILE
    assert "sys.version_info >= (3, 11, 5)" in MAKEFILE
    for said in ("README.md", "docs/index.md"):  # what readers are told they need
        text = " ".join((ROOT / said).read_text(encoding="utf-8").split())
        assert "need python 3.11.5 or newer" in text.lower(), said
        assert "Python 3.10" not in text, said
    assert sys.version_info >= (3, 11, 5)
    numpy = next(
        d for d in PYPROJECT["project"]["dependencies"] if d.startswith("numpy")
    )
    assert Requirement(numpy).specifier == Requirement("numpy>=2.0").specifier
