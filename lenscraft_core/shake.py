"""Handheld camera shake from real recorded shake curves (CC0, data/camera_shake/README.md).

A profile is a recorded camera-local offset per frame: rotation about the camera's own X / Y / Z (pitch, yaw, roll;
Blender camera axes, XYZ Euler as recorded) and, for most profiles, translation along them. shake_offsets turns one
into offsets for a shot: the recorded curve made into a seamless loop (its tail crossfaded into its head), its slow
part removed (below CUTOFF_HZ: the operator's drift would read as a move of its own, while the shot's intent stays
the move), sampled at the shot's frame rate from a seeded start in the loop, scaled by the amplitude.
apply_shake composes the offsets in the camera's frame (after the move's own transform), as the add-on's shake layer
does in Blender (addon/shake.py), so the two give the same cameras.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import geometry as geo
from .errors import DataError, LensCraftError
from .formats.text import read_json
from .schema import FPS_RANGE, MAX_FRAMES, Trajectory

PROFILES_PATH = Path(__file__).resolve().parent / "data" / "camera_shake" / "profiles.json"
ROTATION_CHANNELS = tuple(f"rotation_euler[{i}]" for i in range(3))
LOCATION_CHANNELS = tuple(f"location[{i}]" for i in range(3))
# The profiles' rotations are Blender XYZ Euler offsets about the camera's local axes: the order they are composed in.
EULER_ORDER = "XYZ"
# The operator's intent is the move: slower than this is drift, removed (a zero-phase Butterworth-shaped high-pass of
# HIGH_PASS_ORDER, half power here). The recordings' drift is tens of times their texture, so the roll-off is steep
# (0.5 Hz keeps 1% of its amplitude, 3 Hz 99.8%). The cutoff sits above the 0.5-1 Hz of a move's own pace because
# the judge reads a 4 s shot's 1-2 Hz sway at amplitude 2 as a pan of its own: a pan or tilt past 1 degree on 19% of
# seeds at 1 Hz, 4% at 1.25 Hz, none at 1.5 Hz; the judge's shake measure (its 0.4 s fit) stays within 1%
# (benchmarks/shake_readback.py).
CUTOFF_HZ = 1.5
HIGH_PASS_ORDER = 4
# The recorded loop's seam: its last second fades into its first (equal power: the two parts are uncorrelated, so
# the shake's strength does not dip over the seam), at most a quarter of the recording.
CROSSFADE_S = 1.0
# amplitude 1 = the profile as recorded ("handheld"), 2 = very shaky; past this it is no longer a camera operator.
MAX_AMPLITUDE = 10.0
# With a distance the camera also sways along its axes, in metres as recorded, but kept under this share of the
# distance so that a close camera does not sway into its subject (the whole track is scaled, keeping its shape).
MAX_TRANSLATION_SHARE = 0.02
# profile=None: a walking operator's shake, the texture "handheld" means. At amplitude 1 the judge measures it past
# describe's handheld threshold (benchmarks/shake_readback.py).
DEFAULT_PROFILE = "Investigation"


@dataclass(frozen=True)
class ShakeProfile:
    """One recorded profile: name, its frame rate and (N, 3) rotation (radians) and translation (metres) samples on
    consecutive frames (zeros for the rotation-only "2D" profiles)."""

    name: str
    fps: float
    rotation: np.ndarray
    translation: np.ndarray
    has_translation: bool


@dataclass
class ShakeOffsets:
    """Per-frame camera-local offsets for one shot: rotation (F, 3) radians about the camera's own X / Y / Z (pitch,
    yaw, roll; composed as Blender XYZ Euler) and translation (F, 3) metres along them (zeros without a distance)."""

    rotation: np.ndarray
    translation: np.ndarray
    fps: float
    amplitude: float
    profile: str
    seed: int

    @property
    def frame_count(self) -> int:
        return int(self.rotation.shape[0])

    def matrices(self) -> np.ndarray:
        """(F, 4, 4) camera-local offset transforms: M_shaken = M_move @ offset."""
        out = np.broadcast_to(np.eye(4), (self.frame_count, 4, 4)).copy()
        out[:, :3, :3] = geo.euler_to_matrix(self.rotation, EULER_ORDER)
        out[:, :3, 3] = self.translation
        return out

    def rms_deg(self) -> float:
        """RMS of the rotation offsets' angle, degrees (a quick strength figure)."""
        return float(np.degrees(np.sqrt(np.mean(np.sum(self.rotation ** 2, axis=-1))))) if self.frame_count else 0.0


# ------------------------------------------------------------------------------------------------- the data file
def _key(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def _channel(samples: object, where: str) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(samples, dtype=np.float64) if isinstance(samples, list) else None
    if a is None or a.ndim != 2 or a.shape[1] != 2 or len(a) < 2 or not np.isfinite(a).all():
        raise DataError("must be a list of at least two finite [frame, value] pairs", where)
    if not np.allclose(np.diff(a[:, 0]), 1.0):
        raise DataError("frames must be consecutive", where)
    return a[:, 0], a[:, 1]


def _profile(key: str, entry: object, where: str) -> ShakeProfile:
    where = f"{where}: profiles.{key}"
    if not isinstance(entry, dict) or not isinstance(entry.get("channels"), dict):
        raise DataError("must be an object with 'channels'", where)
    fps = entry.get("fps")
    if not isinstance(fps, (int, float)) or not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise DataError(f"fps must be a number in {FPS_RANGE[0]:g}-{FPS_RANGE[1]:g}, got {fps!r}", where)
    channels = entry["channels"]
    missing = [c for c in ROTATION_CHANNELS if c not in channels]
    if missing:
        raise DataError(f"missing channels {', '.join(missing)}", where)
    has_translation = all(c in channels for c in LOCATION_CHANNELS)
    names = ROTATION_CHANNELS + (LOCATION_CHANNELS if has_translation else ())
    curves = [_channel(channels[c], f"{where}.channels.{c}") for c in names]
    # Channels may start on different frames: keep the frames they all cover.
    lo, hi = max(f[0] for f, _ in curves), min(f[-1] for f, _ in curves)
    if hi - lo < 1:
        raise DataError("channels share fewer than two frames", where)
    values = np.stack([v[(f >= lo - 1e-9) & (f <= hi + 1e-9)] for f, v in curves], axis=-1)
    translation = values[:, 3:6] if has_translation else np.zeros((len(values), 3))
    return ShakeProfile(str(entry.get("name", key)), float(fps), values[:, :3], translation, has_translation)


@functools.lru_cache(maxsize=1)
def _profiles() -> dict[str, ShakeProfile]:
    data = read_json(PROFILES_PATH)
    where = str(PROFILES_PATH)
    if not isinstance(data, dict) or data.get("format") != "camera-shake-profiles" or \
            not isinstance(data.get("profiles"), dict) or not data["profiles"]:
        raise DataError("not a camera-shake-profiles file with a 'profiles' object", where)
    out = {}
    for key, entry in data["profiles"].items():
        p = _profile(key, entry, where)
        out[_key(p.name)] = p
    return out


def shake_profiles() -> list[str]:
    """The recorded profiles' names, in the file's order ("Investigation", "The Closeup", ...)."""
    return [p.name for p in _profiles().values()]


def get_profile(name: str | None = None) -> ShakeProfile:
    """A profile by name (case, spaces and punctuation ignored: "the_closeup" == "The Closeup"); None: the
    default."""
    name = DEFAULT_PROFILE if name is None else name
    found = _profiles().get(_key(str(name)))
    if found is None:
        raise LensCraftError(f"unknown shake profile {name!r}; known: {', '.join(shake_profiles())}")
    return found


# ------------------------------------------------------------------------------------------------- the loop
def _crossfaded_loop(x: np.ndarray, fade: int) -> np.ndarray:
    """x (N, C) made periodic with period N - fade: its last `fade` samples fade into its first ones."""
    if fade < 1:
        return x.copy()
    theta = (np.arange(fade) + 0.5) / fade * (np.pi / 2)
    head, tail = x[:fade], x[len(x) - fade:]
    loop = x[:len(x) - fade].copy()
    loop[:fade] = np.cos(theta)[:, None] * tail + np.sin(theta)[:, None] * head
    return loop


def _spectrum(loop: np.ndarray, fps: float, nyquist_hz: float) -> np.ndarray:
    """rfft of the periodic loop without its slow part (half power at CUTOFF_HZ, the mean removed exactly) and without what a shot at 2 * nyquist_hz frames per second cannot show (it would alias into
    slow drift); the loop's own Nyquist bin goes too (its phase is ambiguous)."""
    f = np.fft.rfftfreq(len(loop), d=1.0 / fps)
    keep = np.zeros_like(f)
    keep[1:] = 1.0 / np.sqrt(1.0 + (CUTOFF_HZ / f[1:]) ** (2 * HIGH_PASS_ORDER))
    keep[(f > nyquist_hz) | (f >= fps / 2.0)] = 0.0
    keep[0] = 0.0
    return np.fft.rfft(loop, axis=0) * keep[:, None]


@functools.lru_cache(maxsize=32)
def _prepared(key: str, nyquist_hz: float) -> tuple[np.ndarray, int, float]:
    """The profile's high-passed loop as its spectrum (K, 6: rotation, translation), the loop's length in samples
    and its rate."""
    p = _profiles()[key]
    x = np.concatenate([p.rotation, p.translation], axis=-1)
    fade = min(int(round(CROSSFADE_S * p.fps)), len(x) // 4)
    loop = _crossfaded_loop(x, fade)
    spectrum = _spectrum(loop, p.fps, nyquist_hz)
    spectrum.setflags(write=False)
    return spectrum, len(loop), p.fps


def _sample(spectrum: np.ndarray, n: int, u: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The band-limited periodic signal (rfft `spectrum` of n samples) at fractional sample positions u: the
    Fourier series itself, so resampling to any frame rate keeps the shake's strength (linear interpolation halves
    6 Hz at a half-sample offset)."""
    k = np.arange(1, len(spectrum))
    out = np.empty((len(u), spectrum.shape[1]))
    for a in range(0, len(u), chunk):
        phase = np.exp(2j * np.pi * np.outer(u[a:a + chunk], k) / n)
        out[a:a + chunk] = 2.0 * (phase @ spectrum[1:]).real / n
    return out


def _check(frames: int, fps: float, amplitude: float, distance: float | None) -> None:
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 1 <= frames <= MAX_FRAMES:
        raise LensCraftError(f"shake: frames must be an integer in 1-{MAX_FRAMES:,}, got {frames!r}")
    for what, value, (lo, hi) in (("fps", fps, FPS_RANGE), ("amplitude", amplitude, (0.0, MAX_AMPLITUDE))):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or \
                not np.isfinite(value) or not lo <= value <= hi:
            raise LensCraftError(f"shake: {what} must be a number in {lo:g}-{hi:g}, got {value!r}")
    if distance is not None and (isinstance(distance, bool) or not isinstance(distance, (int, float, np.floating))
                                 or not np.isfinite(distance) or distance <= 0):
        raise LensCraftError(f"shake: distance must be a positive number of metres or None, got {distance!r}")


def shake_offsets(frames: int, fps: float, amplitude: float = 1.0, profile: str | None = None, seed: int = 0,
                  distance: float | None = None) -> ShakeOffsets:
    """Camera-local shake offsets for a shot of `frames` frames at `fps`.

    amplitude: 1 = the profile as recorded ("handheld"), 0 = none (exact zeros), 2 = very shaky. profile: a name from
    shake_profiles() (None: DEFAULT_PROFILE). seed: where in the looped recording the shot starts (the same seed
    gives the same shake). distance: the camera-subject distance in metres to also sway the camera along its axes
    (as recorded, kept under MAX_TRANSLATION_SHARE of it); None: rotation only."""
    _check(frames, fps, amplitude, distance)
    p = get_profile(profile)
    rotation, translation = np.zeros((frames, 3)), np.zeros((frames, 3))
    if amplitude > 0:
        spectrum, n, rate = _prepared(_key(p.name), min(float(fps), p.fps) / 2.0)
        start = np.random.default_rng(seed).uniform(0.0, n)  # in recorded samples
        window = _sample(spectrum, n, (start + np.arange(frames) * (rate / float(fps))) % n)
        window -= window.mean(axis=0)  # zero-mean over the shot itself: the shake never shifts the move
        rotation = amplitude * window[:, :3]
        if distance is not None and p.has_translation:
            translation = amplitude * window[:, 3:]
            peak = float(np.abs(translation).max())
            limit = MAX_TRANSLATION_SHARE * float(distance)
            if peak > limit:
                translation *= limit / peak
    return ShakeOffsets(rotation, translation, float(fps), float(amplitude), p.name, int(seed))


def apply_shake(trajectory: Trajectory, offsets: ShakeOffsets) -> Trajectory:
    """The trajectory with the offsets composed in the camera's own frame, after its move (rotation R @ R_offset,
    position p + R @ t): the camera the add-on's shake layer gives. Zero offsets return the same numbers."""
    if offsets.frame_count != trajectory.frame_count:
        raise LensCraftError(f"shake: {offsets.frame_count} frames of offsets for a {trajectory.frame_count}-frame "
                             "trajectory")
    q_offset = geo.matrix_to_quat(geo.euler_to_matrix(offsets.rotation, EULER_ORDER))
    zero = ~offsets.rotation.any(axis=-1)
    q_offset[zero] = (1.0, 0.0, 0.0, 0.0)  # exactly: a shot without shake keeps its exact rotations
    rotation = geo.quat_mul(trajectory.rotation, q_offset)
    position = trajectory.position + geo.quat_rotate(trajectory.rotation, offsets.translation)
    return Trajectory(position, rotation, trajectory.focal_length.copy(), trajectory.sensor_width, trajectory.aspect,
                      trajectory.fps, trajectory.frame_start)
