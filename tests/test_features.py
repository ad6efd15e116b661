import numpy as np
import pytest

from lenscraft_core import features as ft
from lenscraft_core import geometry as geo
from lenscraft_core.schema import Instruction, Shot, ShotBatch, Subject, Trajectory
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS


def random_batch(n=6, frames=32, seed=0, moving=False) -> ShotBatch:
    """A hand-made batch: cameras orbiting and rolling around rotated, scaled subjects."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, frames)
    subj_pos = rng.normal(size=(n, 1, 3)) * 5 + (rng.normal(size=(n, 1, 3)) * t[None, :, None] if moving else 0)
    subj_pos = np.broadcast_to(subj_pos, (n, frames, 3)).copy()
    yaw = rng.uniform(-np.pi, np.pi, (n, 1)) + (t[None] if moving else 0)
    subj_rot = geo.matrix_to_quat(geo.axis_rotation(2, np.broadcast_to(yaw, (n, frames))))
    size = rng.uniform(0.2, 4, (n, 3))
    ang = rng.uniform(0, 2 * np.pi, (n, 1)) + t[None] * rng.uniform(-2, 2, (n, 1))
    eye = subj_pos + np.stack([np.cos(ang) * 4, np.sin(ang) * 4, 1 + t[None] * np.ones((n, 1))], -1)
    roll = t[None] * rng.uniform(-1, 1, (n, 1))
    R = geo.look_at(eye, subj_pos, roll=roll)
    focal = 50 * np.exp(t[None] * rng.uniform(-0.5, 0.5, (n, 1)))
    labels = {f: rng.integers(0, len(FIELDS[f]), n) for f in FIELD_NAMES}
    return ShotBatch(eye, geo.matrix_to_quat(R), focal, subj_pos, subj_rot, size, labels, np.full(n, 24.0))


@pytest.mark.parametrize("moving", [False, True])
def test_exact_inverse_when_length_equals_frames(moving):
    b = random_batch(frames=32, moving=moving)
    f = ft.encode_batch(b, length=32)
    assert f.camera.shape == (6, 32, ft.CAM_DIM) and f.motion.shape == (6, 32, ft.MOTION_DIM)
    assert f.subject.shape == (6, ft.SUBJ_DIM) and f.labels.shape == (6, len(FIELD_NAMES))
    # float64 features for the exactness check (float32 storage limits it to ~1e-6 relative)
    f64 = ft.encode_arrays(b.cam_pos, b.cam_rot, b.focal, b.subject_pos, b.subject_rot, b.subject_size, b.labels, 32)
    pos, q, focal = ft.decode_camera(f64.camera.astype(np.float64), f64.anchor, 32)
    assert np.abs(pos - b.cam_pos).max() < 1e-4  # float32 features
    assert np.abs(focal - b.focal).max() < 1e-3
    ang = geo.rotation_angle_between(geo.quat_to_matrix(q), geo.quat_to_matrix(b.cam_rot))
    assert ang.max() < 1e-3


def test_exact_inverse_float64():
    b = random_batch(frames=32)
    anchor = ft.make_anchor(b.subject_pos[:, 0], b.subject_rot[:, 0], b.subject_size)
    rel, d6 = ft._to_anchor(anchor, b.cam_pos, geo.quat_to_matrix(b.cam_rot))
    cam = np.concatenate([ft.compress(rel), d6, np.log(b.focal / ft.FOCAL_REF_MM)[..., None]], -1)
    pos, q, focal = ft.decode_camera(cam, anchor, 32)
    assert np.abs(pos - b.cam_pos).max() < 1e-9 and np.abs(focal - b.focal).max() < 1e-9
    assert np.abs(geo.quat_to_matrix(q) - geo.quat_to_matrix(b.cam_rot)).max() < 1e-9


def test_subject_relative_and_scale_invariant():
    b = random_batch(frames=20)
    f1 = ft.encode_batch(b)
    # Move, turn (about Z) and scale the whole scene: camera features must not change.
    R = geo.axis_rotation(2, 0.7)
    s, off = 3.0, np.array([10.0, -4.0, 2.0])
    q = geo.matrix_to_quat(R)
    b2 = ShotBatch(np.einsum("ij,nfj->nfi", R, b.cam_pos) * s + off, geo.quat_mul(q, b.cam_rot), b.focal,
                   np.einsum("ij,nfj->nfi", R, b.subject_pos) * s + off, geo.quat_mul(q, b.subject_rot),
                   b.subject_size * s, b.labels, b.fps)
    f2 = ft.encode_batch(b2)
    assert np.abs(f1.camera - f2.camera).max() < 1e-4
    assert np.abs(f1.motion - f2.motion).max() < 1e-4
    assert np.abs(f1.subject[:, :3] - f2.subject[:, :3]).max() < 1e-5


def test_front_means_subject_front():
    # A camera straight in front of the subject (its local -Y) has relative position (0, -d, 0) for any yaw.
    for yaw in (0.0, 1.0, -2.5):
        Rs = geo.axis_rotation(2, yaw)
        eye = Rs @ np.array([0.0, -3.0, 0.0])
        R = geo.look_at(eye, np.zeros(3))
        f = ft.encode_arrays(eye[None, None], geo.matrix_to_quat(R)[None, None], np.full((1, 1), 50.0),
                             np.zeros((1, 1, 3)), geo.matrix_to_quat(Rs)[None, None], np.ones((1, 3)), length=4)
        assert np.allclose(ft.expand(f.camera[0, :, :3]), [0, -3, 0], atol=1e-5)


def test_resample_to_any_frame_count_is_smooth():
    b = random_batch(frames=30)
    f = ft.encode_batch(b, length=32)
    for frames in (1, 7, 30, 120):
        pos, q, focal = ft.decode_camera(f.camera, f.anchor, frames)
        assert pos.shape == (6, frames, 3) and q.shape == (6, frames, 4) and focal.shape == (6, frames)
        assert np.allclose(np.linalg.norm(q, axis=-1), 1.0)
    pos, q, focal = ft.decode_camera(f.camera, f.anchor, 30)
    assert np.abs(pos - b.cam_pos).max() < 0.05 * np.abs(b.cam_pos).max()
    assert np.allclose(pos[:, [0, -1]], b.cam_pos[:, [0, -1]], atol=1e-4)  # end points are kept


def test_encode_shots_handles_missing_labels_and_frame_counts():
    shots = []
    for frames in (10, 45):
        t = np.linspace(0, 1, frames)
        eye = np.stack([t, -4 + 0 * t, 1 + 0 * t], -1)
        R = geo.look_at(eye, np.zeros(3))
        traj = Trajectory(eye, geo.matrix_to_quat(R), np.full(frames, 35.0))
        shots.append(Shot(traj, [Subject(np.zeros(3), np.ones(3))], [Instruction(movement="truckRight")]))
    f = ft.encode_shots(shots, length=16)
    assert f.camera.shape == (2, 16, ft.CAM_DIM)
    assert (f.labels[:, 0] == FIELDS["movement"].index("truckRight")).all()
    assert (f.labels[:, 1:] == ft.MISSING_LABEL).all()
    assert f.frames.tolist() == [10, 45]


def test_the_subject_features_say_whether_it_is_a_person():
    """The last subject feature is 1 for a person (body.is_person: framed by the body) and 0 for an object, from a
    ShotBatch's person mask and from a Shot's subject class alike."""
    b = random_batch(n=4)
    assert (ft.encode_batch(b).subject[:, -1] == 0).all()  # no mask: no person
    b.person = np.array([True, False, True, False])
    f = ft.encode_batch(b)
    np.testing.assert_array_equal(f.subject[:, -1], [1, 0, 1, 0])
    np.testing.assert_array_equal(f.subject[:, :-1], ft.encode_batch(b.subset(np.arange(4))).subject[:, :-1])
    for i in range(4):
        shot = b.shot(i)
        assert shot.subject.object_class == ("person" if b.person[i] else None)
        assert ft.encode_shot(shot).subject[0, -1] == float(b.person[i])
    assert b.subset(np.array([2, 3])).person.tolist() == [True, False]
