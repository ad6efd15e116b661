"""Framing measurement: the ONE definition of shot size, camera angle and "in frame" used everywhere (simulator
gates, tests, describe, evaluation, the Blender add-on).

Shot size ("coverage") = the subject's largest box dimension (Subject.extent) / the height of the frame at the depth
of the subject's centre. Frame height at depth z is z * sensor_height / focal, with the sensor height from
geometry.sensor_size (sensor width on the larger image side, like Blender's AUTO fit), so the focal length matters:
zooming in by 2x doubles the coverage. Coverage 1 means the subject's largest dimension just fills the frame height.

Angle = elevation of the camera above the subject's centre (degrees), as seen from the subject.

All functions are vectorised over leading batch dimensions, e.g. (N, F).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as geo
from .schema import Subject, Trajectory
from .vocabulary import ANGLE, SHOT_TYPE, V1_SHOT_TYPES

V1_ANGLES = ("lowAngle", "mediumAngle", "highAngle", "birdsEyeView")

_SHOT_LOG_COVERAGE = np.log([label.params["coverage"] for label in SHOT_TYPE])
_ANGLE_ELEVATION = np.array([label.params["elevation_deg"] for label in ANGLE])


def frame_height(depth: np.ndarray, focal_mm: np.ndarray, sensor_width: float, aspect: float) -> np.ndarray:
    """Height (m) of the visible frame at a given depth (m) in front of the camera."""
    _, sensor_h = geo.sensor_size(sensor_width, aspect)
    return np.asarray(depth, dtype=np.float64) * sensor_h / np.asarray(focal_mm, dtype=np.float64)


def coverage_from_depth(extent: np.ndarray, depth: np.ndarray, focal_mm: np.ndarray, sensor_width: float,
                        aspect: float) -> np.ndarray:
    """Coverage of a subject of largest dimension `extent` whose centre is `depth` in front of the camera."""
    return np.asarray(extent, dtype=np.float64) / frame_height(depth, focal_mm, sensor_width, aspect)


def depth_for_coverage(extent: np.ndarray, coverage: np.ndarray, focal_mm: np.ndarray, sensor_width: float,
                       aspect: float) -> np.ndarray:
    """Inverse of coverage_from_depth: the subject-centre depth that gives `coverage`."""
    _, sensor_h = geo.sensor_size(sensor_width, aspect)
    return np.asarray(extent, dtype=np.float64) * np.asarray(focal_mm, dtype=np.float64) / (
        np.asarray(coverage, dtype=np.float64) * sensor_h)


def subject_centre_view(cam_pos: np.ndarray, cam_rot: np.ndarray, focal_mm: np.ndarray, subject_pos: np.ndarray,
                        sensor_width: float, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """NDC (..., 2) and depth (...) of the subject centre. cam_rot: matrices (..., 3, 3) or quaternions (..., 4)."""
    ndc, depth = geo.project(np.asarray(subject_pos, dtype=np.float64)[..., None, :], cam_pos, cam_rot, focal_mm,
                             sensor_width, aspect)
    return ndc[..., 0, :], depth[..., 0]


def shot_coverage(cam_pos: np.ndarray, cam_rot: np.ndarray, focal_mm: np.ndarray, subject_pos: np.ndarray,
                  subject_size: np.ndarray, sensor_width: float, aspect: float) -> np.ndarray:
    """Coverage (...): subject extent / frame height at the subject centre's depth. cam_rot: matrices (..., 3, 3);
    subject_size (..., 3) full box extents (its largest entry is the extent)."""
    _, depth = subject_centre_view(cam_pos, cam_rot, focal_mm, subject_pos, sensor_width, aspect)
    extent = np.max(np.asarray(subject_size, dtype=np.float64), axis=-1)
    return coverage_from_depth(extent, depth, focal_mm, sensor_width, aspect)


def classify_shot_type(coverage: np.ndarray | float, v1_only: bool = False) -> np.ndarray:
    """SHOT_TYPE label indices (same shape as coverage): nearest label coverage in log space. With v1_only the
    answer is one of LensCraft v1's closeUp / mediumShot / longShot (still indexed in the full SHOT_TYPE field)."""
    c = np.log(np.maximum(np.asarray(coverage, dtype=np.float64), 1e-12))
    allowed = np.array([SHOT_TYPE.index(n) for n in V1_SHOT_TYPES]) if v1_only else np.arange(len(SHOT_TYPE))
    d = np.abs(c[..., None] - _SHOT_LOG_COVERAGE[allowed])
    return allowed[np.argmin(d, axis=-1)]


def camera_elevation(cam_pos: np.ndarray, subject_pos: np.ndarray) -> np.ndarray:
    """Elevation (degrees) of the camera above the subject centre, -90..90."""
    d = np.asarray(cam_pos, dtype=np.float64) - np.asarray(subject_pos, dtype=np.float64)
    return np.degrees(np.arcsin(np.clip(d[..., 2] / np.maximum(np.linalg.norm(d, axis=-1), 1e-12), -1.0, 1.0)))


def classify_angle(elevation_deg: np.ndarray | float, v1_only: bool = False) -> np.ndarray:
    """ANGLE label indices: nearest label elevation. v1_only leaves out overhead (v1 has 4 angles)."""
    e = np.asarray(elevation_deg, dtype=np.float64)
    allowed = np.array([ANGLE.index(n) for n in V1_ANGLES]) if v1_only else np.arange(len(ANGLE))
    return allowed[np.argmin(np.abs(e[..., None] - _ANGLE_ELEVATION[allowed]), axis=-1)]


def in_frame(ndc: np.ndarray, depth: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """True where projected points are in front of the camera and inside the frame (shrunk by margin in NDC)."""
    return (depth > 0) & np.all(np.abs(ndc) <= 1.0 - margin, axis=-1)


@dataclass
class Framing:
    """Per-frame framing measurements, each with the leading shape of the input (e.g. (F,) or (N, F))."""

    centre_ndc: np.ndarray      # (..., 2) subject centre in NDC, x right, y up, [-1, 1] across the frame
    depth: np.ndarray           # (...) subject centre depth in front of the camera (m)
    centre_in_frame: np.ndarray  # (...) bool
    box_in_frame: np.ndarray    # (...) bool: all 8 box corners in front of the camera and inside the frame
    coverage: np.ndarray        # (...) shot size, see module docstring
    elevation_deg: np.ndarray   # (...) camera elevation above the subject centre
    distance: np.ndarray        # (...) camera to subject centre (m)

    @property
    def shot_type(self) -> np.ndarray:
        return classify_shot_type(self.coverage)

    @property
    def angle(self) -> np.ndarray:
        return classify_angle(self.elevation_deg)


def measure_arrays(cam_pos: np.ndarray, cam_rot: np.ndarray, focal_mm: np.ndarray, subject_pos: np.ndarray,
                   subject_rot: np.ndarray, subject_size: np.ndarray, sensor_width: float, aspect: float) -> Framing:
    """Framing of arrays: cam_pos (..., 3), cam_rot quaternions (..., 4), focal (...), subject_pos (..., 3),
    subject_rot quaternions (..., 4), subject_size (..., 3) (broadcast against the others)."""
    R = geo.quat_to_matrix(cam_rot)
    cam_pos = np.asarray(cam_pos, dtype=np.float64)
    shape = cam_pos.shape[:-1]
    subject_pos = np.broadcast_to(np.asarray(subject_pos, dtype=np.float64), shape + (3,))
    size = np.broadcast_to(np.asarray(subject_size, dtype=np.float64), shape + (3,))
    ndc, depth = subject_centre_view(cam_pos, R, focal_mm, subject_pos, sensor_width, aspect)
    corners = geo.box_corners(subject_pos, size, geo.quat_to_matrix(np.broadcast_to(subject_rot, shape + (4,))))
    cndc, cdepth = geo.project(corners, cam_pos, R, focal_mm, sensor_width, aspect)
    extent = np.max(size, axis=-1)
    return Framing(
        centre_ndc=ndc,
        depth=depth,
        centre_in_frame=in_frame(ndc, depth),
        box_in_frame=np.all(in_frame(cndc, cdepth), axis=-1),
        coverage=coverage_from_depth(extent, depth, focal_mm, sensor_width, aspect),
        elevation_deg=camera_elevation(cam_pos, subject_pos),
        distance=np.linalg.norm(cam_pos - subject_pos, axis=-1),
    )


def measure(trajectory: Trajectory, subject: Subject) -> Framing:
    """Per-frame framing of one shot (F,); respects a moving subject."""
    f = trajectory.frame_count
    return measure_arrays(trajectory.position, trajectory.rotation, trajectory.focal_length, subject.positions(f),
                          subject.rotations(f), subject.size, trajectory.sensor_width, trajectory.aspect)


def measure_batch(batch) -> Framing:
    """Per-frame framing of a ShotBatch, (N, F)."""
    return measure_arrays(batch.cam_pos, batch.cam_rot, batch.focal, batch.subject_pos, batch.subject_rot,
                          batch.subject_size[:, None, :], batch.sensor_width, batch.aspect)
