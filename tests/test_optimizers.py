"""Better optimizers: the update rules as the page writes them; the measurements."""

import math
import re

import pytest
import torch

from snippet import run


@pytest.fixture(scope="module")
def compare():
    return run("optimizers/compare.py")


def test_momentum_and_adam_beat_sgd_by_far_on_the_badly_conditioned_problem(compare):
    steps = compare[0]["steps_needed"]
    assert all(value is not None for value in steps.values()), steps
    assert steps["momentum", "(w, b)"] < steps["SGD", "(w, b)"] / 4
    assert steps["Adam", "(w, b)"] < steps["SGD", "(w, b)"] / 4


def test_plain_sgd_is_fastest_on_y_equals_2x(compare):
    steps = compare[0]["steps_needed"]
    assert steps["SGD", "y = 2x"] < steps["momentum", "y = 2x"]
    assert steps["SGD", "y = 2x"] < steps["Adam", "y = 2x"]


def test_the_table_prints_the_measured_steps(compare):
    namespace, output = compare
    for name in namespace["optimizers"]:
        row = re.search(rf"^{name} +(\d+) +(\d+)$", output, re.MULTILINE)
        assert row, name
        assert int(row[1]) == namespace["steps_needed"][name, "y = 2x"]
        assert int(row[2]) == namespace["steps_needed"][name, "(w, b)"]


def by_hand(name, n_steps, problem="(w, b)"):
    """The page's update rules, written out; returns theta after every step."""
    xs, ys = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    if problem == "(w, b)":
        torch.manual_seed(0)  # the starting point of the seeded nn.Linear(1, 1)
        model = torch.nn.Linear(1, 1)
        theta = [model.weight.item(), model.bias.item()]
    else:
        theta = [0.0]
    v = [0.0] * len(theta)  # momentum's velocity
    m, s = [0.0] * len(theta), [0.0] * len(theta)  # Adam's averages
    path = []
    for t in range(1, n_steps + 1):
        b = theta[1] if len(theta) == 2 else 0.0
        r = [theta[0] * x + b - y for x, y in zip(xs, ys, strict=True)]
        g = [2 / 4 * sum(ri * x for ri, x in zip(r, xs, strict=True)), 2 / 4 * sum(r)]
        for k in range(len(theta)):
            if name == "SGD":
                theta[k] -= 0.01 * g[k]
            elif name == "momentum":
                v[k] = 0.9 * v[k] + g[k]
                theta[k] -= 0.01 * v[k]
            else:  # Adam
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                s[k] = 0.999 * s[k] + 0.001 * g[k] ** 2
                m_hat, s_hat = m[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                theta[k] -= 0.1 * m_hat / (math.sqrt(s_hat) + 1e-8)
        path.append(list(theta))
    return path


@pytest.mark.parametrize("problem", ["y = 2x", "(w, b)"])
@pytest.mark.parametrize("name", ["SGD", "momentum", "Adam"])
def test_the_update_rules_on_the_page_are_what_torch_optim_does(name, problem, compare):
    namespace = compare[0]
    model = namespace["make_model"](problem)
    optimizer = namespace["optimizers"][name](model.parameters())
    loss_fn, X, y = namespace["loss_fn"], namespace["X"], namespace["y"]
    expected = by_hand(name, 60, problem)
    for step in range(60):
        loss_fn(model(X), y).backward()
        optimizer.step()
        optimizer.zero_grad()
        got = [p.item() for p in model.parameters()]
        assert got == pytest.approx(expected[step], rel=1e-4, abs=1e-5), step


def test_momentum_overshoots_on_y_equals_2x_and_sgd_does_not():
    assert max(theta[0] for theta in by_hand("momentum", 100, "y = 2x")) > 2
    assert max(theta[0] for theta in by_hand("SGD", 100, "y = 2x")) < 2


def test_the_figure_is_deterministic_accessible_inline_svg():
    namespace, output = run("optimizers/loss_curves_plot.py")
    assert namespace["n_steps"] == 400
    assert output == run("optimizers/loss_curves_plot.py")[1]
    assert output.startswith('<figure class="mpl-figure"><svg ')
    assert "<?xml" not in output and "<figcaption>" in output
    assert 'role="img"' in output and 'aria-label="' in output
    assert "currentColor" in output and "#123456" not in output
    ids = re.findall(r' id="([^"]+)"', output)
    assert len(ids) == len(set(ids))
    assert all(i == "optimizers-figure" or i.startswith("opt-") for i in ids)


def test_adams_first_step_moves_every_parameter_by_the_learning_rate(compare):
    namespace = compare[0]
    model = namespace["make_model"]("(w, b)")
    before = [p.item() for p in model.parameters()]
    optimizer = namespace["optimizers"]["Adam"](model.parameters())
    namespace["loss_fn"](model(namespace["X"]), namespace["y"]).backward()
    optimizer.step()
    moves = [abs(p.item() - b) for p, b in zip(model.parameters(), before, strict=True)]
    assert moves == pytest.approx([0.1, 0.1], rel=1e-4)


def test_momentum_keeps_one_extra_number_per_parameter_and_adam_two(compare):
    namespace = compare[0]
    for name, keys in [
        ("momentum", {"momentum_buffer"}),
        ("Adam", {"exp_avg", "exp_avg_sq"}),
    ]:
        model = namespace["make_model"]("(w, b)")
        optimizer = namespace["optimizers"][name](model.parameters())
        namespace["loss_fn"](model(namespace["X"]), namespace["y"]).backward()
        optimizer.step()
        for parameter in model.parameters():
            state = optimizer.state[parameter]
            tensors = {k for k, v in state.items() if v.shape == parameter.shape}
            assert tensors == keys, name
