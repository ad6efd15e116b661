import numpy as np
import pytest

from lenscraft_core.splits import heldout_mask, is_heldout, sample_labels
from lenscraft_core.vocabulary import ANGLE, MOVEMENT, SHOT_TYPE


def test_heldout_triples_are_a_stable_minority_and_every_label_still_trains():
    m = heldout_mask()
    assert 0.04 < m.mean() < 0.13
    assert (~m).any(axis=(1, 2)).all() and (~m).any(axis=(0, 2)).all() and (~m).any(axis=(0, 1)).all()
    assert is_heldout("push in", "eye level", "wide shot") == is_heldout("dollyIn", "mediumAngle", "longShot")


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_sample_labels_respects_split(split):
    lab = sample_labels(5000, np.random.default_rng(0), split)
    hit = heldout_mask()[lab["movement"], lab["angle"], lab["shot_type"]]
    assert hit.all() if split == "heldout" else not hit.any()
    if split == "heldout":  # only the movements that have a held-out triple
        assert set(np.unique(lab["movement"])) == set(np.flatnonzero(heldout_mask().any(axis=(1, 2))))
        return
    assert len(np.unique(lab["movement"])) == len(MOVEMENT)
    assert len(np.unique(lab["angle"])) == len(ANGLE) and len(np.unique(lab["shot_type"])) == len(SHOT_TYPE)


def test_sample_labels_fixed_and_reproducible():
    a = sample_labels(100, np.random.default_rng(1), "train", fixed={"movement": "panLeft"})
    b = sample_labels(100, np.random.default_rng(1), "train", fixed={"movement": "panLeft"})
    assert (a["movement"] == MOVEMENT.index("panLeft")).all()
    assert all((a[f] == b[f]).all() for f in a)
