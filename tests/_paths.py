"""Where tests find data that lives outside the repository."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Real LensCraft v1 simulator output lives in shared/ beside the repository (CI clones with shared/ beside it).
V1_SIM_DIR = next((p for p in (Path(os.environ.get("LENSCRAFT_V1_SIM", "/nonexistent")),
                               REPO.parent / "shared" / "external" / "lenscraft-v1-sim",
                               Path("/work/shared/external/lenscraft-v1-sim")) if p.is_dir()),
                  REPO.parent / "shared" / "external" / "lenscraft-v1-sim")
