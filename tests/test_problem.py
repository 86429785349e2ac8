"""The maths page: the picture, the refresher, why squared, the closed form."""

import re

import numpy as np
import pytest
import torch
from torch import nn

from snippet import ROOT, ran, run

X = np.array([1.0, 2.0, 3.0, 4.0])
Y = 2 * X
PAGE = (ROOT / "docs/problem.md").read_text(encoding="utf-8")


def true_gradient(w: float) -> float:
    """(2/n) X^T (wX - y) in float64, written independently of the snippets."""
    return 2 / len(X) * X @ (w * X - Y)


def test_closed_form_is_two_and_curvature_is_fifteen():
    namespace, output = run("problem/closed_form.py")
    assert namespace["w_star"] == 2.0
    assert namespace["curvature"] == 15.0
    assert "w*    = 2.0" in output
    assert "c     = 15.0" in output


def test_closed_form_zeroes_the_gradient():
    namespace, _ = run("problem/closed_form.py")
    X, y, w = namespace["X"], namespace["y"], namespace["w_star"]
    assert np.dot(X, w * X - y) == 0.0


# --- the picture before the formula -----------------------------------------------


def test_the_picture_comes_before_the_derivation_and_the_refresher_first():
    picture = PAGE.index('id="problem-loss-and-slope"')
    derivation = PAGE.index("## The gradient, one step at a time")
    refresher = PAGE.index('??? info "A refresher')
    first_sum = PAGE.index("\\sum_{i=1}^{n}\\left")  # the loss, the first formula
    assert refresher < first_sum and picture < derivation


def test_the_slopes_in_the_picture_are_the_gradient():
    namespace, output = ran("problem/loss_and_slope.py")
    shown = [float(s) for s in re.findall(r"slope (-?\d+\.\d)<", output)]
    points = [w for w, _, _ in namespace["points"]]
    assert len(shown) == len(points) == 3
    for w, s in zip(points, shown, strict=True):
        assert namespace["slope"](w) == pytest.approx(true_gradient(w), abs=1e-6)
        assert s == pytest.approx(true_gradient(w), abs=0.05)
    assert shown[0] < 0 == shown[1] < shown[2], "negative, flat, positive"
    # on this parabola the slope grows with the distance from the bottom: c (w - 2)
    for w in np.linspace(-1, 5, 13):
        assert true_gradient(w) == pytest.approx(15 * (w - 2))
    assert "<title>" in output and 'role="img"' in output
    # The slopes are written on the figure, not printed: the output is the figure.
    assert output.lstrip().startswith("<figure")
    assert (
        "writes its **slope** beside it" in PAGE and "prints its **slope**" not in PAGE
    )


def test_the_worked_gradient_in_the_prose_is_the_slope_of_the_picture():
    sentence = re.search(
        r"At \$w = ([\d.]+)\$ the formula gives\s*(.*?) = (-?[\d.]+)", PAGE, re.S
    )
    w, products, value = float(sentence[1]), sentence[2], float(sentence[3])
    pairs = re.findall(r"(\d) \\cdot \((-?[\d.]+)\)", products)
    assert [float(x) for x, _ in pairs] == list(X)
    assert [float(r) for _, r in pairs] == list(w * X - Y)
    assert value == true_gradient(w)
    _, output = ran("problem/loss_and_slope.py")
    assert f"slope {value:.1f}<" in output


def test_dot_product_is_the_sum_of_products_and_a_1d_transpose_is_a_no_op():
    namespace, output = run("problem/dot_product.py")
    X32, y32 = namespace["X"], namespace["y"]
    assert np.dot(X32, y32) == np.sum(X32 * y32) == X32 @ y32 == X @ Y
    assert X32.T.shape == X32.shape == (4,)
    assert np.array_equal(X32.T, X32)
    assert X32.T is not X32  # a new view: the page says "the same entries", not "is"
    assert "`X.T` has the same shape and the same entries as `X`" in " ".join(
        PAGE.split()
    )
    assert output.count(f"= {X @ Y}") == 3


# --- why squared, and the 1/2 -----------------------------------------------------


@pytest.mark.parametrize("sigma", [0.1, 1.0, 3.0])
def test_gaussian_negative_log_likelihood_is_a_constant_plus_the_mse(sigma):
    rng = np.random.default_rng(0)
    y = 2 * X + rng.normal(0, sigma, size=len(X))
    n = len(X)
    ws = np.linspace(1.5, 2.5, 81)
    density = [
        np.prod(
            np.exp(-((y - w * X) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
        )
        for w in ws
    ]
    mse = np.array([np.mean((w * X - y) ** 2) for w in ws])
    nll = -np.log(density)
    constant = n / 2 * np.log(2 * np.pi * sigma**2)
    assert nll == pytest.approx(constant + n / (2 * sigma**2) * mse, rel=1e-9)
    assert ws[np.argmax(density)] == ws[np.argmin(mse)]


def test_half_the_loss_has_the_same_minimum_and_half_the_gradient():
    ws = np.linspace(0, 4, 81)
    mse = [np.mean((w * X - Y) ** 2) for w in ws]
    assert ws[np.argmin(mse)] == ws[np.argmin([m / 2 for m in mse])] == 2
    for w in (0.0, 1.0, 3.5):
        full = torch.tensor(w, requires_grad=True)
        half = torch.tensor(w, requires_grad=True)
        nn.MSELoss()(full * torch.tensor(X), torch.tensor(Y)).backward()
        (nn.MSELoss()(half * torch.tensor(X), torch.tensor(Y)) / 2).backward()
        assert half.grad.item() == full.grad.item() / 2
        assert full.grad.item() == pytest.approx(true_gradient(w))


def test_nn_mse_loss_has_no_half():
    prediction, target = torch.tensor([1.0, 5.0]), torch.tensor([0.0, 2.0])
    assert nn.MSELoss()(prediction, target).item() == (1 + 9) / 2


# --- the notation: L is the loss, c the curvature ---------------------------------

OWNED_PAGES = [
    "problem",
    "numpy_by_hand",
    "autograd",
    "loss_and_optimizer",
    "side_by_side",
    "troubleshooting",
]


@pytest.mark.parametrize("chapter", OWNED_PAGES)
def test_l_is_never_the_curvature(chapter):
    texts = [(ROOT / "docs" / f"{chapter}.md").read_text(encoding="utf-8")]
    texts += [p.read_text() for p in sorted((ROOT / "snippets" / chapter).glob("*.py"))]
    for text in texts:
        for wrong in ["\\eta L", "2/L", "1/L", "L = \\frac{2}{n}", "above-2l", "L = ("]:
            assert wrong not in text, (chapter, wrong)
        assert not re.search(r"^L = ", text, re.M), chapter
