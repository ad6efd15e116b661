"""DDP on CPU with the gloo process-group backend (dist_backend) and 2 processes: gradients match one process on the
same global batch, and a short distributed train() run completes with rank-0 checkpoints."""

import os
import socket
import sys
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from safetensors.torch import load_file, save_file

sys.path.insert(0, str(Path(__file__).parent))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _batch():
    import _train_data as td
    f = td.features(16, seed=3)
    return {"camera": torch.as_tensor(f.camera), "subject": torch.as_tensor(f.subject),
            "motion": torch.as_tensor(f.motion), "labels": torch.as_tensor(f.labels)}


def _grads(model_wrapper, core, batch, table, valid):
    from lenscraft_core.train.config import TrainConfig
    from lenscraft_core.train.losses import compute_losses
    cfg = TrainConfig(label_memory_p=0.0, field_dropout=0.0)
    loss, _ = compute_losses(model_wrapper, core, batch, table, valid, {"noise": 0.0, "mask": 0.0, "tf": 1.0}, cfg,
                             None)
    loss.backward()
    return torch.cat([p.grad.flatten() for p in core.parameters()])


def _worker(rank, port, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE="2",
                      LOCAL_RANK=str(rank), HF_HUB_OFFLINE="1")
    torch.set_num_threads(1)
    dist_backend = "gloo"  # the process-group backend on CPU (train/distributed.py picks it the same way)
    dist.init_process_group(dist_backend, rank=rank, world_size=2)
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig
    from lenscraft_core.train.loop import TrainConfig, train
    import _train_data as td
    torch.manual_seed(0)
    core = LensCraftModel(ModelConfig(**PRESETS["tiny"]))
    ddp = torch.nn.parallel.DistributedDataParallel(core)
    batch = {k: v[rank * 8:(rank + 1) * 8] for k, v in _batch().items()}
    table = torch.nn.functional.normalize(torch.randn(5, 32, 384, generator=torch.Generator().manual_seed(1)), dim=-1)
    valid = torch.ones(5, 32, dtype=torch.bool)
    g = _grads(ddp, core, batch, table, valid)
    if rank == 0:
        save_file({"g": g.contiguous()}, os.path.join(out, "ddp_grad.safetensors"))
    data = (td.features(64, seed=0), td.features(16, seed=1))
    train(TrainConfig(model="tiny", steps=4, batch_size=8, val_every=2, log_every=2, warmup=1, progress=False,
                      out=os.path.join(out, "run")), data)
    dist.destroy_process_group()


def test_ddp_two_gloo_processes_match_single_process(tmp_path):
    mp.spawn(_worker, args=(_free_port(), str(tmp_path)), nprocs=2, join=True)
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig
    torch.manual_seed(0)
    core = LensCraftModel(ModelConfig(**PRESETS["tiny"]))
    table = torch.nn.functional.normalize(torch.randn(5, 32, 384, generator=torch.Generator().manual_seed(1)), dim=-1)
    single = _grads(core, core, _batch(), table, torch.ones(5, 32, dtype=torch.bool))
    ddp = load_file(str(tmp_path / "ddp_grad.safetensors"))["g"]
    # float32 all-reduce sums in another order: equal to 1e-4 of the largest gradient
    scale = single.abs().max()
    assert torch.allclose(ddp, single, atol=1e-4 * float(scale), rtol=1e-4), ((ddp - single).abs().max(), scale)
    assert (tmp_path / "run" / "last.json").exists() and (tmp_path / "run" / "summary.json").exists()
