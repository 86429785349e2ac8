"""Where it runs: one device choice, everything moved once, CPU-reference numbers."""

import re

import numpy as np
import pytest
import torch

from snippet import ROOT, ran, run

SOURCE = (ROOT / "snippets/devices/where_it_runs.py").read_text(encoding="utf-8")


def cpu_reference():
    """Part 4's model, lr = 0.05, 200 epochs, written without any device."""
    X = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    y = 2 * X
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(200):
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return model.weight.item(), model.bias.item(), loss.item()


def summary(output: str) -> tuple[float, float, float]:
    match = re.search(r"w = (\S+), b = (\S+), loss = (\S+)$", output, re.MULTILINE)
    return float(match[1]), float(match[2]), float(match[3])


def available_device() -> str:
    """What the page says the program picks: the accelerator PyTorch can use
    here, else the CPU (written here without the program's code)."""
    accelerator = torch.accelerator.current_accelerator(check_available=True)
    return "cpu" if accelerator is None else accelerator.type


def code_of(source: str) -> str:
    """The program without its comments."""
    return "\n".join(line.split("#")[0] for line in source.splitlines())


def test_prints_the_device_it_chose():
    namespace, output = ran("devices/where_it_runs.py")
    expected = available_device()
    assert namespace["device"] == expected
    assert output.startswith(f"device: {expected}\n")


def test_a_build_without_an_accelerator_has_none_and_runs_on_the_cpu():
    """The page: the CPU build this site was built with has no accelerator,
    current_accelerator() returns None, and the program says cpu."""
    if torch.backends.cuda.is_built() or torch.backends.mps.is_built():
        assert torch.accelerator.current_accelerator() is not None
        return  # not the CPU build (CUDA on Linux, MPS on macOS): nothing to say
    assert torch.accelerator.current_accelerator() is None
    assert not torch.accelerator.is_available()
    assert torch.accelerator.device_count() == 0
    assert ran("devices/where_it_runs.py")[0]["device"] == "cpu"


def test_data_and_model_are_on_the_chosen_device():
    namespace, _ = ran("devices/where_it_runs.py")
    device = torch.device(namespace["device"]).type
    assert namespace["X"].device.type == namespace["y"].device.type == device
    assert all(p.device.type == device for p in namespace["model"].parameters())


def test_the_numbers_match_the_cpu_reference_to_float32_tolerance():
    namespace, output = ran("devices/where_it_runs.py")
    reference = cpu_reference()
    assert summary(output) == pytest.approx(reference, rel=1e-5, abs=1e-6)
    if namespace["device"] == "cpu":  # the same arithmetic: the same bits
        got = (namespace["w"], namespace["b"], namespace["loss"].item())
        assert got == reference


def test_the_device_is_chosen_in_one_place_only_through_torch_accelerator():
    code = code_of(SOURCE)
    assert code.count("torch.accelerator.is_available()") == 1
    assert code.count("torch.accelerator.current_accelerator()") == 1
    assert code.count('"cpu"') == 1
    for name in ("cuda", "mps", "torch.backends"):  # no chain, one kind at a time
        assert name not in code, name
    assert ".cuda(" not in SOURCE and ".cpu(" not in SOURCE
    assert SOURCE.count(".to(device)") == 3  # X, y and the model, once each


def accelerator(monkeypatch, kind: str | None, available: bool) -> None:
    """Make torch.accelerator report an accelerator of `kind` (None: a build
    without one), available here or not."""
    device = None if kind is None else torch.device(kind)
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda: device)
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: available)


def test_the_program_follows_the_device_choice(monkeypatch):
    """With a CUDA accelerator reported available, the program must really use
    "cuda"."""
    cuda_here = torch.backends.cuda.is_built() and torch.cuda.device_count() > 0
    accelerator(monkeypatch, "cuda", available=True)
    if not cuda_here:
        # No GPU here: moving the data to "cuda" is what fails. A CPU-only build
        # says "Torch not compiled with CUDA enabled"; a CUDA build on a machine
        # without a GPU (PyPI's torch for Linux) "Found no NVIDIA driver ...".
        cause = r"(?i)cuda|no NVIDIA driver"
        with pytest.raises((AssertionError, RuntimeError), match=cause):
            run("devices/where_it_runs.py")
    else:
        namespace, output = run("devices/where_it_runs.py")
        assert output.startswith("device: cuda\n")
        assert summary(output) == pytest.approx(cpu_reference(), rel=1e-5, abs=1e-6)


def test_the_program_takes_mps_when_that_is_the_accelerator(monkeypatch):
    """With an MPS accelerator reported available, the program must really use
    "mps"."""
    accelerator(monkeypatch, "mps", available=True)
    if not torch.backends.mps.is_built():
        # Not a Mac build: moving the data to "mps" is what fails.
        with pytest.raises(RuntimeError, match="mps"):
            run("devices/where_it_runs.py")
    else:
        namespace, output = run("devices/where_it_runs.py")
        assert output.startswith("device: mps\n")
        assert summary(output) == pytest.approx(cpu_reference(), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("kind", ["cuda", "mps", None])
def test_an_accelerator_that_is_not_available_leaves_the_cpu(monkeypatch, kind):
    """A CUDA build on a machine without a GPU knows its accelerator, "cuda",
    but cannot use it: the program must ask is_available() and take the CPU."""
    accelerator(monkeypatch, kind, available=False)
    namespace, output = run("devices/where_it_runs.py")
    assert namespace["device"] == "cpu" and output.startswith("device: cpu\n")
    assert summary(output) == pytest.approx(cpu_reference(), rel=1e-5, abs=1e-6)


# --- the exercises --------------------------------------------------------------

PAGE = (ROOT / "docs/devices.md").read_text(encoding="utf-8")


def test_exercises_come_last_with_hidden_executed_solutions():
    section = PAGE[PAGE.index("\n## Exercises\n") :]
    assert "\n## " not in section[len("\n## Exercises\n") :], "Exercises is last"
    assert re.search(r"\nNext, \[[^\]]+\]\([a-z_]+\.md\)", section)
    solutions = section.count('??? success "Solution"')
    fences = re.findall(
        r'\n    ```python exec="on" source="above" result="text" id="[a-z-]+"\n'
        r'    --8<-- "snippets/devices/exercise_[a-z_]+\.py"\n',
        section,
    )
    assert solutions == len(fences) == 2
    for question, solution in re.findall(
        r"\n### [^\n]+\n(.*?)\?\?\? success \"Solution\"\n(.*?)```python", section, re.S
    ):
        path = re.search(r'--8<-- "([^"]+)"', section[section.index(solution) :])[1]
        allowed = question + (ROOT / path).read_text(encoding="utf-8")
        for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", solution):
            assert number in allowed, f"docs/devices.md: {number!r} typed by hand"


def test_a_model_and_data_on_two_devices_stop_with_both_named():
    namespace, output = run("devices/exercise_mixed_devices.py")
    assert namespace["X"].device.type == "cpu"
    assert namespace["model"].weight.device.type == "meta"
    message = re.search(r"^RuntimeError: (.+)$", output, re.MULTILINE)[1]
    assert "meta" in message and "cpu" in message


def test_to_moves_a_model_in_place_and_returns_a_new_tensor():
    namespace, output = run("devices/exercise_to_without_assignment.py")
    assert "parameters on meta" in output
    assert "after X.to(device):     X on cpu" in output
    assert namespace["X"].device.type == "meta"
    model, X = torch.nn.Linear(1, 1), torch.ones(4, 1)
    assert model.to("meta") is model, "a model's .to() returns the model itself"
    moved = X.to("meta")
    assert moved is not X and X.device.type == "cpu", "the original stays"


def test_solutions_open_in_the_built_page(site_dir):
    html = (site_dir / "devices" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<details class="success">(.*?)</details>', html, re.S)
    assert len(blocks) == 2
    for block in blocks:
        assert '<div class="language-python highlight">' in block
        assert '<div class="language-text highlight">' in block


# --- "When your digits differ": which printed digits can move -----------------------

LOGS = {  # the part's program -> the epochs its log prints
    "numpy_by_hand/train.py": lambda epoch: epoch <= 3 or epoch % 5 == 0,
    "autograd/train.py": lambda epoch: epoch <= 3 or epoch % 5 == 0,
    "loss_and_optimizer/train.py": lambda epoch: epoch <= 3 or epoch % 5 == 0,
}


@pytest.mark.parametrize("program", sorted(LOGS))
def test_printed_losses_above_one_show_more_digits_than_float32_holds(program):
    namespace, output = run(program)
    printed = [float(x) for x in re.findall(r"loss = (\d+\.\d{8})\b", output)]
    above_one = [loss for loss in printed if loss > 1]
    assert above_one, program
    for loss in above_one:
        # One float32 unit in the last place is wider than the printed 1e-8.
        assert np.spacing(np.float32(loss)) > 1e-8, (program, loss)


@pytest.mark.parametrize(
    "program",
    [*sorted(LOGS), "torch_model/no_bias.py"],
)
def test_three_decimal_weights_lie_far_from_a_rounding_boundary(program):
    namespace, output = run(program)
    printed = re.findall(r"w = (-?\d+\.\d{3})\b", output)
    assert printed, program
    weights = [w for w, _ in namespace["history"]]
    shown = [f"{w:.3f}" for w in weights]
    assert set(printed) <= set(shown)  # the log prints these values
    for w in weights:
        if f"{w:.3f}" not in printed:
            continue
        boundary = (np.floor(w * 1000 - 0.5) + 0.5) / 1000  # the nearest x.xxx5 below
        distance = min(abs(w - boundary), abs(boundary + 0.001 - w))
        ulp = float(np.spacing(np.float32(abs(w))))
        assert distance >= 100 * ulp, (program, w, distance / ulp)
