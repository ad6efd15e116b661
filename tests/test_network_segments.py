"""generate(generator="model") of several segments and of moves at once: the network makes each segment from its move
and from where the previous segment ended (inference/network_segments.py). The bundled model's own output, judged
by the geometric judge; a tiny random model for the runtimes' agreement and for an export that cannot start."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.inference import load_engine  # noqa: E402
from lenscraft_core.inference.engine import Engine  # noqa: E402
from lenscraft_core.inference.segments import move_set  # noqa: E402
from lenscraft_core.judge import judge_shot  # noqa: E402
from lenscraft_core.schema import Subject  # noqa: E402
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS  # noqa: E402

PERSON = Subject([0.0, 0.0, 0.9], [0.5, 0.35, 1.8], name="person", object_class="person")


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def _judged(shot, subject=PERSON):
    return [move_set(judge_shot(shot.trajectory.slice(a, b + 1), subject.slice(a, b + 1)))
            for a, b in shot.metadata["segment_frames"]]


def _steps(shot) -> np.ndarray:
    """Per-frame change: position (m) and view direction (rad)."""
    t = shot.trajectory
    fwd = -t.matrices[:, :3, 2]
    return np.linalg.norm(np.diff(t.position, axis=0), axis=1) + np.arccos(
        np.clip(np.sum(fwd[1:] * fwd[:-1], axis=1), -1, 1))


def test_a_sequence_is_every_segment_in_order_continuous_at_the_join(engine):
    shot, = engine.generate(PERSON, "push in, then orbit right", frames=120, fps=24, generator="model")
    assert shot.trajectory.frame_count == 120
    assert [s["moves"][0]["movement"] for s in shot.metadata["segments"]] == ["dollyIn", "shortArcShotRight"]
    assert [i.movement for i in shot.instructions] == ["dollyIn", "shortArcShotRight"]
    assert sum(i.count for i in shot.instructions) == 120
    first, second = _judged(shot)
    assert ("dolly", 1) in first and ("arc", 1) in second  # the orbit is made, not dropped
    join = shot.metadata["segment_frames"][0][1]
    steps = _steps(shot)
    assert steps[join - 1:join + 1].max() < 3 * np.median(steps)  # no jump where the second segment starts


def test_moves_at_once_are_each_made_and_composed(engine):
    shot, = engine.generate(PERSON, "tilts up while panning right", frames=96, fps=24, generator="model")
    moves, = _judged(shot)
    assert {("tilt", 1), ("pan", -1)} <= moves
    plain, = engine.generate(PERSON, "tilt up", frames=96, fps=24, generator="model")
    assert ("pan", -1) not in _judged_whole(plain)  # the pan comes from the second move, not from the tilt


def _judged_whole(shot):
    return move_set(judge_shot(shot.trajectory, PERSON))


def test_a_hold_holds_and_stated_sizes_are_named_as_not_kept(engine):
    shot, = engine.generate(PERSON, "pan left 40 degrees, then hold", frames=96, fps=24, generator="model")
    (a, b) = shot.metadata["segment_frames"][1]
    t = shot.trajectory
    np.testing.assert_allclose(t.position[a:b + 1], np.repeat(t.position[a:a + 1], b - a + 1, 0), atol=1e-9)
    np.testing.assert_allclose(t.focal_length[a:b + 1], t.focal_length[a], atol=1e-9)
    assert any("panLeft 40 not kept" in n for n in shot.metadata["notes"]), shot.metadata["notes"]
    assert ("pan", 1) in _judged(shot)[0]


def test_variations_differ_and_a_single_move_keeps_the_one_move_path(engine):
    shots = engine.generate(PERSON, "pan left, then tilt up", frames=60, fps=24, generator="model", variations=4,
                            seed=3)
    assert len(shots) == 4 and not np.allclose(shots[0].trajectory.position, shots[1].trajectory.position)
    # the open framing fields are drawn per variation, as on the one-move path, and reported in its instructions
    drawn = {tuple(i.labels().get(f) for f in ("angle", "shot_type", "view")) for s in shots[1:]
             for i in s.instructions[:1]}
    assert len(drawn) > 1 and all(all(d) for d in drawn)
    assert not any(shots[0].instructions[0].labels().get(f) for f in ("angle", "shot_type", "view"))
    one, = engine.generate(PERSON, "pan left", frames=60, fps=24, generator="model")
    assert "segment_frames" not in one.metadata  # one move: the network's plain one-move generation


def test_the_runtimes_agree_on_a_forced_start(tmp_path):
    from tests.test_infer import make_model

    folder = make_model(tmp_path / "tiny", seed=2)
    # make_model builds the default (relative) head: it cannot start from a given frame, so it makes the first
    # move, as before segments, and says so
    eng = Engine.load(folder, runtime="onnx")
    shot, = eng.generate(PERSON, "pan left, then tilt up", frames=40, fps=24, generator="model")
    assert shot.instructions[0].movement == "panLeft" and "segment_frames" not in shot.metadata
    assert any("previous one ended" in n and "only 'panLeft'" in n for n in shot.metadata["notes"])
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.export import export_onnx
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig

    torch.manual_seed(0)
    factored = tmp_path / "factored"
    factored.mkdir()
    ckpt.save(factored / "model", LensCraftModel(ModelConfig(output="factored", **PRESETS["tiny"])).eval(),
              "minilm-l6-v2", 384)
    rng = np.random.default_rng(0)
    emb = {f: rng.normal(size=(len(FIELDS[f]), 384)).astype(np.float32) for f in FIELD_NAMES}
    export_onnx(factored, label_embeddings=emb)
    shots = {r: Engine.load(factored, runtime=r).generate(PERSON, "pan left, then tilt up", frames=40, fps=24,
                                                          generator="model")[0] for r in ("onnx", "torch")}
    np.testing.assert_allclose(shots["onnx"].trajectory.position, shots["torch"].trajectory.position, atol=1e-3)


def test_blend_into_leaves_no_velocity_step_at_a_join():
    """Two straight paths at different velocities: joined plainly, the velocity steps at once; blended over m
    frames, it changes gradually (at most about 2x the step spread evenly over them) without overshooting, and the
    new path's own steps follow."""
    from lenscraft_core.inference.network_segments import blend_into

    F, m, n = 30, 6, 20
    v_old, v_new = np.array([0.03, 0, 0]), np.array([0.0, 0.2, 0])
    still = [np.tile([1.0, 0, 0, 0], (1, k, 1)) for k in (F, n)]
    old = [np.arange(F)[None, :, None] * v_old, still[0], np.full((1, F), 35.0)]

    def piece(first):
        return (old[0][:, first, None] + np.arange(n)[None, :, None] * v_new, still[1], np.full((1, n), 35.0))

    step = np.linalg.norm(v_new - v_old)
    plain = blend_into(old, piece(F - 1), 0)[0][0]
    assert np.linalg.norm(np.diff(plain, 2, axis=0), axis=1).max() == pytest.approx(step)
    joined = blend_into(old, piece(F - 1 - m), m)
    assert joined[0].shape == (1, F - 1 - m + n, 3) and joined[1].shape == (1, F - 1 - m + n, 4)
    v = np.diff(joined[0][0], axis=0)
    assert np.linalg.norm(np.diff(v, axis=0), axis=1).max() < 2.0 * step / m
    assert v[:, 1].max() <= v_new[1] + 1e-12 and v[:, 0].max() <= v_old[0] + 1e-12  # no overshoot
    np.testing.assert_allclose(v[F - 1:], np.tile(v_new, (n - m - 1, 1)), atol=1e-12)


def test_blend_into_turns_gradually_from_one_turn_rate_to_the_other():
    from lenscraft_core import geometry as geo
    from lenscraft_core.inference.network_segments import blend_into

    F, m, n = 30, 6, 20

    def yawing(k, rate, first=0.0):
        return geo.camera_quat_from_yaw_pitch_roll(first + rate * np.arange(k), np.zeros(k), np.zeros(k))[None]

    old = [np.zeros((1, F, 3)), yawing(F, 0.01), np.full((1, F), 35.0)]
    first = 0.01 * (F - 1 - m)
    piece = (np.zeros((1, n, 3)), yawing(n, -0.05, first), np.full((1, n), 35.0))
    q = blend_into(old, piece, m)[1][0]
    yaw = np.unwrap(geo.yaw_pitch_roll(geo.quat_to_matrix(q))[:, 0])
    rate = np.diff(yaw)
    assert np.abs(np.diff(rate)).max() < 2.0 * 0.06 / m  # no turn-rate step
    np.testing.assert_allclose(rate[:F - 1 - m], 0.01, atol=1e-9)
    np.testing.assert_allclose(rate[F - 1:], -0.05, atol=1e-9)


def test_a_short_segment_after_a_long_one_keeps_its_frames_and_quaternions_stay_continuous(engine):
    """The blend reaches back at most a third of the previous segment, so a short segment is not overwritten by
    the next one; joined pieces keep their quaternions on one side (no q -> -q step at a join)."""
    shot, = engine.generate(PERSON, "pan left for 2 seconds, then tilt up for 0.1 seconds, then push in", frames=120,
                            fps=24, generator="model")
    (_, _), (a, b), (c, _) = shot.metadata["segment_frames"]
    from lenscraft_core import geometry as geo

    _, pitch, _ = geo.yaw_pitch_roll(shot.trajectory.matrices).T
    assert np.degrees(pitch[b] - pitch[a]) > 5.0  # the tilt up happened in its own frames (2 deg when overwritten)
    for prompt, seed in (("orbit left, then hold, then pan right", 1), ("push in, then orbit right", 0)):
        q = engine.generate(PERSON, prompt, frames=48, fps=24, generator="model", seed=seed)[0].trajectory.rotation
        assert np.sum(q[1:] * q[:-1], -1).min() > 0.9


def test_stated_timing_within_a_segment_is_named_as_not_kept(engine):
    from lenscraft_core.moves import Move, Segment

    segs = [Segment((Move("panLeft", duration_s=0.5),)), Segment((Move("tiltUp"),))]
    shot, = engine.generate(PERSON, {"segments": segs}, frames=60, fps=24, generator="model")
    assert any("panLeft in 0.5 s" in n for n in shot.metadata["notes"])


def test_a_move_comes_to_rest_into_a_hold_without_a_velocity_step(engine):
    """Into a hold the previous move slows to rest over the blend, so the view's step per frame falls gradually to
    zero at the join (before, it dropped from the move's speed to nothing in one frame)."""
    shot, = engine.generate(PERSON, "pan left, then hold", frames=96, fps=24, generator="model")
    a, _ = shot.metadata["segment_frames"][1]
    steps = _steps(shot)
    assert steps[a:].max() < 1e-6  # held (arccos resolves ~1e-8)
    assert steps[a - 1] < 0.2 * steps[a - 8]  # slowing into the hold, not stopping dead
