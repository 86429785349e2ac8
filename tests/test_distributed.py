"""Several processes: DDP under torchrun equals single-process gradient descent."""

import ast
import concurrent.futures
import os
import re
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch.distributed.run import get_args_parser

from snippet import ROOT, Completed, block_result, ran, run

DDP = ROOT / "snippets/distributed/ddp.py"
LAUNCH = ROOT / "snippets/distributed/launch.py"
PAGE = (ROOT / "docs/distributed.md").read_text(encoding="utf-8")
ROW_RE = re.compile(
    r"^ +(\d+) +w=(\S+) b=(\S+) loss= *(\S+) +w=(\S+) b=(\S+) loss= *(\S+)$",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def launched(results: dict) -> str:
    """What the page's block printed in the shared build: launch.py, run as the
    build runs every block, started ddp.py with torchrun in two processes.
    (tests/test_notebooks.py checks that the page and the notebook show it.)"""
    return block_result(results, "distributed.md", "distributed-torchrun")["output"]


def launcher() -> dict:
    """launch.py's imports and functions, without the lines that launch ddp.py."""
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"), str(LAUNCH))
    kept = (ast.Import, ast.ImportFrom, ast.FunctionDef)
    dropped = [n for n in tree.body if not isinstance(n, kept)]
    assert all(ast.unparse(n).startswith("print(") for n in dropped)
    tree.body = [n for n in tree.body if isinstance(n, kept)]
    namespace = {"__name__": "launch_functions"}
    exec(compile(tree, str(LAUNCH), "exec"), namespace)  # noqa: S102
    return namespace


def table(output: str) -> list[tuple[str, ...]]:
    """Each step's printed (w, b, loss) with DDP, then without: as printed."""
    return [row[1:] for row in ROW_RE.findall(output)]


def test_the_launcher_shows_the_torchrun_command_and_two_processes(launched):
    output = launched
    command = "torchrun --standalone --nproc-per-node=2 snippets/distributed/ddp.py"
    assert output.startswith(f"$ {command}\n")
    assert f"```bash\n{command}\n```" in PAGE, "the page shows the same command"
    assert "2 process(es), backend gloo, device cpu" in output
    assert "rank 0 holds x = [1.0, 2.0]\nrank 1 holds x = [3.0, 4.0]\n" in output


def test_every_step_equals_plain_gradient_descent_on_all_the_data(launched):
    rows = table(launched)
    namespace = runpy.run_path(str(DDP), run_name="ddp")  # functions, no main()
    assert len(rows) == namespace["n_steps"] == 5
    reference = namespace["train_single_process"]()
    for step, (w, b, loss, w1, b1, loss1) in enumerate(rows):
        # "every w and b agrees to the six printed decimals"
        assert (w, b) == (w1, b1)
        assert (float(w1), float(b1)) == pytest.approx(reference[step][:2], abs=5e-7)
        # "the logged loss ... can differ in the last printed digit"
        assert float(loss) == pytest.approx(float(loss1), abs=1e-5)
    largest = float(re.search(r"plain gradient descent: (\S+)$", launched)[1])
    assert largest < 1e-5
    assert float(rows[-1][0]) > float(rows[0][0]) + 0.5, "five steps moved w"
    # Not bit for bit: the page's summary says so.
    summary = " ".join(PAGE[: PAGE.index("\n---\n", 4)].split())
    assert "every step the single-process step up to float32 rounding" in summary


def test_each_row_logs_w_and_b_after_the_step_and_the_loss_before_it():
    """The page: in each row w and b are after the step, the loss is the one the
    step was computed from (the row above's parameters, or the seeded start)."""
    namespace = runpy.run_path(str(DDP), run_name="ddp")  # functions, no main()
    X, y = namespace["X"].double(), namespace["y"].double()
    torch.manual_seed(0)
    start = torch.nn.Linear(1, 1)
    before = [(start.weight.item(), start.bias.item())]
    reference = namespace["train_single_process"]()
    before += [(w, b) for w, b, _ in reference[:-1]]
    for (w, b), (_, _, loss) in zip(before, reference, strict=True):
        assert loss == pytest.approx(((w * X + b - y) ** 2).mean().item(), rel=1e-6)
    page = " ".join(PAGE.split())
    assert "w and b are the parameters after the step, and the loss" in (
        page.replace("$", "")
    )


def test_the_page_names_every_variable_torchrun_sets_that_the_program_reads():
    source = DDP.read_text(encoding="utf-8")
    read = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    assert read == {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"}
    bullet = PAGE[PAGE.index("- **torchrun starts the processes.**") :]
    bullet = bullet[: bullet.index("\n- **")]
    for name in read | {"MASTER_ADDR", "MASTER_PORT"}:
        assert f"`{name}`" in bullet, name


def test_plain_python_runs_a_group_of_one_process(tmp_path: Path, programs):
    process = programs.run(DDP, tmp_path, timeout=120)  # `python ddp.py`
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("1 process(es), backend gloo, device cpu\n")
    assert "rank 0 holds x = [1.0, 2.0, 3.0, 4.0]" in process.stdout
    rows = table(process.stdout)
    assert len(rows) == 5 and all(row[:3] == row[3:] for row in rows)


def torchrun_program(tmp_path: Path, source: str, **options) -> str:
    path = tmp_path / "program.py"
    path.write_text(source, encoding="utf-8")
    return launcher()["torchrun"](str(path), **options)


def test_without_the_all_reduce_the_copies_drift_apart_and_the_check_says_so(
    tmp_path: Path, programs
):
    """DistributedDataParallel replaced by a wrapper that averages nothing: the
    program's own check fails. Two processes, told who they are as torchrun
    tells them (RANK, WORLD_SIZE, ... and where to meet), forked from a parent
    that imported torch (`programs`). The launcher's report of a failing
    worker is tested below, with workers that import nothing."""
    no_all_reduce = (
        "class DistributedDataParallel(nn.Module):\n"
        "    def __init__(self, module):\n"
        "        super().__init__()\n"
        "        self.module = module\n\n"
        "    def forward(self, x):\n"
        "        return self.module(x)\n"
    )
    source = DDP.read_text(encoding="utf-8")
    line = "from torch.nn.parallel import DistributedDataParallel\n"
    assert line in source
    program = tmp_path / "program.py"
    program.write_text(source.replace(line, no_all_reduce), encoding="utf-8")
    with socket.socket() as free:  # a port for the group to meet on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    group = {"WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1"}
    group["MASTER_PORT"] = str(port)

    def worker(rank: int) -> Completed:
        env = {**os.environ, **group, "RANK": str(rank), "LOCAL_RANK": str(rank)}
        env["CUDA_VISIBLE_DEVICES"] = ""  # two processes on the CPU, as torchrun's
        return programs.server.capture([str(program)], tmp_path, 120, env)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first, second = pool.map(worker, [0, 1])
    assert second.returncode == 0, second.stderr
    assert first.returncode != 0
    assert "AssertionError: the copies drifted apart" in first.stderr, first.stderr
    assert "2 process(es), backend gloo, device cpu" in first.stdout


def test_ddp_gives_every_process_the_first_process_parameters(tmp_path: Path, programs):
    """The page: DDP copies the first process's parameters when it wraps the
    model. Two processes in a gloo group, as under torchrun: a program forked
    from a parent that imported torch (`programs`) forks once more, so neither
    pays for the import."""
    program = tmp_path / "program.py"
    program.write_text(
        "import datetime, os\n"
        "import torch, torch.distributed as dist\n"
        "from torch.nn.parallel import DistributedDataParallel\n"
        "rank = 1 if os.fork() == 0 else 0  # two processes\n"
        "dist.init_process_group(\n"
        f"    'gloo', init_method='file://{tmp_path / 'store'}', rank=rank,\n"
        "    world_size=2, timeout=datetime.timedelta(seconds=60)\n"
        ")\n"
        "torch.manual_seed(rank)  # a different start in each process\n"
        "model = torch.nn.Linear(1, 1)\n"
        "before = [None, None]\n"
        "dist.all_gather_object(before, model.weight.item())\n"
        "DistributedDataParallel(model)\n"
        "after = [None, None]\n"
        "dist.all_gather_object(after, model.weight.item())\n"
        "if rank == 0:\n"
        "    print(before[0] != before[1], after[0] == after[1] == before[0])\n"
        "dist.destroy_process_group()\n"
        "if rank == 1:\n"
        "    os._exit(0)\n"
        "assert os.waitstatus_to_exitcode(os.wait()[1]) == 0, 'rank 1 failed'\n",
        encoding="utf-8",
    )
    process = programs.run(program, tmp_path, timeout=120)
    assert process.returncode == 0, process.stderr
    assert process.stdout == "True True\n"


class PopenOnceStarted(subprocess.Popen):
    """subprocess.Popen whose communicate() first waits (up to 120 s) until
    both workers have written their process ids into `folder`: torchrun()'s
    timeout then counts from there, however slowly a loaded machine starts
    torchrun and its workers."""

    folder: Path

    def communicate(self, input=None, timeout=None):  # noqa: A002
        deadline = time.monotonic() + 120
        while len(pids(self.folder)) < 2 and time.monotonic() < deadline:
            try:
                self.wait(timeout=0.1)  # torchrun ended early: stop waiting
                break
            except subprocess.TimeoutExpired:
                pass
        return super().communicate(input, timeout)


def pids(folder: Path) -> list[int]:
    """The process ids the workers wrote (each file renamed into place whole)."""
    return [int(path.read_text()) for path in folder.glob("[0-9]*")]


def alive(pid: int) -> bool:
    """Running, or stopped but not yet reaped by anyone but a zombie's parent."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")  # Linux: a zombie has exited
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_a_stuck_worker_becomes_an_error_and_the_workers_are_stopped(tmp_path: Path):
    folder = tmp_path / "pids"
    folder.mkdir()
    (tmp_path / "program.py").write_text(
        "import os, pathlib, threading\n"
        f"folder = pathlib.Path({str(folder)!r})\n"
        "(folder / ('.' + os.environ['RANK'])).write_text(str(os.getpid()))\n"
        "(folder / ('.' + os.environ['RANK'])).rename(folder / os.environ['RANK'])\n"
        "threading.Event().wait()  # never returns\n",
        encoding="utf-8",
    )
    torchrun = launcher()["torchrun"]
    popen = type("Popen", (PopenOnceStarted,), {"folder": folder})
    torchrun.__globals__["subprocess"] = SimpleNamespace(
        Popen=popen, PIPE=subprocess.PIPE, TimeoutExpired=subprocess.TimeoutExpired
    )
    with pytest.raises(RuntimeError, match=r"still running after 1 s"):
        torchrun(str(tmp_path / "program.py"), timeout_s=1)
    started = pids(folder)
    assert len(started) == 2, "both workers had started"
    assert not any(alive(pid) for pid in started), "torchrun stopped its workers"


def test_a_failing_worker_stops_the_others_and_its_error_is_raised(tmp_path: Path):
    """The worker's own error reaches the message (torchrun passes its stderr
    on: what the gloo-abort retry below reads)."""
    with pytest.raises(RuntimeError, match="worker 1 broke") as error:
        torchrun_program(
            tmp_path,
            "import os, threading\n"
            "if os.environ['RANK'] == '1':\n"
            "    raise ValueError('worker 1 broke')\n"
            "threading.Event().wait()\n",
            timeout_s=100,
        )
    assert "program.py failed (exit status" in str(error.value)


def test_the_launcher_ran_to_the_end_in_the_build(launched, results: dict):
    """The build ran the block with exec() under a module name, not `__main__`
    (tools/runner.py, markdown-exec's way), in a process of its own. After
    other blocks' backward() in one process, as markdown-exec would run it,
    is tools/run_blocks.py's check (for a machine with a GPU, where autograd's
    threads and fork do not mix). In this build, or in the one whose result
    the cache holds (`make check-chapter`): the cache is salted with the
    tools' own files (tools/cache.py)."""
    record = block_result(results, "distributed.md", "distributed-torchrun")
    assert not record["error"]
    assert "largest difference from plain gradient descent" in launched


def test_the_launcher_never_joins_a_group_itself():
    """It imports no torch: only its workers, new Pythons, join the group."""
    tree = ast.parse(LAUNCH.read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    imported = {a.name for n in nodes if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in nodes if isinstance(n, ast.ImportFrom)}
    assert imported == {"subprocess", "sys"}


def test_the_page_declares_the_file_the_block_runs():
    fence = re.search(r'```python exec="on"[^\n]*id="distributed-torchrun"[^\n]*', PAGE)
    assert fence and 'runs="snippets/distributed/ddp.py"' in fence[0]
    assert '```python title="snippets/distributed/ddp.py"\n' in PAGE, "shown"


def test_the_timeouts_the_page_states():
    launch = LAUNCH.read_text(encoding="utf-8")
    assert "def torchrun(program, nproc=2, timeout_s=120):" in launch
    assert "still running after two minutes" in " ".join(PAGE.split())
    assert "timedelta(seconds=60)" in DDP.read_text(encoding="utf-8")
    assert "fail after the 60 s `timeout`" in " ".join(PAGE.split())


def test_the_several_machines_command_is_valid_torchrun():
    command = re.search(r"```bash\n(torchrun --nnodes.*?)\n```", PAGE, re.S)[1]
    words = command.replace("\\\n", " ").split()[1:]
    args = get_args_parser().parse_args(words)
    assert (args.nnodes, args.nproc_per_node) == ("2", "8")
    assert args.rdzv_endpoint == "HOST:29500" and args.rdzv_backend == "c10d"
    assert args.training_script == "snippets/distributed/ddp.py"
    assert "eight processes each, sixteen in all" in " ".join(PAGE.split())


def test_equal_shards_average_to_the_full_gradient_and_unequal_ones_do_not():
    namespace, output = ran("distributed/uneven_shards.py")
    gradient, X, y, full = (namespace[k] for k in ["gradient", "X", "y", "full"])

    def averaged(sizes):
        parts = zip(X.split(sizes), y.split(sizes), strict=True)
        return torch.stack([gradient(a, b) for a, b in parts]).mean(dim=0)

    assert torch.allclose(averaged((2, 2)), full, rtol=1e-6)
    assert not torch.allclose(averaged((3, 1)), full, rtol=0.1)
    lines = output.splitlines()
    assert len(lines) == 3 and lines[0].split("dL")[1:] == lines[1].split("dL")[1:]
    assert lines[2].split("dL")[1:] != lines[0].split("dL")[1:]


# --- the exercises --------------------------------------------------------------


def exercises_section() -> str:
    return PAGE[PAGE.index("\n## Exercises\n") :]


def test_exercises_come_last_with_hidden_executed_solutions():
    section = exercises_section()
    assert "\n## " not in section[len("\n## Exercises\n") :], "Exercises is last"
    assert re.search(r"\nNext, \[[^\]]+\]\([a-z_]+\.md\)", section)
    solutions = section.count('??? success "Solution"')
    fences = re.findall(
        r'\n    ```python exec="on" source="above" result="text" id="[a-z-]+"\n'
        r'    --8<-- "snippets/distributed/exercise_[a-z_]+\.py"\n',
        section,
    )
    assert solutions == len(fences) == 2


def test_the_sampler_repeats_a_sample_or_drops_one_and_neither_is_the_full_step():
    namespace, output = run("distributed/exercise_sampler_padding.py")
    X, y, gradient, full = (namespace[k] for k in ["X", "y", "gradient", "full"])
    assert "drop_last=False: rank 0 gets samples [0, 2, 4]" in output
    assert "drop_last=False: rank 1 gets samples [1, 3, 0]" in output  # 0 again
    assert "drop_last=True: rank 0 gets samples [0, 2]" in output
    assert "drop_last=True: rank 1 gets samples [1, 3]" in output  # 4 left out
    six_points = [0, 2, 4, 1, 3, 0]
    padded = torch.stack(
        [gradient(X[[0, 2, 4]], y[[0, 2, 4]]), gradient(X[[1, 3, 0]], y[[1, 3, 0]])]
    ).mean(dim=0)
    same = gradient(X[six_points], y[six_points])
    # float32 sums in another order: a few units in the last place, near 0 too
    assert torch.allclose(padded, same, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(padded, full, rtol=0.05, atol=0.0)
    first_four = ran("distributed/uneven_shards.py")[0]["full"]
    dropped = namespace["average"]  # the last run: drop_last=True
    assert torch.allclose(dropped, first_four, rtol=1e-5, atol=1e-5)
    # ... which the page says up to float32 rounding, not "exactly".
    solution = " ".join(exercises_section().split())
    assert "gradient of the first four points exactly" not in solution
    assert "program above, up to float32 rounding" in solution
    assert not torch.allclose(dropped, full, rtol=0.05, atol=0.0)


def test_a_summed_loss_averaged_over_p_processes_is_one_pth_of_the_full_sum():
    namespace, output = run("distributed/exercise_summed_loss.py")
    gradient, X, y = namespace["gradient"], namespace["X"], namespace["y"]
    full_sum, full_mean = gradient(X, y, "sum"), gradient(X, y, "mean")
    for p in (1, 2, 4):
        shards = zip(X.chunk(p), y.chunk(p), strict=True)
        average = torch.stack([gradient(a, b, "sum") for a, b in shards]).mean(0)
        assert torch.allclose(average, full_sum / p, rtol=1e-5, atol=1e-5)
    assert torch.allclose(full_sum / 4, full_mean, rtol=1e-5, atol=1e-5), "four"
    assert len(X) == 4
    assert "4 process(es), 'sum', averaged" in output


def test_solution_prose_types_no_computed_number():
    section = exercises_section()
    for question, solution in re.findall(
        r"\n### [^\n]+\n(.*?)\?\?\? success \"Solution\"\n(.*?)```python", section, re.S
    ):
        path = re.search(r'--8<-- "([^"]+)"', section[section.index(solution) :])[1]
        allowed = question + (ROOT / path).read_text(encoding="utf-8")
        for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", solution):
            assert number in allowed, f"docs/distributed.md: {number!r} typed by hand"


def test_solutions_open_in_the_built_page(site_dir: Path):
    html = (site_dir / "distributed" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<details class="success">(.*?)</details>', html, re.S)
    assert len(blocks) == 2
    for block in blocks:
        assert '<div class="language-python highlight">' in block
        assert '<div class="language-text highlight">' in block


ABORT = "terminate called without an active exception\n"


class FakePopen:
    """Stands in for subprocess.Popen in torchrun()'s globals: each start is the
    next (exit status, stdout, stderr) of `runs`; the commands are recorded."""

    def __init__(self, *runs: tuple[int, str, str]) -> None:
        self.runs, self.commands = list(runs), []

    def __call__(self, command: list[str], **options) -> SimpleNamespace:
        self.commands.append(command)
        returncode, output, errors = self.runs.pop(0)
        return SimpleNamespace(
            returncode=returncode, communicate=lambda timeout: (output, errors)
        )


def fake_torchrun(*runs: tuple[int, str, str]):
    """launch.py's torchrun() with FakePopen starting it."""
    torchrun = launcher()["torchrun"]
    popen = FakePopen(*runs)
    torchrun.__globals__["subprocess"] = SimpleNamespace(
        Popen=popen, PIPE=subprocess.PIPE, TimeoutExpired=subprocess.TimeoutExpired
    )
    return torchrun, popen


def test_the_launcher_runs_again_only_after_a_gloo_abort():
    """One more start after a worker's abort in gloo; any other failure, or a
    second abort, is final."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc-per-node=1", "program.py"]

    torchrun, popen = fake_torchrun((134, "", ABORT), (0, "second start\n", ""))
    assert torchrun("program.py", nproc=1) == "second start\n"
    assert popen.commands == [command, command], "started again, the same way"

    torchrun, popen = fake_torchrun((134, "", ABORT), (134, "", ABORT), (0, "", ""))
    with pytest.raises(RuntimeError, match=r"program.py failed \(exit status 134\)"):
        torchrun("program.py", nproc=1)
    assert len(popen.commands) == 2, "started twice, not three times"

    torchrun, popen = fake_torchrun((1, "", "ValueError: no\n"), (0, "", ""))
    with pytest.raises(RuntimeError, match=r"failed \(exit status 1\):\nValueError"):
        torchrun("program.py", nproc=1)
    assert popen.commands == [command], "started once: not an abort"

    torchrun, popen = fake_torchrun((134, "", "Aborted\n"), (0, "", ""))
    with pytest.raises(RuntimeError, match="exit status 134"):
        torchrun("program.py", nproc=1)
    assert len(popen.commands) == 1, "an abort elsewhere than gloo is final"

    torchrun, popen = fake_torchrun((0, "fine\n", ABORT))
    assert torchrun("program.py", nproc=1) == "fine\n"
    assert len(popen.commands) == 1, "a run that succeeded is not run again"
