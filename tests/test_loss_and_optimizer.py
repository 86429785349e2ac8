"""Part 3: nn.MSELoss + torch.optim.SGD give Part 2's trajectory."""

import pytest

from snippet import run


def test_trajectory_equals_part2():
    part2 = run("autograd/train.py")[0]["history"]
    part3 = run("loss_and_optimizer/train.py")[0]["history"]
    assert part3 == part2


def test_same_learning_rate_and_epochs_as_part1():
    part1 = run("numpy_by_hand/train.py")[0]
    part3 = run("loss_and_optimizer/train.py")[0]
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
