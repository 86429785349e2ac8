"""Part 2: autograd's gradient, zero_grad, and the gradient check."""

import re

import pytest
import torch

from snippet import run

WEIGHTS = [0.0, 0.5, 1.0, 2.0, 3.0, -4.25, 7.5]


@pytest.fixture(scope="module")
def check():
    return run("autograd/gradient_check.py")[0]


def test_trajectory_equals_part1():
    part1 = run("numpy_by_hand/train.py")[0]["history"]
    part2 = run("autograd/train.py")[0]["history"]
    assert len(part2) == len(part1) == 50
    for (w1, l1), (w2, l2) in zip(part1, part2, strict=True):
        assert w2 == pytest.approx(w1, rel=1e-6, abs=1e-6)
        assert l2 == pytest.approx(l1, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("w", WEIGHTS)
def test_manual_autograd_and_finite_difference_agree(check, w):
    manual = check["manual_gradient"](torch.tensor(w)).item()
    autograd = check["autograd_gradient"](w).item()
    finite = check["finite_difference"](w).item()
    expected = 2 / 4 * sum(x * (w * x - 2 * x) for x in (1, 2, 3, 4))
    assert manual == pytest.approx(expected, rel=1e-6, abs=1e-5)
    assert autograd == pytest.approx(manual, rel=1e-6, abs=1e-5)
    assert finite == pytest.approx(manual, rel=1e-4, abs=1e-3)


def test_gradient_check_catches_a_missing_one_over_n(check):
    X, y = check["X"], check["y"]

    def seed_gradient(w):
        return torch.dot(2 * X, w * X - y)

    assert check["finite_difference"](0.0).item() != pytest.approx(
        seed_gradient(torch.tensor(0.0)).item(), rel=0.1
    )


def test_without_zero_grad_only_the_first_gradient_is_right():
    _, output = run("autograd/no_zero_grad.py")
    rows = [
        [float(v) for v in line.split()]
        for line in output.splitlines()
        if re.match(r"\s*\d+\s", line)
    ]
    assert len(rows) == 5
    epoch1, *later = rows
    assert epoch1[1] == epoch1[2]
    assert all(abs(true - accumulated) > 1 for _, true, accumulated, _ in later)
    # w.grad is the running sum of the true gradients
    assert rows[1][2] == pytest.approx(rows[0][1] + rows[1][1], abs=2e-3)
    assert rows[-1][3] > 2, "w should overshoot the minimum"
