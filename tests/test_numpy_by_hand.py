"""Part 1: the hand-written gradient, the trajectory, and the seed's bug."""

import numpy as np
import pytest

from snippet import run

RNG = np.random.default_rng(0)
WEIGHTS = [0.0, 0.5, 1.0, 2.0, 3.0, -1.5, *RNG.uniform(-10, 10, size=5)]


def true_gradient(X, y, w):
    """(2/n) X^T (wX - y) in float64, written independently of the snippets."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return 2.0 / len(X) * X @ (w * X - y)


@pytest.fixture(scope="module")
def part1():
    return run("numpy_by_hand/train.py")[0]


@pytest.fixture(scope="module")
def seed():
    return run("numpy_by_hand/seed_gradient.py")[0]


@pytest.mark.parametrize("w", WEIGHTS)
def test_gradient_is_two_over_n_xt_residual(part1, w):
    X, y = part1["X"], part1["y"]
    got = part1["gradient"](X, y, part1["forward"](X, np.float32(w)))
    assert got == pytest.approx(true_gradient(X, y, w), rel=1e-5, abs=1e-4)


def test_loss_is_the_mean_squared_error(part1):
    X, y = part1["X"], part1["y"]
    assert part1["mse"](part1["forward"](X, 0.0), y) == pytest.approx(30.0)


def test_first_epochs_match_the_worked_numbers(part1):
    (w1, l1), (w2, l2) = part1["history"][:2]
    assert f"{w1:.3f}, {l1:.8f}" == "0.300, 30.00000000"
    assert f"{w2:.3f}, {l2:.8f}" == "0.555, 21.67499924"


def test_w_follows_the_closed_form(part1):
    lr = part1["learning_rate"]
    for k, (w, _) in enumerate(part1["history"], start=1):
        assert w == pytest.approx(2 - 2 * (1 - 15 * lr) ** k, rel=1e-5), k


def test_converges_to_two(part1):
    w, loss = part1["history"][-1]
    assert abs(w - 2) < 2e-3 and loss < 1e-5


@pytest.mark.parametrize("w", WEIGHTS)
def test_seed_gradient_is_exactly_n_times_the_true_one(seed, w):
    X, y = seed["X"], seed["y"]
    y_pred = np.float32(w) * X
    assert seed["gradient"](X, y, y_pred) == pytest.approx(true_gradient(X, y, w))
    assert seed["seed_gradient"](X, y, y_pred) == len(X) * seed["gradient"](
        X, y, y_pred
    )


def test_seed_gradient_diverges_where_the_true_one_converges(seed):
    X, y, lr = seed["X"], seed["y"], 0.05
    w_ok = w_seed = 0.0
    for _ in range(100):
        w_ok -= lr * seed["gradient"](X, y, w_ok * X)
        w_seed -= lr * seed["seed_gradient"](X, y, w_seed * X)
    assert abs(w_ok - 2) < 1e-4
    assert abs(w_seed) > 1e6


def test_seed_gradient_makes_the_first_step_n_times_longer(seed):
    assert seed["w_seed"] != pytest.approx(seed["w_ok"])
    _, output = run("numpy_by_hand/seed_gradient.py")
    assert "ratio: 4.000 = n" in output
    assert "    1         0.300                 1.200" in output
