"""Part 2: autograd's gradient, zero_grad, and the gradient check."""

import re
import warnings

import numpy as np
import pytest
import torch
from trajectory_bound import U, trajectory_gaps

from snippet import ROOT, ran, run

WEIGHTS = [0.0, 0.5, 1.0, 2.0, 3.0, -4.25, 7.5]


@pytest.fixture(scope="module")
def check():
    return ran("autograd/gradient_check.py")[0]


def test_trajectory_equals_part1_up_to_float32_rounding():
    part1 = ran("numpy_by_hand/train.py")[0]
    part2 = ran("autograd/train.py")[0]["history"]
    assert len(part2) == len(part1["history"]) == 50
    gaps = trajectory_gaps(part1["X"], part1["y"], 0.01, part1["history"])
    for (w1, l1), (w2, l2), (gap_w, gap_loss) in zip(
        part1["history"], part2, gaps, strict=True
    ):
        assert abs(w2 - w1) <= gap_w and abs(l2 - l1) <= gap_loss


# --- the computational graph ------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return run("autograd/graph.py")


def test_the_graph_is_mean_pow_sub_mul_down_to_w(graph):
    namespace, output = graph
    names, node = [], namespace["loss"].grad_fn
    while node is not None and hasattr(node, "next_functions") and node.next_functions:
        names.append(type(node).__name__)
        node = node.next_functions[0][0]
    assert names == ["MeanBackward0", "PowBackward0", "SubBackward0", "MulBackward0"]
    assert type(node).__name__ == "AccumulateGrad" and node.variable is namespace["w"]
    sub = namespace["loss"].grad_fn.next_functions[0][0].next_functions[0][0]
    mul = sub.next_functions[0][0]
    assert sub.next_functions[1][0] is None, "y needs no gradient"
    assert mul.next_functions[1][0] is None, "X needs no gradient"
    drawn = [
        line.strip().split(":")[0] for line in output.split("\n\n")[0].splitlines()
    ]
    assert drawn[1:] == [*names, "AccumulateGrad", "None", "None"]


def test_leaves_and_where_backward_stores_gradients(graph):
    namespace, output = graph
    w, X, y_pred, loss = (namespace[k] for k in ("w", "X", "y_pred", "loss"))
    assert w.is_leaf and w.requires_grad
    assert X.is_leaf and not X.requires_grad
    assert not y_pred.is_leaf and not loss.is_leaf and y_pred.requires_grad
    assert "w        True      True" in output
    assert "y_pred   False     True" in output
    assert w.grad is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a non-leaf's .grad warns
        assert y_pred.grad is None and loss.grad is None


def test_retain_grad_keeps_an_intermediate_gradient():
    X = torch.tensor([1.0, 2.0, 3.0, 4.0])
    w = torch.tensor(0.0, requires_grad=True)
    y_pred = w * X
    y_pred.retain_grad()
    ((y_pred - 2 * X) ** 2).mean().backward()
    assert y_pred.grad.tolist() == [2 / 4 * (0 - 2 * x) for x in (1, 2, 3, 4)]


def test_the_chain_rule_with_numbers_is_w_grad(graph):
    namespace, output = graph
    X = namespace["X"].numpy().astype(np.float64)
    error = 0.0 * X - 2 * X
    assert namespace["d_mean"].tolist() == [1 / 4] * 4
    assert namespace["d_pow"].tolist() == (2 * error).tolist()
    assert namespace["d_mul"].tolist() == X.tolist()
    by_hand, w_grad = namespace["by_hand"].item(), namespace["w"].grad.item()
    expected = 2 / 4 * X @ error
    assert by_hand == pytest.approx(expected, abs=8 * U * abs(expected))
    assert w_grad == pytest.approx(expected, abs=8 * U * abs(expected))
    assert f"sum of the products: {expected:.1f}, w.grad: {expected:.1f}" in output


def loss_rounding(w: float, h: float) -> float:
    """A bound on the float32 error of the loss at w + h or w - h."""
    size = np.array([(abs(w) + h) * x + 2 * x for x in (1, 2, 3, 4)])
    return 8 * U * np.mean(size**2)


@pytest.mark.parametrize("w", WEIGHTS)
def test_manual_autograd_and_finite_difference_agree(check, w):
    manual = check["manual_gradient"](torch.tensor(w)).item()
    autograd = check["autograd_gradient"](w).item()
    finite = check["finite_difference"](w).item()
    expected = 2 / 4 * sum(x * (w * x - 2 * x) for x in (1, 2, 3, 4))
    sizes = 2 / 4 * sum(x * (abs(w) * x + 2 * x) for x in (1, 2, 3, 4))
    assert manual == pytest.approx(expected, abs=8 * U * sizes)
    assert autograd == pytest.approx(expected, abs=8 * U * sizes)
    # Exact for a quadratic: only rounding, divided by 2h, is left. The two losses
    # are rounded, and so are w + h and w - h, which moves each by the slope.
    h = check["finite_difference"].__defaults__[0]
    rounding = 2 * loss_rounding(w, h) + abs(expected) * 2 * U * (abs(w) + h)
    assert finite == pytest.approx(expected, abs=rounding / (2 * h))


def test_the_finite_difference_is_off_only_by_rounding_and_smaller_h_is_worse(check):
    _, output = ran("autograd/gradient_check.py")
    rows = [line.split() for line in output.splitlines()[1:]]
    assert all(manual == autograd for _, manual, autograd, _ in rows)
    # "the gradient is zero at w = 2": exactly, with no rounding to hide
    assert check["manual_gradient"](torch.tensor(2.0)).item() == 0.0
    assert check["autograd_gradient"](2.0).item() == 0.0
    assert any(manual != finite for _, manual, _, finite in rows), "off at some w"
    assert all(abs(float(f) - float(m)) < 1e-3 for _, m, _, f in rows), (
        "only in the fourth decimal"
    )
    errors = {}
    for h in (1e-1, 1e-2, 1e-3, 1e-4):
        errors[h] = max(
            abs(check["finite_difference"](w, h).item() - 15 * (w - 2))
            for w in np.linspace(-3, 7, 41)
        )
    assert errors[1e-4] > errors[1e-3] > errors[1e-2]
    page = (ROOT / "docs/autograd.md").read_text(encoding="utf-8")
    h = check["finite_difference"].__defaults__[0]
    assert f"$2h = {2 * h:g}$" in page


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
    # The true gradient is at the w the epoch starts from (the previous row's w
    # after the step), not at the w printed on its own row: 15 (w - 2) there,
    # with each printed value off by at most half a unit of its third decimal.
    assert "   w after the step" in output.splitlines()[0]
    starts = [0.0] + [row[3] for row in rows[:-1]]
    for (_, true, _, _), start in zip(rows, starts, strict=True):
        assert true == pytest.approx(15 * (start - 2), abs=15 * 5e-4 + 5e-4)
    # ... so after the true gradient changes sign, w.grad still pushes w up
    assert rows[-1][1] > 0 > rows[-1][2] and rows[-1][3] > rows[-2][3]


def test_an_in_place_update_of_w_is_refused_outside_no_grad_and_unrecorded_inside():
    """autograd.md: "PyTorch refuses to modify a leaf tensor that requires a
    gradient in place outside no_grad()"; "Inside the block nothing is recorded"."""
    w = torch.tensor(0.0, requires_grad=True)
    ((w * torch.tensor([1.0, 2.0]) - 1) ** 2).mean().backward()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w -= 0.01 * w.grad
    with torch.no_grad():
        w -= 0.01 * w.grad
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w.grad.item() == -3.0 and w.item() == pytest.approx(0.03, rel=1e-6)
