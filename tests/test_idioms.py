"""The idioms a reader copies, in every snippet: a loss module built once, not
inside the loop; a layer's starting values set with nn.init; the device chosen
through torch.accelerator, not a chain of checks for each kind of GPU."""

from __future__ import annotations

import ast

import pytest

from snippet import ROOT, SNIPPETS


def tree_of(snippet: str) -> ast.Module:
    return ast.parse((ROOT / snippet).read_text(encoding="utf-8"), snippet)


def called_name(node: ast.Call) -> str:
    """`nn.MSELoss` for `nn.MSELoss()(...)`'s inner call, `torch.nn.L1Loss`..."""
    return ast.unparse(node.func)


def loss_modules_built_in_loops(tree: ast.Module) -> list[int]:
    """Lines where a loop's body builds an nn.*Loss module."""
    lines = []
    for loop in ast.walk(tree):
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        for node in ast.walk(loop):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = called_name(node)
                if name.endswith("Loss") and name.split(".")[-2] == "nn":
                    lines.append(node.lineno)
    return lines


def test_the_check_finds_a_loss_built_in_a_loop():
    inside = "for epoch in range(3):\n    loss = nn.MSELoss()(model(X), y)\n"
    assert loss_modules_built_in_loops(ast.parse(inside)) == [2]
    once = "loss_fn = nn.MSELoss()\nfor epoch in range(3):\n    loss = loss_fn(p, y)\n"
    assert loss_modules_built_in_loops(ast.parse(once)) == []


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_a_loss_module_is_built_once_not_inside_the_loop(snippet):
    assert loss_modules_built_in_loops(tree_of(snippet)) == [], snippet


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_parameters_are_set_with_nn_init(snippet):
    """No param.fill_(...), param.copy_(...), param.data, nor
    layer.weight[...] = ...: the other ways to set a parameter."""
    for node in ast.walk(tree_of(snippet)):
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("fill_", "copy_", "data"), (snippet, node.lineno)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            target = node.value
            weight = isinstance(target, ast.Attribute) and target.attr in (
                "weight",
                "bias",
            )
            assert not weight, (snippet, node.lineno)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_no_hand_written_chain_of_devices(snippet):
    """torch.accelerator, not torch.cuda.is_available() then
    torch.backends.mps.is_available() (the distributed page picks a GPU per
    process by torch.cuda.device_count(), since NCCL needs CUDA)."""
    code = ast.unparse(tree_of(snippet))
    assert "torch.cuda.is_available" not in code, snippet
    assert "torch.backends.mps.is_available" not in code, snippet
