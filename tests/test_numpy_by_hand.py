"""Part 1: the hand-written gradient, the trajectory, and the seed's bug."""

import tomllib

import numpy as np
import pytest
from packaging.requirements import Requirement

from snippet import ROOT, ran, run

X_ = np.array([1.0, 2.0, 3.0, 4.0])  # the data in float64, for the tests' own maths
RNG = np.random.default_rng(0)
WEIGHTS = [0.0, 0.5, 1.0, 2.0, 3.0, -1.5, *RNG.uniform(-10, 10, size=5)]


def true_gradient(X, y, w):
    """(2/n) X^T (wX - y) in float64, written independently of the snippets."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return 2.0 / len(X) * X @ (w * X - y)


@pytest.fixture(scope="module")
def part1():
    return ran("numpy_by_hand/train.py")[0]


@pytest.fixture(scope="module")
def seed():
    return ran("numpy_by_hand/seed_gradient.py")[0]


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
    _, output = ran("numpy_by_hand/seed_gradient.py")
    assert "ratio: 4.000 = n" in output
    assert "    1         0.300                 1.200" in output


def test_np_dot_of_two_vectors_is_a_numpy_scalar_not_an_array(seed):
    dot = seed["dot"]
    assert isinstance(dot, np.float32) and not isinstance(dot, np.ndarray)
    assert dot.mean() == dot
    _, output = ran("numpy_by_hand/seed_gradient.py")
    assert "a NumPy scalar: <class 'numpy.float32'>" in output


def test_history_holds_w_after_the_update_and_the_loss_before_it(part1):
    X, y, lr = part1["X"], part1["y"], part1["learning_rate"]
    w = np.float32(0.0)
    for w_after, loss_before in part1["history"]:
        assert loss_before == part1["mse"](part1["forward"](X, w), y)
        w = w - lr * part1["gradient"](X, y, part1["forward"](X, w))
        assert w_after == w


# --- float32: the same precision as PyTorch, thanks to NumPy 2 ------------------------


def test_w_stays_float32_with_numpy_2(part1):
    assert int(np.__version__.split(".")[0]) >= 2, "the site requires NumPy 2"
    assert type(part1["w"]) is np.float32
    assert type(part1["dw"]) is np.float32
    assert type(part1["learning_rate"] * part1["dw"]) is np.float32  # NEP 50
    page = (ROOT / "docs/numpy_by_hand.md").read_text(encoding="utf-8")
    assert "requires NumPy 2 or later" in page
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    numpy = next(
        Requirement(d)
        for d in pyproject["project"]["dependencies"]
        if Requirement(d).name == "numpy"
    )
    assert not numpy.specifier.contains("1.26.4") and numpy.specifier.contains("2.0")


# --- when to stop ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def early_stop():
    return run("numpy_by_hand/early_stop.py")


def test_the_seeds_settings_stop_by_the_cap_above_the_threshold(early_stop, part1):
    namespace, output = early_stop
    threshold = namespace["threshold"]
    assert threshold == 0.001
    y, formula, lr, cap = namespace["runs"][0]
    assert (formula, lr, cap) == ("2x", 0.01, 30)
    epoch, stopped_by, loss, w = namespace["train"](y, lr, threshold, cap)
    assert (epoch, stopped_by) == (30, "the epoch cap") and loss > threshold
    # the loss it tests is the loss before the last update, the one the log prints
    assert loss == part1["history"][29][1] and w == part1["history"][29][0]


def test_a_larger_cap_lets_the_threshold_stop_a_few_epochs_later(early_stop):
    namespace, _ = early_stop
    y, _, lr, cap = namespace["runs"][1]
    epoch, stopped_by, loss, _ = namespace["train"](y, lr, namespace["threshold"], cap)
    assert stopped_by == "the threshold" and loss < namespace["threshold"]
    assert 30 < epoch <= 35 and epoch < cap
    # loss_k = 30 (1 - 15 lr)^(2 (k - 1)): the first k below the threshold
    k = 1 + np.ceil(np.log(namespace["threshold"] / 30) / (2 * np.log(1 - 15 * lr)))
    assert epoch == k


def test_an_unreachable_threshold_and_a_divergent_run_stop_only_at_the_cap(early_stop):
    namespace, output = early_stop
    threshold = namespace["threshold"]
    y, formula, lr, cap = namespace["runs"][2]
    assert formula == "2x + 1"
    y64 = np.asarray(y, dtype=np.float64)
    lowest = np.mean((X_ @ y64 / (X_ @ X_) * X_ - y64) ** 2)  # at the best w
    assert lowest > threshold
    assert namespace["train"](y, lr, threshold, cap)[:2] == (cap, "the epoch cap")
    y, _, lr, cap = namespace["runs"][3]
    assert abs(1 - 15 * lr) > 1, "diverges"
    epoch, stopped_by, loss, _ = namespace["train"](y, lr, threshold, cap)
    assert (epoch, stopped_by) == (cap, "the epoch cap") and loss > 1e6
    assert output.count("   the epoch cap   ") == 3
    assert output.count("   the threshold   ") == 1


def test_ten_times_larger_data_gives_a_hundred_times_the_loss():
    for w in (0.0, 1.3, 2.5):
        small = np.mean((w * X_ - 2 * X_) ** 2)
        large = np.mean((w * (10 * X_) - 2 * (10 * X_)) ** 2)
        assert large == pytest.approx(100 * small)


# --- the figures' text alternatives ---------------------------------------------------


def test_the_parabola_figure_says_how_many_dots_it_draws():
    namespace, _ = ran("numpy_by_hand/loss_parabola.py")
    iterates = namespace["iterates"]
    assert iterates[0] == 0.0 and len(iterates) == 1 + 12
    dots = namespace["ax"].lines[1]  # the curve, then the dots
    assert len(dots.get_xdata()) == len(iterates) == 13
    assert "Thirteen dots" in namespace["description"]
    assert "the first twelve iterates" in namespace["description"]


# --- "exactly" n times the step: the seed's gradient is the lr n times larger ---------


def test_the_seeds_gradient_steps_exactly_as_the_correct_one_at_n_times_the_lr(seed):
    """The danger box: "exactly what the correct gradient does with a learning
    rate n times larger", to the last bit (scaling by 4 is exact in floats)."""
    X, y, n = seed["X"], seed["y"], len(seed["X"])
    w_seed = w_ok = 0.0
    for _ in range(30):
        w_seed = w_seed - 0.01 * seed["seed_gradient"](X, y, w_seed * X)
        w_ok = w_ok - (n * 0.01) * seed["gradient"](X, y, w_ok * X)
        assert w_seed == w_ok
