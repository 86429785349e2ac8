"""Part 3: nn.MSELoss + torch.optim.SGD give Part 2's trajectory."""

import numpy as np
import pytest
from trajectory_bound import trajectory_gaps

from snippet import ran, run


def test_trajectory_equals_parts_1_and_2_up_to_float32_rounding():
    part1 = ran("numpy_by_hand/train.py")[0]
    gaps = trajectory_gaps(part1["X"], part1["y"], 0.01, part1["history"])
    part3 = ran("loss_and_optimizer/train.py")[0]["history"]
    for other in (part1["history"], ran("autograd/train.py")[0]["history"]):
        for (w3, l3), (w, loss), (gap_w, gap_loss) in zip(
            part3, other, gaps, strict=True
        ):
            assert abs(w3 - w) <= gap_w and abs(l3 - loss) <= gap_loss


def test_zero_grad_sets_grad_to_none_and_backward_starts_from_zero():
    namespace, _ = run("loss_and_optimizer/train.py")
    w, optimizer = namespace["w"], namespace["optimizer"]
    assert w.grad is None, "zero_grad() ran last"
    loss = namespace["loss_fn"](w * namespace["X"], namespace["y"])
    loss.backward()
    first = w.grad.clone()
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is not None and w.grad.item() == 0.0
    loss = namespace["loss_fn"](w * namespace["X"], namespace["y"])
    loss.backward()
    assert w.grad.item() == first.item(), "None and zeros give the same gradient"
    optimizer.zero_grad()
    assert w.grad is None


@pytest.mark.parametrize("w", [0.0, 0.3, 1.0, 1.999, 2.0, 3.5, -7.25])
def test_mse_loss_returns_the_same_number_as_the_hand_written_mse(w):
    """ "it returns the same number as our mse(y_pred, y)": the same float32."""
    namespace = ran("loss_and_optimizer/train.py")[0]
    part2 = ran("autograd/train.py")[0]
    X, y, torch = namespace["X"], namespace["y"], namespace["torch"]
    y_pred = namespace["forward"](X, torch.tensor(w))
    by_pytorch = namespace["loss_fn"](y_pred, y)
    by_hand = part2["mse"](y_pred, y)
    assert by_pytorch.dtype == by_hand.dtype == torch.float32
    assert by_pytorch.item() == by_hand.item()


def test_sgd_has_no_momentum_by_default():
    optimizer = ran("loss_and_optimizer/train.py")[0]["optimizer"]
    assert optimizer.defaults["momentum"] == 0


def test_same_learning_rate_and_epochs_as_part1():
    part1 = ran("numpy_by_hand/train.py")[0]
    part3 = ran("loss_and_optimizer/train.py")[0]
    assert part3["optimizer"].param_groups[0]["lr"] == part1["learning_rate"]
    assert part3["n_epochs"] == part1["n_epochs"]


def test_argument_order_matters_for_an_asymmetric_loss():
    namespace, _ = run("loss_and_optimizer/argument_order.py")
    mse, bce = namespace["mse"], namespace["bce"]
    y_pred, target = namespace["y_pred"], namespace["target"]
    assert mse(y_pred, target).item() == mse(target, y_pred).item()
    right, wrong = bce(y_pred, target).item(), bce(target, y_pred).item()
    assert right == pytest.approx(0.10536, rel=1e-4)  # -log(0.9)
    assert wrong > 10 * right


def test_bce_clamps_its_logarithms_at_minus_100():
    """The swapped loss is 10 because PyTorch clamps log(0) at -100: a certain,
    wrong prediction costs 100 per sample, where the formula gives infinity."""
    namespace, output = run("loss_and_optimizer/argument_order.py")
    torch, bce = namespace["torch"], namespace["bce"]
    for n in (1, 3):
        wrong = bce(torch.zeros(n), torch.ones(n)).item()
        assert wrong == 100  # the mean of n samples of 100 each
        assert bce(torch.ones(n), torch.zeros(n)).item() == 100
    p, t = namespace["target"].item(), namespace["y_pred"].item()  # swapped
    with np.errstate(divide="ignore"):
        log_1_minus_p = np.log(np.float64(1 - p))
    assert p == 1 and log_1_minus_p == -np.inf  # the formula, without the clamp
    clamped = -(t * max(np.log(p), -100) + (1 - t) * max(log_1_minus_p, -100))
    assert clamped == pytest.approx(10, rel=1e-6)
    assert bce(namespace["target"], namespace["y_pred"]).item() == pytest.approx(
        clamped, rel=1e-6
    )
    assert "BCELoss(target, input) = 10.0000" in output
    assert "BCELoss(0.0, 1.0)      = 100.0000" in output
