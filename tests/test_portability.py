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
import subprocess
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


def environment(
    python: str, sys_platform: str, machine: str | None = None
) -> dict[str, str]:
    system, default_machine = PLATFORMS[sys_platform]
    machine = machine or default_machine
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
    # `make lock` gives uv one more index: the one lock/torch_index.py writes,
    # which lists torch alone.
    lock = re.search(r"^LOCK = (.*?)\n\n", MAKEFILE, re.M | re.S)[1]
    assert re.findall(r"--(?:extra-)?index(?:-url)?\b \S+", lock) == [
        "--index $(TORCH_INDEX)"
    ]
    assert "lock/torch_index.py lock/torch-cpu-wheels.sha256 $(TORCH_INDEX)" in MAKEFILE


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


# --- torch's digests: the lock holds the published ones ----------------------------

TORCH_TABLE = ROOT / "lock" / "torch-cpu-wheels.sha256"
LINUX_MACHINES = ["x86_64", "aarch64"]


def torch_table() -> dict[str, str]:
    """{wheel file name: digest} of lock/torch-cpu-wheels.sha256."""
    lines = TORCH_TABLE.read_text(encoding="utf-8").splitlines()
    table = dict(reversed(line.split("  ")) for line in lines)
    assert len(table) == len(lines) > 8
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in table.values())
    return table


def torch_pin(env: dict[str, str]) -> Pin:
    [pin] = [p for p in pins() if p.name == "torch" and p.applies(env)]
    return pin


def published_digest(python: str, platform_tag: str, local: str = "") -> str:
    """The table's digest of torch's wheel for CPython `python` on a platform."""
    tag = "cp" + "".join(python.split(".")[:2])
    pattern = re.compile(
        rf"torch-([\d.]+){re.escape(local)}-{tag}-{tag}-{platform_tag}\.whl"
    )
    [digest] = [d for name, d in torch_table().items() if pattern.fullmatch(name)]
    return digest


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("machine", LINUX_MACHINES)
def test_the_lock_holds_torchs_published_digests_on_linux(python: str, machine: str):
    """On Linux, exactly the digests of the eight +cpu wheels (3.11 to 3.14,
    x86-64 and aarch64): pip finds this Python's wheel among them."""
    pin = torch_pin(environment(python, "linux", machine))
    expected = {
        published_digest(v, rf"manylinux_\d+_\d+_{m}", "+cpu")
        for v in PYTHONS
        for m in LINUX_MACHINES
    }
    assert len(expected) == 8
    assert {h.removeprefix("sha256:") for h in pin.hashes} == expected
    wanted = published_digest(python, rf"manylinux_\d+_\d+_{machine}", "+cpu")
    assert f"sha256:{wanted}" in pin.hashes
    assert pin.version == "2.13.0+cpu"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_holds_torchs_published_digests_on_macos(python: str):
    """PyPI's torch on macOS (arm64): the table's digest is one of the lock's."""
    pin = torch_pin(environment(python, "darwin"))
    wanted = published_digest(python, r"macosx_\d+_\d+_arm64")
    assert f"sha256:{wanted}" in pin.hashes and pin.version == "2.13.0"


def test_the_torch_table_is_of_the_locked_release():
    versions = {name.split("-")[1] for name in torch_table()}
    assert versions == {"2.13.0", "2.13.0+cpu"}
    assert 'torch==2.13.0+cpu ; sys_platform == "linux"' in REQUIREMENTS_IN


def test_the_lock_configurations_torch_metadata_is_the_installed_torchs():
    """lock/uv.toml gives uv torch's dependencies in place of a wheel's: they
    are the ones the installed wheel declares."""
    config = tomllib.loads((ROOT / "lock" / "uv.toml").read_text(encoding="utf-8"))
    [entry] = config["dependency-metadata"]
    assert entry["name"] == "torch" and entry["version"] == "2.13.0+cpu"
    installed = importlib.metadata.metadata("torch")
    if installed["Version"] != entry["version"]:  # PyPI's build (macOS, Windows)
        assert sys.platform != "linux"
        assert Version(installed["Version"]).public == Version(entry["version"]).public
    assert entry["requires-python"] == installed["Requires-Python"]
    assert [Requirement(r) for r in entry["requires-dist"]] == [
        Requirement(r) for r in installed.get_all("Requires-Dist")
    ]
    assert entry["provides-extra"] == installed.get_all("Provides-Extra")


def run_torch_index(table: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "lock" / "torch_index.py"), str(table), output],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_lock_index_lists_the_eight_linux_wheels_at_pytorchs_addresses(
    tmp_path: Path,
):
    process = run_torch_index(TORCH_TABLE, tmp_path)
    assert process.returncode == 0, process.stderr
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == [
        "torch",
        "torch/index.html",
    ]
    page = (tmp_path / "torch" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"#]+)#sha256=([0-9a-f]{64})">([^<]+)</a>', page)
    table = torch_table()
    assert len(links) == 8
    for url, digest, name in links:
        assert url == "https://download.pytorch.org/whl/cpu/" + name.replace("+", "%2B")
        assert table[name] == digest
    assert {name for _, _, name in links} == {
        name
        for name in table
        if re.fullmatch(
            r"torch-[\d.]+\+cpu-cp31([1-4])-cp31\1-manylinux_2_28_(x86_64|aarch64)\.whl",
            name,
        )
    }


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda text: text.replace("  torch", " torch", 1),
            ":1: not '<sha256>  <wheel>'",
        ),
        (
            lambda text: "\n".join(
                line
                for line in text.splitlines()
                if "cp313-cp313-manylinux" not in line
            ),
            "no +cpu Linux wheel for cp313 x86_64, cp313 aarch64",
        ),
    ],
)
def test_the_lock_index_refuses_a_bad_table(tmp_path: Path, edit, message: str):
    table = tmp_path / "digests.sha256"
    table.write_text(edit(TORCH_TABLE.read_text(encoding="utf-8")), encoding="utf-8")
    process = run_torch_index(table, tmp_path / "index")
    assert process.returncode == 1
    assert process.stderr.startswith(f"error: {table}") and message in process.stderr
    assert not (tmp_path / "index").exists()
