"""Part 4: nn.Linear, the custom module, the bias-free model, conditioning."""

import numpy as np
import pytest
import torch

from snippet import run


def test_linear_is_seeded_and_reproducible():
    assert run("torch_model/linear.py")[1] == run("torch_model/linear.py")[1]


def test_training_improves_the_prediction_for_five():
    namespace, output = run("torch_model/linear.py")
    before = float(output.split("before training: ")[1].split()[0])
    after = namespace["model"](namespace["X_test"]).item()
    assert abs(after - 10) < abs(before - 10) / 5
    assert namespace["X"].shape == (4, 1)


def test_custom_module_trains_like_nn_linear():
    linear = run("torch_model/linear.py")[0]["model"]
    custom = run("torch_model/custom_module.py")[0]["model"]
    assert custom.linear.weight.item() == linear.weight.item()
    assert custom.linear.bias.item() == linear.bias.item()
    assert len(list(custom.parameters())) == 2


def test_no_bias_reproduces_part3_digit_for_digit():
    part3, part3_output = run("loss_and_optimizer/train.py")
    no_bias, no_bias_output = run("torch_model/no_bias.py")
    assert no_bias_output == part3_output
    np.testing.assert_allclose(no_bias["history"], part3["history"], rtol=1e-6)
    assert no_bias["model"].bias is None


def test_hessian_and_its_eigenvalues():
    namespace, _ = run("torch_model/conditioning.py")
    x = np.array([1.0, 2.0, 3.0, 4.0])
    H = 2 / len(x) * np.array([[x @ x, x.sum()], [x.sum(), len(x)]])
    assert namespace["H"].numpy() == pytest.approx(H)
    low, high = np.linalg.eigvalsh(H)
    assert namespace["lam_min"] == pytest.approx(low)
    assert namespace["lam_max"] == pytest.approx(high)
    assert high / low > 50


def test_bias_needs_many_more_epochs_as_the_slow_eigenvalue_predicts():
    namespace, _ = run("torch_model/conditioning.py")
    epochs, lr = namespace["epoch"], namespace["lr"]
    w, b = namespace["w"], namespace["b"]
    assert abs(w - 2) < 1e-3 and abs(b) < 1e-3
    without_bias = int(np.ceil(np.log(1e-3 / 2) / np.log(1 - 15 * lr)))
    assert epochs > 20 * without_bias
    # Each epoch shrinks the slow direction by (1 - lr * lam_min).
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    start = np.array([model.weight.item() - 2, model.bias.item()])
    _, vectors = np.linalg.eigh(namespace["H"].numpy())
    distance = abs(start @ vectors[:, 0])
    predicted = np.log(1e-3 / distance) / np.log(1 - lr * namespace["lam_min"])
    assert predicted / 2 < epochs < predicted * 2
