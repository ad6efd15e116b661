"""Training throughput of the LensCraft model vs a stock nn.Transformer of LensCraft's published size (4+4 layers,
d=512, 8 heads, ff 2048) on the same batch, plus single-shot decode latency (cached incremental vs recompute vs
single pass). CPU always; CUDA with bf16 autocast too when present (with MFU).

    python benchmarks/bench_train.py [--batch 64] [--steps 10] [--model base] [--peak-tflops 989]
"""

import argparse
import time

import torch
import torch.nn as nn

from lenscraft_core.features import CAM_DIM, MOTION_DIM, SUBJ_DIM
from lenscraft_core.train.config import TrainConfig
from lenscraft_core.train.losses import compute_losses
from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig, flops_per_sample


class StockTransformer(nn.Module):
    """torch.nn.Transformer (4+4, d=512, 8 heads, ff 2048) with the same input and output features."""

    def __init__(self, T=32):
        super().__init__()
        self.inp, self.out = nn.Linear(10, 512), nn.Linear(512, 10)
        self.pos = nn.Parameter(torch.zeros(T, 512))
        self.tf = nn.Transformer(512, 8, 4, 4, 2048, dropout=0.0, batch_first=True)

    def forward(self, x):
        h = self.inp(x) + self.pos
        mask = self.tf.generate_square_subsequent_mask(x.shape[1], device=x.device)
        return self.out(self.tf(h, h, tgt_mask=mask, tgt_is_causal=True))


def stock_flops_per_sample(T=32, d=512, ff=2048, L=8):
    return 3 * 2 * L * T * (4 * d * d + 2 * ff * d + 2 * T * d) + 3 * 2 * 4 * T * 2 * d * d  # + cross-attn q/o


def timed(fn, steps, device):
    fn()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(steps):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t) / steps


def head(decoder: str, size: str) -> ModelConfig:
    """What train.py builds (--output auto): the factored head with the single-pass decoder, else relative."""
    return ModelConfig(decoder=decoder, output="factored" if decoder == "single_pass" else "relative", **PRESETS[size])


def bench_device(device, args):
    bf16 = device.type == "cuda"
    ac = lambda: torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)  # noqa: E731
    B = args.batch if device.type == "cpu" else args.gpu_batch
    g = torch.Generator().manual_seed(0)
    batch = {"camera": torch.randn(B, 32, CAM_DIM, generator=g), "subject": torch.randn(B, SUBJ_DIM, generator=g),
             "motion": torch.randn(B, 32, MOTION_DIM, generator=g), "labels": torch.randint(0, 5, (B, 5), generator=g)}
    batch = {k: v.to(device) for k, v in batch.items()}
    table = torch.nn.functional.normalize(torch.randn(5, 32, 384, generator=g), dim=-1).to(device)
    valid = torch.ones(5, 32, dtype=torch.bool, device=device)
    cfg = TrainConfig()
    rows = []
    for decoder in ("autoregressive", "single_pass"):
        model = LensCraftModel(head(decoder, args.model)).to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        cur = {"noise": 0.02, "mask": 0.2, "tf": 1.0}

        def step():
            with ac():
                loss, _ = compute_losses(model, model, batch, table, valid, cur, cfg, None)
            opt.zero_grad()
            loss.backward()
            opt.step()
        dt = timed(step, args.steps, device)
        rows.append((f"LensCraft {args.model} ({decoder})", model.num_params(), B / dt,
                     flops_per_sample(model.cfg) * B / dt))
    stock = StockTransformer().to(device)
    opt = torch.optim.AdamW(stock.parameters(), lr=1e-4)

    def stock_step():
        with ac():
            loss = (stock(batch["camera"]).float() - batch["camera"]).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    dt = timed(stock_step, args.steps, device)
    rows.append(("stock nn.Transformer 4+4 d512", sum(p.numel() for p in stock.parameters()), B / dt,
                 stock_flops_per_sample() * B / dt))
    print(f"\n== training, {device} {'bf16' if bf16 else 'fp32'}, batch {B}, {args.steps} steps ==")
    print(f"{'model':40s} {'params':>10s} {'samples/s':>12s} {'TFLOP/s':>9s}" + ("  MFU" if bf16 else ""))
    for name, n, sps, fl in rows:
        mfu = f"  {fl / (args.peak_tflops * 1e12):.1%}" if bf16 else ""
        print(f"{name:40s} {n / 1e6:9.2f}M {sps:12.0f} {fl / 1e12:9.3f}{mfu}")
    ratio = rows[0][2] / rows[-1][2]
    print(f"speed ratio LensCraft(AR) / stock: {ratio:.1f}x")

    print(f"\n== decode latency, one 32-frame shot, {device} fp32 ==")
    torch.manual_seed(0)
    ar = LensCraftModel(ModelConfig(decoder="autoregressive", **PRESETS[args.model])).to(device).eval()
    sp = LensCraftModel(head("single_pass", args.model)).to(device).eval()
    one = {k: v[:1] for k, v in batch.items()}
    with torch.no_grad():
        mem = ar.memory(table[torch.arange(5, device=device), one["labels"][0]][None], one["subject"])
        for name, fn in (("autoregressive, KV cache", lambda: ar.generate(mem, one["motion"])),
                         ("autoregressive, recompute prefix", lambda: ar.generate_recompute(mem, one["motion"])),
                         ("single pass", lambda: sp.generate(mem, one["motion"]))):
            print(f"{name:40s} {timed(fn, args.decode_reps, device) * 1e3:8.2f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64, help="CPU batch")
    ap.add_argument("--gpu-batch", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--decode-reps", type=int, default=20)
    ap.add_argument("--model", default="base", choices=list(PRESETS))
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="GPU dense bf16 peak (H100 SXM: 989)")
    ap.add_argument("--cpu", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    if args.cpu:
        bench_device(torch.device("cpu"), args)
    if torch.cuda.is_available():
        print(torch.cuda.get_device_name())
        bench_device(torch.device("cuda"), args)


if __name__ == "__main__":
    main()
