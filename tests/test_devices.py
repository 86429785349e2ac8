"""Where it runs: one device choice, everything moved once, CPU-reference numbers."""

import re

import pytest
import torch

from snippet import ROOT, run

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


def test_prints_the_device_it_chose():
    namespace, output = run("devices/where_it_runs.py")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert namespace["device"] == expected
    assert output.startswith(f"device: {expected}\n")


def test_data_and_model_are_on_the_chosen_device():
    namespace, _ = run("devices/where_it_runs.py")
    device = torch.device(namespace["device"]).type
    assert namespace["X"].device.type == namespace["y"].device.type == device
    assert all(p.device.type == device for p in namespace["model"].parameters())


def test_the_numbers_match_the_cpu_reference_to_float32_tolerance():
    namespace, output = run("devices/where_it_runs.py")
    reference = cpu_reference()
    assert summary(output) == pytest.approx(reference, rel=1e-5, abs=1e-6)
    if namespace["device"] == "cpu":  # the same arithmetic: the same bits
        got = (namespace["w"], namespace["b"], namespace["loss"].item())
        assert got == reference


def test_the_device_is_chosen_in_one_place_only():
    assert SOURCE.count('"cuda"') == 1 and SOURCE.count('"cpu"') == 1
    assert ".cuda(" not in SOURCE and ".cpu(" not in SOURCE
    assert SOURCE.count(".to(device)") == 3  # X, y and the model, once each


def test_the_program_follows_the_device_choice(monkeypatch):
    """With CUDA reported available, the program must really use "cuda"."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    if not torch.backends.cuda.is_built() or torch.cuda.device_count() == 0:
        # No GPU here: moving the data to "cuda" is what fails.
        with pytest.raises((AssertionError, RuntimeError), match="(?i)cuda"):
            run("devices/where_it_runs.py")
    else:
        namespace, output = run("devices/where_it_runs.py")
        assert output.startswith("device: cuda\n")
        assert summary(output) == pytest.approx(cpu_reference(), rel=1e-5, abs=1e-6)
