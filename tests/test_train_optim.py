"""AdamW decays the weight matrices only."""

import pytest

torch = pytest.importorskip("torch")

from lenscraft_core.train.config import TrainConfig  # noqa: E402
from lenscraft_core.train.model import LensCraftModel, ModelConfig  # noqa: E402
from lenscraft_core.train.optim import make_optimizer, param_groups  # noqa: E402


def test_weight_decay_on_matrices_only():
    model = LensCraftModel(ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, ff_mult=2,
                                       output="factored"))
    opt = make_optimizer(model, TrainConfig(weight_decay=0.05))
    decay = {id(p) for g in opt.param_groups if g["weight_decay"] > 0 for p in g["params"]}
    names = {id(p): n for n, p in model.named_parameters()}
    assert {names[i] for i in decay} == {n for n, p in model.named_parameters() if p.dim() >= 2}
    assert "merge.weight" in {names[i] for i in decay}
    for n, p in model.named_parameters():  # biases, LayerNorm weights and 1-D tokens do not decay
        if n.endswith(".bias") or ".ln" in n or n.startswith(("enc_ln", "dec_ln", "merge_ln")) or p.dim() < 2:
            assert id(p) not in decay, n
    assert all(g["weight_decay"] == 0.05 for g in opt.param_groups if id(g["params"][0]) in decay)
    assert sum(len(g["params"]) for g in opt.param_groups) == len(list(model.parameters()))


def test_a_decayed_matrix_shrinks_and_a_bias_does_not_without_gradient():
    lin = torch.nn.Linear(3, 3)
    groups = param_groups(lin, 0.5)
    opt = torch.optim.AdamW(groups, lr=0.1)
    w, b = lin.weight.detach().clone(), lin.bias.detach().clone()
    (lin.weight.sum() * 0 + lin.bias.sum() * 0).backward()  # zero gradients: only the decay moves a parameter
    opt.step()
    assert torch.allclose(lin.weight, w * (1 - 0.1 * 0.5)) and torch.equal(lin.bias.detach(), b)


def test_frozen_parameters_are_left_out():
    model = LensCraftModel(ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, ff_mult=2))
    for p in model.encoder_parameters():
        p.requires_grad_(False)
    kept = {id(p) for g in param_groups(model, 0.01) for p in g["params"]}
    assert kept == {id(p) for p in model.parameters() if p.requires_grad}
