"""Training recipes as files (nanoGPT style): recipes/NAME.json holds the TrainConfig fields a recipe changes from
the defaults; `python train.py --recipe NAME_OR_PATH` loads one and flags override it. Keys starting with "_" are
comments ("_about" says what the recipe is for)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ..errors import LensCraftError
from .config import TrainConfig

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"


def recipe_names() -> list[str]:
    """The recipes shipped in RECIPES_DIR (what `--recipe NAME` accepts besides a path)."""
    return sorted(p.stem for p in RECIPES_DIR.glob("*.json"))


def recipe_path(name_or_path: str | Path) -> Path:
    """NAME (a file in RECIPES_DIR) or a path to a recipe file."""
    p = Path(name_or_path)
    if p.suffix == ".json" or len(p.parts) > 1:
        if not p.is_file():
            raise LensCraftError(f"--recipe {name_or_path}: no such recipe file")
        return p
    named = RECIPES_DIR / f"{p.name}.json"
    if not named.is_file():
        raise LensCraftError(f"--recipe {name_or_path}: unknown recipe; choose one of {', '.join(recipe_names())} "
                             "or give a path to a .json file")
    return named


def load_recipe(name_or_path: str | Path) -> dict:
    """The recipe's TrainConfig values (comments dropped); an unknown key or a non-object file is a LensCraftError."""
    path = recipe_path(name_or_path)
    try:
        values = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise LensCraftError(f"{path}: not a valid recipe ({e})") from None
    if not isinstance(values, dict):
        raise LensCraftError(f"{path}: a recipe is a JSON object of TrainConfig fields")
    values = {k: v for k, v in values.items() if not k.startswith("_")}
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise LensCraftError(f"{path}: unknown key(s) {', '.join(unknown)}; a recipe sets TrainConfig fields "
                             f"({', '.join(sorted(fields))})")
    return values


def recipe_config(name_or_path: str | Path, **overrides) -> TrainConfig:
    """TrainConfig from the defaults, then the recipe, then overrides (the command line)."""
    return TrainConfig(**{**load_recipe(name_or_path), **overrides})
