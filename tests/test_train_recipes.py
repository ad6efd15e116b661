"""Training recipes as files (lenscraft_core/train/recipes/*.json) and train.py's --recipe."""

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.train.config import TrainConfig  # noqa: E402
from lenscraft_core.train.recipe import RECIPES_DIR, load_recipe, recipe_config, recipe_names  # noqa: E402
from _train_data import train_script  # noqa: E402

REPO = Path(__file__).resolve().parents[1]




@pytest.mark.parametrize("name", sorted(p.stem for p in RECIPES_DIR.glob("*.json")))
def test_every_recipe_file_parses_into_a_train_config(name):
    cfg = recipe_config(name)
    assert isinstance(cfg, TrainConfig)
    raw = json.loads((RECIPES_DIR / f"{name}.json").read_text())
    assert raw.get("_about"), "say what the recipe is for"
    for k, v in load_recipe(name).items():
        assert getattr(cfg, k) == v


def test_the_shipped_recipes_are_there():
    assert {"quick", "full", "bundled-1a-encoder", "bundled-1b-factored", "bundled-1c-head-pan",
            "bundled-1d-head-pan-encoder", "bundled-2-generator"} <= set(recipe_names())
    assert recipe_config("full") == TrainConfig()
    assert not recipe_config("bundled-1d-head-pan-encoder").sim_head_pans_decoded
    gen = recipe_config("bundled-2-generator")
    assert gen.freeze_encoder and gen.init == "runs/factored/last" and gen.init_encoder == "runs/default/last"


def test_unknown_key_in_a_recipe_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"steps": 5, "learning_rate": 1e-3}))
    with pytest.raises(LensCraftError, match=r"bad.json: unknown key\(s\) learning_rate"):
        load_recipe(bad)
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(LensCraftError, match="JSON object"):
        load_recipe(tmp_path / "list.json")
    with pytest.raises(LensCraftError, match="unknown recipe; choose one of .*quick"):
        load_recipe("nope")


def test_train_py_takes_a_recipe_name_or_path_and_flags_override_it(tmp_path):
    train = train_script()
    c, args = train.parse(["--recipe", "bundled-2-generator", "--steps", "7"])
    assert args.recipe == "bundled-2-generator" and c.steps == 7 and c.lr == 3e-4 and c.seed == 1
    own = tmp_path / "mine.json"
    own.write_text(json.dumps({"_about": "test", "model": "tiny", "steps": 11, "lr": 5e-4}))
    c, _ = train.parse(["--recipe", str(own), "--lr", "1e-4"])
    assert (c.model, c.steps, c.lr) == ("tiny", 11, 1e-4)
    quick, _ = train.parse(["--recipe", "quick"])
    assert quick == TrainConfig(**train.QUICK) and quick.steps == 300 and quick.model == "small"
