"""When the loss does not go down: each bug shows its symptom, each fix works.

Every entry of docs/troubleshooting.md has two tests here: one fails if the
broken program stops showing the symptom the page describes, the other if the
fixed program stops training.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from snippet import ROOT, run

X = np.array([1.0, 2.0, 3.0, 4.0])
Y = 2 * X
ENTRIES = [
    "missing_one_over_n",
    "no_zero_grad",
    "update_outside_no_grad",
    "reassigning_w",
    "wrong_parameters",
    "learning_rate_too_large",
    "shape_mismatch",
    "stale_prediction",
    "backward_in_no_grad",
]


def true_gradient(w: float) -> float:
    return 2 / len(X) * X @ (w * X - Y)


def floats(pattern: str, text: str) -> list[float]:
    return [float(v) for v in re.findall(pattern, text)]


def decreasing(values) -> bool:
    return all(b < a for a, b in zip(values, values[1:], strict=False))


def section(output: str, start: str, end: str | None = None) -> str:
    text = output[output.index(start) :]
    return text[: text.index(end)] if end else text


# --- the page -------------------------------------------------------------------------


def test_every_entry_has_its_program_and_symptom_cause_fix():
    page = (ROOT / "docs/troubleshooting.md").read_text(encoding="utf-8")
    parts = page.split("\n## ")[1:]
    assert len(parts) == len(ENTRIES)
    for part, entry in zip(parts, ENTRIES, strict=True):
        assert f'--8<-- "snippets/troubleshooting/{entry}.py"' in part
        for box in ('!!! failure "Symptom"', '!!! bug "Cause"', '!!! success "Fix"'):
            assert part.count(box) == 1, (entry, box)


def test_every_entry_is_in_the_symptom_table():
    page = (ROOT / "docs/troubleshooting.md").read_text(encoding="utf-8")
    table = page[: page.index("\n## ")]
    anchors = set(re.findall(r"\]\(#([^)]+)\)", table))
    headings = re.findall(r"^## (.+)$", page, re.M)
    assert len(anchors) == len(ENTRIES) == len(headings)


def test_a_diverging_loss_points_to_the_learning_rate_and_to_a_gradient_bug():
    """Not only a learning rate above 2/c: the missing 1/n makes the loss grow
    at a rate where the correct gradient converges (learning_rate.md says so)."""
    page = (ROOT / "docs/troubleshooting.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "then becomes `inf`" in line)
    assert "(#a-learning-rate-above-2c)" in row
    assert "(#the-gradient-without-1n)" in row
    fix = section(page, "## A learning rate above 2/c", "## Shapes")
    assert "check the gradient first" in fix and "(#the-gradient-without-1n)" in fix
    namespace, output = run("troubleshooting/missing_one_over_n.py")
    c = 2 / len(X) * X @ X
    assert namespace["learning_rate"] < 1 / c < 2 / c  # a safe rate ...
    losses = floats(r"epoch \d +(\S+) +\S+", output)
    assert all(b > a for a, b in zip(losses, losses[1:], strict=False))  # ... grows


# --- the gradient without 1/n ---------------------------------------------------------


def test_missing_one_over_n_symptom_n_times_longer_step_then_explodes():
    namespace, output = run("troubleshooting/missing_one_over_n.py")
    source = (ROOT / "snippets/troubleshooting/missing_one_over_n.py").read_text()
    assert "np.dot(2 * x, y_pred - y).mean()" in source, "the seed's own line"
    assert namespace["step_broken"] == 4 * namespace["step_fixed"]
    assert "ratio: 4.0 = n = 4" in output
    losses = floats(r"epoch \d +(\S+) +\S+", output)
    assert len(losses) == 5 and all(
        b > 3 * a for a, b in zip(losses, losses[1:], strict=False)
    )
    assert abs(namespace["w_broken"] - 2) > 10


def test_missing_one_over_n_fix_converges_at_the_same_learning_rate():
    namespace, output = run("troubleshooting/missing_one_over_n.py")
    x, y = namespace["X"], namespace["y"]
    for w in (0.0, 1.0, 3.5):
        assert namespace["gradient_fixed"](x, y, w * x) == pytest.approx(
            true_gradient(w)
        )
    assert -namespace["step_fixed"] == pytest.approx(0.3)
    assert decreasing(floats(r"epoch \d +\S+ +(\S+)", output))
    assert abs(namespace["w_fixed"] - 2) < 0.01


def test_missing_one_over_n_prints_no_loss_as_zero_that_is_not():
    """Each printed loss, recomputed, to its printed digits: the fixed run's last
    loss is small, not 0, and the table says so."""
    namespace, output = run("troubleshooting/missing_one_over_n.py")
    x, y = namespace["X"], namespace["y"]
    rows = re.findall(r"^epoch \d +(\S+) +(\S+)$", output, re.M)
    w_broken = w_fixed = 0.0
    for broken, fixed in rows:
        for printed, w in [(broken, w_broken), (fixed, w_fixed)]:
            loss = float(np.mean((w * x - y) ** 2))
            assert loss > 0 and float(printed) == pytest.approx(loss, rel=1e-3)
        w_broken -= 0.05 * namespace["gradient_broken"](x, y, w_broken * x)
        w_fixed -= 0.05 * namespace["gradient_fixed"](x, y, w_fixed * x)


def test_missing_one_over_n_looks_like_faster_training_at_lr_0_01():
    """The page: at Parts 1 to 3's rate the broken gradient looks *faster*."""
    namespace, _ = run("troubleshooting/missing_one_over_n.py")
    x, y = namespace["X"], namespace["y"]
    w_broken = w_fixed = 0.0
    for _ in range(10):
        w_broken -= 0.01 * namespace["gradient_broken"](x, y, w_broken * x)
        w_fixed -= 0.01 * namespace["gradient_fixed"](x, y, w_fixed * x)
        assert abs(w_broken - 2) < abs(w_fixed - 2)
        assert w_broken < 2  # factor 1 - 4 (0.01) 15 = 0.4: no overshoot, nothing odd


# --- forgetting zero_grad -------------------------------------------------------------


def test_no_zero_grad_symptom_gradients_accumulate_and_loss_climbs_back():
    namespace, _ = run("troubleshooting/no_zero_grad.py")
    grads, losses = namespace["grads_broken"], namespace["losses_broken"]
    fixed = namespace["grads_fixed"]
    assert grads[0] == fixed[0] == pytest.approx(true_gradient(0.0))
    assert grads[1] == pytest.approx(fixed[0] + fixed[1], rel=1e-6)
    lowest = losses.index(min(losses))
    assert 0 < lowest < len(losses) - 1
    assert losses[-1] > 10 * losses[lowest], "the loss climbs back up"
    assert losses[-1] > 0.9 * losses[0], "almost to where it started"
    assert all(abs(b - f) > 1 for b, f in zip(grads[1:], fixed[1:], strict=True))


def test_no_zero_grad_second_epoch_same_w_different_gradient():
    """The page: in the second epoch both runs are at the same w (their losses
    agree), yet their gradients differ."""
    namespace, _ = run("troubleshooting/no_zero_grad.py")
    assert namespace["losses_broken"][1] == namespace["losses_fixed"][1]
    assert namespace["grads_broken"][1] != pytest.approx(namespace["grads_fixed"][1])
    assert namespace["losses_broken"][2] != pytest.approx(namespace["losses_fixed"][2])


def test_no_zero_grad_fix_every_gradient_is_the_true_one():
    namespace, _ = run("troubleshooting/no_zero_grad.py")
    w = 0.0
    for grad in namespace["grads_fixed"]:
        assert grad == pytest.approx(true_gradient(w), rel=1e-5)
        w -= 0.01 * true_gradient(w)
    assert decreasing(namespace["losses_fixed"])


# --- updating w outside torch.no_grad() -----------------------------------------------


def test_update_outside_no_grad_symptom_runtime_error_and_no_update():
    _, output = run("troubleshooting/update_outside_no_grad.py")
    assert (
        "broken: RuntimeError: a leaf Variable that requires grad is being used "
        "in an in-place operation." in output
    )
    assert "broken: w = 0.000 (not updated)" in output


def test_update_outside_no_grad_fix_updates_the_same_leaf():
    namespace, output = run("troubleshooting/update_outside_no_grad.py")
    w = namespace["w"]
    assert w.is_leaf and w.requires_grad
    assert w.item() == pytest.approx(-0.01 * true_gradient(0.0))
    assert "fixed:  w = 0.300, still a leaf: True" in output


def test_optimizer_step_updates_the_same_leaf_in_place_without_recording():
    """The page: step() "updates each parameter in place, with autograd's
    recording switched off" (recorded, the in-place update of a leaf that
    requires grad would raise, as in the broken program)."""
    import torch

    w = torch.tensor(0.0, requires_grad=True)
    same = w
    optimizer = torch.optim.SGD([w], lr=0.01)
    ((w * torch.tensor(X) - torch.tensor(Y)) ** 2).mean().backward()
    with torch.enable_grad():
        optimizer.step()  # no RuntimeError: not recorded
    assert w is same and w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w.item() == pytest.approx(-0.01 * true_gradient(0.0), rel=1e-6)


# --- w = w - lr * w.grad --------------------------------------------------------------


def test_reassigning_w_symptom_non_leaf_or_lost_requires_grad():
    _, output = run("troubleshooting/reassigning_w.py")
    outside = section(output, "outside no_grad", "inside no_grad")
    assert "epoch 1: w = 0.300, is_leaf=False, requires_grad=True" in outside
    assert "UserWarning: The .grad attribute of a Tensor that is not a leaf" in (
        outside
    )
    assert "epoch 2: TypeError:" in outside and "NoneType" in outside
    inside = section(output, "inside no_grad", "fixed")
    assert "epoch 1: w = 0.300, is_leaf=True, requires_grad=False" in inside
    assert "epoch 2: RuntimeError: element 0 of tensors does not require grad" in (
        inside
    )


def test_reassigning_w_fix_in_place_keeps_a_trainable_leaf():
    _, output = run("troubleshooting/reassigning_w.py")
    fixed = section(output, "fixed")
    rows = re.findall(r"epoch (\d): w = (\S+), is_leaf=True, requires_grad=True", fixed)
    assert [(int(e), w) for e, w in rows] == [(1, "0.300"), (2, "0.555"), (3, "0.772")]
    assert "Error" not in fixed


# --- the wrong parameters in the optimizer --------------------------------------------


def test_wrong_parameters_symptom_loss_never_moves():
    namespace, output = run("troubleshooting/wrong_parameters.py")
    losses = namespace["losses_broken"]
    assert len(set(losses)) == 1, losses
    assert "broken: optimizer holds model.weight? False" in output


def test_wrong_parameters_fix_loss_falls():
    namespace, output = run("troubleshooting/wrong_parameters.py")
    assert decreasing(namespace["losses_fixed"])
    held = namespace["optimizer"].param_groups[0]["params"]
    assert any(p is namespace["model"].weight for p in held)
    assert "fixed:  optimizer holds model.weight? True" in output


def test_wrong_parameters_a_clone_raises_and_a_detached_copy_is_silent():
    namespace, output = run("troubleshooting/wrong_parameters.py")
    assert "SGD([w.clone()]): ValueError: can't optimize a non-leaf Tensor" in output
    w = namespace["w"]
    assert not w.clone().is_leaf
    assert w.item() == 0.0 and w.grad is not None and w.grad.item() != 0
    for name, other in namespace["detached"].items():
        assert other.is_leaf and not other.requires_grad and other.grad is None, name
        assert other is not w
        assert f"SGD([{name}]): no error, w after 5 epochs = 0.000" in output


def test_w_detach_is_not_a_copy_it_shares_w_s_memory():
    namespace, output = run("troubleshooting/wrong_parameters.py")
    torch, w = namespace["torch"], namespace["w"]
    detached = namespace["detached"]
    assert detached["w.detach()"].data_ptr() == w.data_ptr()  # the same memory
    for name in ("w.clone().detach()", "torch.tensor(w.item())"):
        assert detached[name].data_ptr() != w.data_ptr(), name  # copies
    w = torch.tensor(0.0, requires_grad=True)
    c = w.detach()
    c.add_(1)
    assert w.item() == 1.0, "writing into w.detach() writes into w"
    copy = w.clone().detach()
    copy.add_(1)
    assert w.item() == 1.0 and copy.item() == 2.0, "a copy does not"
    assert namespace["v"].item() == 1.0
    assert output.rstrip().endswith("v = 0, then v.detach().add_(1): v = 1.0")


def test_a_cell_that_builds_model_and_optimizer_together_is_safe_to_rerun():
    cell = (
        "model = nn.Linear(1, 1)\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n"
    )
    model_cell = "model = nn.Linear(1, 1)\n"
    namespace = {"nn": __import__("torch").nn, "torch": __import__("torch")}
    for _ in range(2):
        exec(cell, namespace)
    held = namespace["optimizer"].param_groups[0]["params"]
    assert any(p is namespace["model"].weight for p in held)
    exec(model_cell, namespace)  # only the model's cell again: the bug
    held = namespace["optimizer"].param_groups[0]["params"]
    assert not any(p is namespace["model"].weight for p in held)


# --- a learning rate above 2/c --------------------------------------------------------


def test_the_entry_is_named_with_c_the_curvature():
    page = (ROOT / "docs/troubleshooting.md").read_text(encoding="utf-8")
    assert "\n## A learning rate above 2/c\n" in page
    assert page.count("(#a-learning-rate-above-2c)") == 2
    problem = (ROOT / "docs/problem.md").read_text(encoding="utf-8")
    assert "troubleshooting.md#a-learning-rate-above-2c" in problem


def test_learning_rate_too_large_symptom_inf_then_nan():
    namespace, output = run("troubleshooting/learning_rate_too_large.py")
    c = namespace["c"]
    assert c == pytest.approx(2 * np.mean(X**2)) == 15
    assert 0.2 > 2 / c
    losses, grads, ws = namespace["train"](0.2)
    assert losses[1] == pytest.approx(4 * losses[0])  # |1 - 0.2 c|^2 = 4
    first = namespace["first_epoch"]
    loss_inf, loss_nan = first(losses, math.isinf), first(losses, math.isnan)
    grad_inf, w_inf, w_nan = (
        first(grads, math.isinf),
        first(ws, math.isinf),
        first(ws, math.isnan),
    )
    finite = losses[: loss_inf - 1]
    ratios = [b / a for a, b in zip(finite, finite[1:], strict=False)]
    assert ratios == pytest.approx([4] * len(ratios), rel=1e-3), "the same factor"
    # w is still finite when the loss overflows, and its distance to 2 doubles
    distances = [abs(w - 2) for w in ws[: grad_inf - 1]]
    assert loss_inf < grad_inf and all(math.isfinite(w) for w in ws[: grad_inf - 1])
    doubling = [b / a for a, b in zip(distances, distances[1:], strict=False)]
    assert doubling == pytest.approx([abs(1 - 0.2 * c)] * len(doubling), rel=1e-3)
    assert abs(1 - 0.2 * c) == 2
    # the gradient overflows, that update sends w to inf, the next is inf - inf
    assert w_inf == grad_inf and w_nan == w_inf + 1 and loss_nan == w_nan + 1
    assert math.isinf(grads[w_nan - 1]) and math.isinf(ws[w_nan - 2])
    assert math.isnan(ws[-1]) and math.isnan(losses[-1])
    for line in [
        f"loss inf from epoch {loss_inf}",
        f"gradient inf from epoch {grad_inf}",
        f"w inf after the update of epoch {w_inf}",
        f"w nan after the update of epoch {w_nan}",
        f"loss nan from epoch {loss_nan}",
    ]:
        assert line in output


def test_learning_rate_too_large_fix_converges_below_two_over_c():
    namespace, _ = run("troubleshooting/learning_rate_too_large.py")
    assert 0.1 < 2 / namespace["c"]
    losses, _, ws = namespace["train"](0.1)
    assert ws[-1] == pytest.approx(2, abs=1e-4)
    assert losses[-1] < 1e-8 and all(math.isfinite(v) for v in losses)


# --- shapes (n,) and (n, 1) -----------------------------------------------------------


def test_shape_mismatch_symptom_warning_and_wrong_numbers():
    namespace, output = run("troubleshooting/shape_mismatch.py")
    assert "(y_pred - y_flat).shape = (4, 4)" in output
    warnings = namespace["caught"]
    assert len(warnings) == 1 and warnings[0].category is UserWarning
    assert "target size" in str(warnings[0].message)
    assert "UserWarning: Using a target size (torch.Size([4]))" in output
    # every prediction minus every target, at the perfect w = 2
    broadcast_loss = np.mean((2 * X[:, None] - Y[None, :]) ** 2)
    shown = floats(r"loss at w = 2, target \(4,\): +(\S+)", output)
    assert shown == pytest.approx([broadcast_loss]) and broadcast_loss > 1
    # training minimises that mean: w = sum(x) mean(y) / sum(x^2)
    w_broadcast = X.sum() * Y.mean() / (X @ X)
    assert namespace["w_broken"] == pytest.approx(w_broadcast, rel=1e-4)
    assert namespace["loss_broken"] > 1


def test_shape_mismatch_fix_same_shapes_train_to_two():
    namespace, output = run("troubleshooting/shape_mismatch.py")
    assert not namespace["y_pred"].requires_grad, "shown outside the graph"
    assert tuple(namespace["y"].shape) == tuple(namespace["y_pred"].shape)
    assert "loss at w = 2, target (4, 1): 0.0000" in output
    assert namespace["w_fixed"] == pytest.approx(2, abs=1e-3)
    assert namespace["loss_fixed"] < 1e-5


# --- a prediction from before the step ------------------------------------------------


def test_stale_prediction_symptom_constant_loss_and_w_walks_past_two():
    _, output = run("troubleshooting/stale_prediction.py")
    broken = section(output, "broken (NumPy)", "broken (PyTorch)")
    losses = floats(r"loss = (\S+)", broken)
    ws = floats(r"w = (\S+),", broken)
    epochs = floats(r"epoch +(\d+):", broken)
    assert len(set(losses)) == 1 and losses[0] == pytest.approx(np.mean(Y**2))
    step = -0.01 * true_gradient(0.0)
    assert ws == pytest.approx([step * e for e in epochs], abs=1e-3)
    assert ws[-1] > 2
    torch_part = section(output, "broken (PyTorch)", "fixed")
    assert "epoch 2: RuntimeError: Trying to backward through the graph a second" in (
        torch_part
    )


def test_stale_prediction_fix_loss_falls_and_w_approaches_two():
    _, output = run("troubleshooting/stale_prediction.py")
    fixed = section(output, "fixed")
    losses = floats(r"loss = (\S+)", fixed)
    ws = floats(r"w = (\S+),", fixed)
    assert decreasing(losses) and all(w < 2 for w in ws)
    assert ws[:2] == pytest.approx([0.3, 0.555], abs=1e-3)


# --- backward() inside torch.no_grad() ------------------------------------------------


def test_backward_in_no_grad_symptom_runtime_error():
    _, output = run("troubleshooting/backward_in_no_grad.py")
    assert "broken: loss.requires_grad = False, loss.grad_fn = None" in output
    assert (
        "broken: RuntimeError: element 0 of tensors does not require grad and "
        "does not have a grad_fn" in output
    )


def test_backward_in_no_grad_fix_trains():
    namespace, output = run("troubleshooting/backward_in_no_grad.py")
    ws = floats(r"fixed: epoch \d: w = (\S+),", output)
    assert ws == pytest.approx([0.3, 0.555, 0.772], abs=1e-3)
    assert namespace["w"].is_leaf and namespace["w"].requires_grad
