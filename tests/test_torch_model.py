"""Part 4: nn.Linear, the custom module, the bias-free model, conditioning."""

import numpy as np
import pytest

from snippet import ROOT, ran, run


def test_linear_is_seeded_and_reproducible():
    assert run("torch_model/linear.py")[1] == run("torch_model/linear.py")[1]


def test_training_improves_the_prediction_for_five():
    namespace, output = ran("torch_model/linear.py")
    before = float(output.split("before training: ")[1].split()[0])
    after = namespace["model"](namespace["X_test"]).item()
    assert abs(after - 10) < abs(before - 10) / 5
    assert namespace["X"].shape == (4, 1)


def test_custom_module_trains_like_nn_linear():
    linear = ran("torch_model/linear.py")[0]["model"]
    custom = run("torch_model/custom_module.py")[0]["model"]
    assert custom.linear.weight.item() == linear.weight.item()
    assert custom.linear.bias.item() == linear.bias.item()
    assert len(list(custom.parameters())) == 2


def test_no_bias_reproduces_part3_digit_for_digit():
    part3, part3_output = ran("loss_and_optimizer/train.py")
    no_bias, no_bias_output = ran("torch_model/no_bias.py")
    assert no_bias_output == part3_output
    # The same float32 operations in the same order; atol for losses near 0.
    np.testing.assert_allclose(
        no_bias["history"], part3["history"], rtol=1e-6, atol=1e-7
    )
    assert no_bias["model"].bias is None


def test_the_bias_costs_thousands_of_epochs_against_a_few_dozen():
    namespace, output = ran("torch_model/slow_bias.py")
    without_bias, with_bias = namespace["without_bias"], namespace["with_bias"]
    assert 20 <= without_bias < 100 and with_bias > 1000
    # Without the bias it is Part 1's run: the same count as the learning-rate
    # page's float64 loop at 0.01.
    regimes = ran("learning_rate/regimes.py")[0]
    assert without_bias == regimes["epochs_to_converge"](0.01)
    assert f"bias=False): {without_bias:5d}" in output
    assert f"nn.Linear(1, 1):             {with_bias:5d}" in output


def test_the_valley_is_tilted_because_every_x_is_positive():
    """Raising w while lowering b changes the predictions very little."""
    X = np.array([1.0, 2.0, 3.0, 4.0])
    w_up = 0.1 * X  # the change of the predictions when w rises by 0.1
    trade = 0.1 * X - 0.1 * X.mean()  # ... and b falls by 0.1 * mean(x)
    assert (X > 0).all()
    assert np.mean(trade**2) < 0.2 * np.mean(w_up**2)


def test_predictions_for_display_are_made_in_inference_mode():
    for path in ["torch_model/linear.py", "torch_model/custom_module.py"]:
        lines = (ROOT / "snippets" / path).read_text(encoding="utf-8").splitlines()
        shown = [k for k, line in enumerate(lines) if "prediction for x = 5" in line]
        assert shown, path
        for k in shown:
            assert lines[k - 1].startswith("with torch.inference_mode():"), (path, k)


def test_inference_mode_records_no_graph_and_its_results_stay_out_of_graphs():
    namespace = ran("torch_model/linear.py")[0]
    torch, model, X_test = namespace["torch"], namespace["model"], namespace["X_test"]
    with torch.inference_mode():
        prediction = model(X_test)
    assert prediction.grad_fn is None and not prediction.requires_grad
    assert prediction.is_inference()
    with torch.no_grad():
        looked_at = model(X_test)
    assert looked_at.grad_fn is None and not looked_at.is_inference()
    assert torch.equal(prediction, looked_at)  # the same numbers
    # "can never be used in a graph later": autograd refuses to save it.
    with pytest.raises(RuntimeError, match="(?i)inference tensor"):
        (model.weight * prediction).sum().backward()
    # The model's parameters are untouched by it and still train.
    assert model.weight.requires_grad and not model.weight.is_inference()


def test_layers_start_from_values_set_with_nn_init():
    """torch_model.md: nn.init sets a parameter without recording it (that the
    site sets every layer's starting values that way: test_idioms.py)."""
    namespace = ran("torch_model/no_bias.py")[0]
    torch, nn = namespace["torch"], namespace["nn"]
    layer = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(layer.weight)
    assert layer.weight.item() == 0 and layer.weight.grad_fn is None
    assert layer.weight.is_leaf and layer.weight.requires_grad
    assert isinstance(layer.weight, torch.nn.Parameter)
