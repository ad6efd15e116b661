"""benchmarks/bench_train.py runs end to end (tiny sizes): the script whose numbers docs/BENCHMARKS.md quotes, and
the one a GPU session runs for the H100 throughput goal, must not rot while no GPU is lent."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_train_prints_the_side_by_side_table():
    r = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_train.py"), "--model", "tiny", "--batch", "4",
                        "--steps", "1", "--decode-reps", "1"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for row in ("LensCraft tiny (autoregressive)", "LensCraft tiny (single_pass)", "stock nn.Transformer 4+4 d512",
                "speed ratio LensCraft(AR) / stock", "autoregressive, KV cache", "single pass"):
        assert row in out, row
