import numpy as np
import pytest

from lenscraft_core.errors import LensCraftError
from lenscraft_core.text import cache, get_encoder, label_embeddings
from lenscraft_core.vocabulary import FIELDS, vocabulary_hash


@pytest.fixture(scope="module")
def minilm():
    return get_encoder("minilm")


def test_minilm_is_real_and_normalised(minilm):
    e = minilm.encode(["slow dolly shot toward the subject", "camera pushes in slowly on the actor",
                       "the recipe needs two eggs"])
    assert e.shape == (3, 384) and e.dtype == np.float32
    assert np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)
    assert e[0] @ e[1] > e[0] @ e[2] + 0.2  # semantics, not a hash


def test_label_cache_is_keyed_and_reused(minilm, tmp_path, monkeypatch):
    enc_id, emb = label_embeddings(minilm, tmp_path)
    path = cache.cache_path(enc_id, tmp_path)
    assert path.exists() and vocabulary_hash() in path.name
    assert {f: len(v) for f, v in emb.items()} == {f: len(FIELDS[f]) for f in FIELDS}
    # Warm cache: no encoder is loaded or run.
    monkeypatch.setattr("lenscraft_core.text.encoders.get_encoder", lambda *a, **k: pytest.fail("encoder loaded"))
    enc_id2, emb2 = label_embeddings("minilm", tmp_path)
    assert enc_id2 == enc_id and all(np.array_equal(emb[f], emb2[f]) for f in FIELDS)


def test_unknown_encoder_and_clip_without_weights_are_clear_errors():
    with pytest.raises(LensCraftError, match="unknown text encoder 'bert'"):
        get_encoder("bert")
    with pytest.raises(LensCraftError, match="needs real weights"):
        get_encoder("open_clip")


def test_open_clip_random_init_plumbing():
    pytest.importorskip("open_clip", reason="open_clip needs open_clip_torch with a matching torchvision "
                                            "(torch==2.14.1 torchvision==0.29.1)")
    enc = get_encoder("open_clip", random_init=True)  # plumbing only: random weights carry no semantics
    e = enc.encode(["the camera pans left", "from a low angle"])
    assert enc.id == "open_clip/ViT-B-32/random-init" and e.shape == (2, enc.dim)
    assert np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-5)
