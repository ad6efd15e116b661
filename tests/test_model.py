import json

import numpy as np
import pytest
import torch

from lenscraft_core.features import CAM_DIM, MOTION_DIM, SUBJ_DIM
from lenscraft_core.train import checkpoint as ckpt
from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig, rotation_geodesic
from lenscraft_core.vocabulary import FIELD_NAMES


def inputs(B=3, T=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(B, T, CAM_DIM, generator=g), torch.randn(B, SUBJ_DIM, generator=g),
            torch.randn(B, T, MOTION_DIM, generator=g))


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return LensCraftModel(ModelConfig(decoder="autoregressive", **PRESETS["tiny"])).eval()


def test_shapes_and_unit_field_embeddings(tiny):
    cam, subj, mo = inputs()
    emb, traj = tiny(cam, subj, mo, prev_frames=cam)
    assert emb.shape == (3, len(FIELD_NAMES), 384) and traj.shape == (3, 32, 10)
    assert torch.allclose(emb.norm(dim=-1), torch.ones(3, len(FIELD_NAMES)), atol=1e-5)


def test_default_model_size_ships():
    n = LensCraftModel(ModelConfig()).num_params()
    assert 2e6 <= n <= 6e6, n


def test_cached_incremental_decoding_equals_full_recompute(tiny):
    cam, subj, mo = inputs()
    memory = tiny.memory(tiny.encode(cam, subj, mo), subj)
    fast, slow = tiny.generate(memory, mo), tiny.generate_recompute(memory, mo)
    assert torch.allclose(fast, slow, atol=1e-5), (fast - slow).abs().max()


def test_teacher_forcing_is_causal(tiny):
    cam, subj, mo = inputs()
    memory = tiny.memory(tiny.encode(cam, subj, mo), subj)
    a = tiny.decode(memory, mo, cam)
    cam2 = cam.clone()
    cam2[:, 20:] += 5.0  # later frames must not change earlier outputs (slot t reads frame t-1)
    b = tiny.decode(memory, mo, cam2)
    assert torch.allclose(a[:, :21], b[:, :21], atol=1e-6) and not torch.allclose(a[:, 21:], b[:, 21:])


def test_known_frames_are_kept_and_masked_frames_ignored(tiny):
    cam, subj, mo = inputs()
    known = torch.zeros(3, 32, dtype=torch.bool)
    known[:, [0, 31]] = True
    memory = tiny.memory(tiny.encode(cam, subj, mo, known), subj)
    out = tiny.generate(memory, mo, known, cam)
    assert torch.equal(out[:, 0], cam[:, 0]) and torch.equal(out[:, 31], cam[:, 31])
    cam2 = cam.clone()
    cam2[:, 5:20] = 100.0  # unknown frames: the encoder must not see them
    assert torch.allclose(tiny.encode(cam, subj, mo, known), tiny.encode(cam2, subj, mo, known))


def test_single_pass_decoder():
    torch.manual_seed(0)
    m = LensCraftModel(ModelConfig(decoder="single_pass", **PRESETS["tiny"])).eval()
    cam, subj, mo = inputs()
    emb, traj = m(cam, subj, mo)
    assert traj.shape == (3, 32, 10)
    assert torch.allclose(m.generate(m.memory(emb, subj), mo), traj, atol=1e-6)


def test_rotation_geodesic_measures_roll():
    from lenscraft_core import geometry as geo
    R = geo.axis_rotation(2, np.array([0.0, 0.3, 1.0]))  # roll about the view axis
    d6 = torch.tensor(geo.matrix_to_6d(R), dtype=torch.float32)
    ang = rotation_geodesic(d6[1:], d6[:1].expand(2, 6))
    assert torch.allclose(ang, torch.tensor([0.3, 1.0]), atol=1e-3)


def test_checkpoint_roundtrip_identical_outputs(tiny, tmp_path):
    opt = torch.optim.AdamW(tiny.parameters(), lr=1e-3)
    cam, subj, mo = inputs()
    tiny.train()
    tiny(cam, subj, mo, prev_frames=cam)[1].pow(2).mean().backward()
    opt.step()
    tiny.eval()
    ckpt.save(tmp_path / "m", tiny, "minilm-l6-v2", 384, training={"step": 1}, optimizer=opt)
    model, meta = ckpt.load(tmp_path / "m", encoder_id="minilm-l6-v2", text_dim=384)
    assert meta["training"]["step"] == 1 and meta["labels"]["movement"][0] == "panLeft"
    with torch.no_grad():
        for a, b in zip(tiny(cam, subj, mo, prev_frames=cam), model(cam, subj, mo, prev_frames=cam)):
            assert torch.equal(a, b)
    opt2 = torch.optim.AdamW(model.parameters(), lr=1e-3)
    ckpt.load(tmp_path / "m", optimizer=opt2)
    s1, s2 = opt.state_dict(), opt2.state_dict()
    assert s1["param_groups"] == s2["param_groups"]
    for k in s1["state"]:
        for name in ("exp_avg", "exp_avg_sq", "step"):
            assert torch.equal(s1["state"][k][name], s2["state"][k][name])
    ckpt.strip_optimizer(tmp_path / "m", tmp_path / "bundled")
    small, meta2 = ckpt.load(tmp_path / "bundled", encoder_id="minilm-l6-v2")
    assert meta2["optimizer"] is None and meta2["training"]["step"] == 1
    assert (tmp_path / "bundled.safetensors").stat().st_size < (tmp_path / "m.safetensors").stat().st_size
    with pytest.raises(ckpt.CheckpointError, match="no optimiser state"):
        ckpt.load(tmp_path / "bundled", optimizer=torch.optim.AdamW(small.parameters()))


def test_checkpoint_errors_name_the_problem(tiny, tmp_path):
    stem = tmp_path / "m"
    ckpt.save(stem, tiny, "minilm-l6-v2", 384)
    with pytest.raises(ckpt.CheckpointError, match="text encoder 'minilm-l6-v2'.*open_clip"):
        ckpt.load(stem, encoder_id="open_clip/ViT-B-32/x")
    with pytest.raises(ckpt.CheckpointError, match="d_model=64 \\(checkpoint\\) vs 192"):
        ckpt.load(stem, model_config=ModelConfig(decoder="autoregressive"))
    meta = json.loads((tmp_path / "m.json").read_text())
    meta["vocabulary_hash"] = "0000"
    meta["labels"]["angle"] = ["lowAngle"]
    (tmp_path / "v.json").write_text(json.dumps({**meta, "weights": meta["weights"]}))
    (tmp_path / "v.safetensors").write_bytes((tmp_path / "m.safetensors").read_bytes())
    with pytest.raises(ckpt.CheckpointError, match="vocabulary.*angle"):
        ckpt.load(tmp_path / "v")
    data = (tmp_path / "m.safetensors").read_bytes()
    (tmp_path / "m.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ckpt.CheckpointError, match="corrupted, truncated"):
        ckpt.load(stem)
    (tmp_path / "m.json").write_text('{"format": "lenscraft-checkpoint", "vers')
    with pytest.raises(ckpt.CheckpointError, match="corrupted or truncated"):
        ckpt.load(stem)


def _sim_features(n=24, seed=3):
    from lenscraft_core import features as ft
    from lenscraft_core.simulate import simulate_batch
    batch = simulate_batch(n, frames=32, seed=seed)
    return batch, ft.encode_batch(batch)


def test_camera_view_matches_framing_definition():
    from lenscraft_core import framing
    from lenscraft_core.train.model import camera_view
    batch, f = _sim_features()
    m = framing.measure_batch(batch)
    ndc, log_cov = camera_view(torch.tensor(f.camera, dtype=torch.float64),
                               torch.tensor(f.motion[..., :3], dtype=torch.float64))
    np.testing.assert_allclose(ndc.numpy(), m.centre_ndc, atol=1e-4)
    np.testing.assert_allclose(log_cov.numpy(), np.log(m.coverage), atol=1e-4)


def test_motion_features_are_relative_to_the_first_known_frame_and_zero_where_unknown():
    from lenscraft_core.train.model import MOTION_FEATURES, motion_features
    _, f = _sim_features()
    cam, mo = torch.tensor(f.camera), torch.tensor(f.motion)
    known = torch.ones(cam.shape[:2])
    x = motion_features(cam, mo, known)
    assert x.shape == (len(f), 32, MOTION_FEATURES) and torch.isfinite(x).all()
    assert x[:, 0, :10].abs().max() < 1e-5  # position, rotation, focal and distance change are 0 at the reference
    known[:, :5] = 0
    known[:, 20] = 0
    y = motion_features(cam, mo, known)
    assert (y[:, :5] == 0).all() and (y[:, 20] == 0).all()
    assert y[:, 5, :10].abs().max() < 1e-5  # frame 5 is now the reference
    # Same move, subject twice as far in every direction: the relative description does not change.
    from lenscraft_core.features import compress, expand
    far = cam.clone()
    far[..., :3] = torch.tensor(compress(2.0 * expand(f.camera[..., :3].astype(np.float64))), dtype=far.dtype)
    z = motion_features(far, mo * torch.tensor([0.0] * 3 + [1.0] * 6), torch.ones(cam.shape[:2]))
    w = motion_features(cam, mo * torch.tensor([0.0] * 3 + [1.0] * 6), torch.ones(cam.shape[:2]))
    assert torch.allclose(z[..., :11], w[..., :11], atol=1e-4)


def test_relative_output_is_the_move_in_the_first_cameras_frame():
    """compose_relative's move is what motion_features measures: compose a base pose and a move, read it back."""
    from lenscraft_core.train.model import IDENTITY_6D, compose_relative, motion_features

    g = torch.Generator().manual_seed(1)
    base = torch.randn(4, 1, 10, generator=g) * 0.5
    base[..., 0:3] += torch.tensor([0.0, -2.0, 0.5])  # a camera a few subject sizes away
    rel = torch.randn(4, 32, 10, generator=g) * 0.2
    rel[:, 0] = 0.0  # the first frame is the base itself
    cam = compose_relative(base, rel)
    mf = motion_features(cam.double(), torch.zeros(4, 32, 9, dtype=torch.float64), torch.ones(4, 32)).float()
    back = torch.sinh(mf[..., :10])  # motion_features applies asinh
    assert torch.allclose(back[..., 0:3], rel[..., 0:3], atol=1e-4)  # translation in R0's axes / d0
    assert torch.allclose(back[..., 9], rel[..., 9], atol=1e-5)  # log focal change
    from lenscraft_core.train.model import sixd_to_matrix
    want = sixd_to_matrix(rel[..., 3:9] + torch.tensor(IDENTITY_6D))  # the rotation the move asked for
    got = sixd_to_matrix(back[..., 3:9] + torch.tensor(IDENTITY_6D))
    assert torch.allclose(got, want, atol=1e-4)


def test_factored_output_moves_about_world_up_from_any_pitch():
    """compose_factored: with no level-frame part it is compose_relative; a level-frame translation (0, 0, h) is a
    pedestal (straight up, h x the distance) and a level turn about z is a pan (a yaw about world up), from a level,
    a low-angle and an overhead camera alike."""
    from lenscraft_core.features import compress
    from lenscraft_core.train.model import (FACTORED_REL, compose_factored, compose_relative, expand_position,
                                            level_frame, sixd_to_matrix)
    from lenscraft_core.geometry import camera_quat_from_yaw_pitch_roll, quat_to_matrix

    pitches = np.radians([0.0, 25.0, -89.9])  # level, looking up from low, looking straight down
    R0 = quat_to_matrix(camera_quat_from_yaw_pitch_roll(np.full(3, 0.4), pitches, np.zeros(3)))
    p0 = np.array([[0.5, -3.0, 0.2], [0.0, -2.0, -1.0], [0.1, 0.0, 4.0]])
    base = torch.tensor(np.concatenate([compress(p0), R0[..., :, 0], R0[..., :, 1], np.zeros((3, 1))], -1),
                        dtype=torch.float64)[:, None]
    H = level_frame(torch.tensor(R0))
    assert torch.allclose(H[..., :, 2], torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
    assert torch.allclose(H.transpose(-1, -2) @ H, torch.eye(3, dtype=torch.float64).expand(3, 3, 3), atol=1e-9)

    g = torch.Generator().manual_seed(0)
    rel = torch.zeros(3, 8, FACTORED_REL, dtype=torch.float64)
    rel[..., :10] = torch.randn(3, 8, 10, generator=g, dtype=torch.float64) * 0.1
    assert torch.allclose(compose_factored(base, rel), compose_relative(base, rel[..., :10]), atol=1e-9)

    up = torch.zeros(3, 1, FACTORED_REL, dtype=torch.float64)
    up[..., 12] = 0.3
    moved = expand_position(compose_factored(base, up)[..., 0:3])[:, 0]
    d0 = np.linalg.norm(p0, axis=-1)
    np.testing.assert_allclose((moved - torch.tensor(p0)).numpy(), np.outer(0.3 * d0, [0.0, 0.0, 1.0]), atol=1e-9)

    pan = torch.zeros(3, 1, FACTORED_REL, dtype=torch.float64)
    a = 0.3
    pan[..., 13:19] = torch.tensor([np.cos(a) - 1, np.sin(a), 0.0, -np.sin(a), np.cos(a) - 1, 0.0])  # Rz(a) - I
    R = sixd_to_matrix(compose_factored(base, pan)[..., 3:9])[:, 0]
    Rz = torch.tensor([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    assert torch.allclose(R, Rz @ torch.tensor(R0), atol=1e-9)


def test_factored_model_needs_single_pass_and_decodes_finite():
    with pytest.raises(ValueError, match="single_pass"):
        ModelConfig(output="factored", decoder="autoregressive")
    torch.manual_seed(0)
    m = LensCraftModel(ModelConfig(output="factored", **PRESETS["tiny"])).eval()
    cam, subj, mo = inputs()
    fe, out = m(cam, subj, mo)
    assert out.shape == cam.shape and torch.isfinite(out).all()
    mem = m.memory(fe, subj)
    assert torch.allclose(m.generate(mem, mo), out, atol=1e-5)
    # The whole move reads the movement and easing tokens and the placement only: another angle / shot / view
    # token changes where the camera stands, never the move the label asks for about that placement.
    base = torch.randn(3, 1, 10)
    other = mem.clone()
    for f in ("angle", "shot_type", "view"):
        other[:, FIELD_NAMES.index(f)] += 1.0
    assert torch.equal(m.factored_move(other, base), m.factored_move(mem, base))
    moved = mem.clone()
    moved[:, FIELD_NAMES.index("movement")] += 1.0
    assert not torch.allclose(m.factored_move(moved, base), m.factored_move(mem, base))


def test_move_basis_starts_at_rest_and_smoothing_keeps_smooth_moves():
    from lenscraft_core.train.model import move_basis

    m = LensCraftModel(ModelConfig(**PRESETS["tiny"]))
    B = move_basis(32, m.cfg.move_basis)
    assert torch.equal(B[0], torch.zeros(m.cfg.move_basis)) and torch.allclose(B[-1, 0], torch.tensor(1.0))
    s = torch.linspace(0, 1, 32)
    ease = (3 * s ** 2 - 2 * s ** 3)[:, None]  # smoothstep: an ease in-out move
    assert torch.allclose(m.smooth @ ease, ease, atol=2e-3)
    jitter = torch.zeros(32, 1)
    jitter[1::2] = 0.1  # frame-to-frame flicker is removed
    assert (m.smooth @ jitter).diff(dim=0).abs().max() < 0.05


def test_checkpoints_from_before_the_relative_head_still_load(tmp_path):
    torch.manual_seed(0)
    old = LensCraftModel(ModelConfig(output="absolute", **PRESETS["tiny"])).eval()
    ckpt.save(tmp_path / "old", old, "minilm-l6-v2", 384)
    meta_path = tmp_path / "old.json"
    meta = json.loads(meta_path.read_text())
    del meta["model_config"]["output"], meta["model_config"]["move_basis"]  # as written by the earlier code
    meta_path.write_text(json.dumps(meta))
    model, _ = ckpt.load(tmp_path / "old")
    cam, subj, mo = inputs()
    assert model.cfg.output == "absolute"
    assert torch.allclose(model(cam, subj, mo)[1], old(cam, subj, mo)[1])


def test_identity_6d_is_a_buffer_outside_the_checkpoint(tmp_path):
    """One constant the traced graphs hold (no torch.tensor per call); not saved, so checkpoint keys stay the same
    and checkpoints from before it load strictly."""
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.model import IDENTITY_6D, LensCraftModel, ModelConfig

    model = LensCraftModel(ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, ff_mult=2,
                                       output="factored"))
    assert torch.equal(model.identity_6d, torch.tensor(IDENTITY_6D)) and "identity_6d" not in model.state_dict()
    ckpt.save(tmp_path / "m", model, "x", 384)
    loaded, _ = ckpt.load(tmp_path / "m")
    assert torch.equal(loaded.identity_6d, model.identity_6d)
