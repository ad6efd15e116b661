"""The judge's net amounts: a series' value at the shot's two ends, robust to pose noise, and the noise floor left
in their difference, both measured from the series itself (NumPy only).

Net amounts compare the shot's two ends, each the value a straight-line fit over its end window (END_SHARE of the
frames) gives there, so pose noise on the two end frames does not make a move (an eased end, flat there, is
overshot by END_SHARE^2 / 2 of the move: 0.5 %); a net amount counts only END_SNR times above the noise left in
that end-to-end difference as well (net_floor).
"""

from __future__ import annotations

import numpy as np

FLOAT_REL = 1e-9  # relative rounding floor on coordinates: differences below it are arithmetic, not motion
END_SHARE = 0.1
END_SNR = 3.0


def end_window(F: int) -> int:
    """Frames of each end's straight-line fit: END_SHARE of the shot (the same at any fps, so the frame rate scales
    speeds only), at least 3; 1 (the end frame itself) on shots under 12 frames."""
    return max(3, int(round(END_SHARE * F))) if F >= 12 else 1


def white_sigma(x: np.ndarray) -> np.ndarray:
    """The series' white per-frame jitter (x.shape[1:]) from fourth differences (robust median; a smooth move's
    own share there is tiny: an eased full orbit over 60 frames leaves about 1e-3 degrees); 0 under 5 frames."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 5:
        return np.zeros(x.shape[1:])
    d4 = np.diff(x.reshape(len(x), -1), n=4, axis=0)
    return (np.median(np.abs(d4), axis=0) / 0.6745 / np.sqrt(70.0)).reshape(x.shape[1:])


def end_values(x: np.ndarray, w: int, win: int) -> tuple[np.ndarray, np.ndarray]:
    """The series x (F, ...) at its first and last frame: each end frame moved towards a straight-line fit over its
    w end frames by at most END_SNR times the series' own white jitter, so noise on an end frame is taken off while
    a clean series keeps its exact ends (win: shots shorter than the smooth fit keep their end frames)."""
    x = np.asarray(x, dtype=np.float64)
    if w <= 1 or len(x) < win:
        return x[0], x[-1]
    sigma = white_sigma(x)
    t = np.arange(w, dtype=np.float64) - (w - 1) / 2.0
    slope = lambda seg: np.tensordot(t, seg, axes=(0, 0)) / float(t @ t)  # noqa: E731
    head, tail = x[:w], x[-w:]
    fit0, fit1 = head.mean(0) - slope(head) * (w - 1) / 2.0, tail.mean(0) + slope(tail) * (w - 1) / 2.0
    pull = lambda raw, fit: raw + np.clip(fit - raw, -END_SNR * sigma, END_SNR * sigma)  # noqa: E731
    return pull(x[0], fit0), pull(x[-1], fit1)


def end_noise_factor(w: int) -> float:
    """The standard deviation of end_values' end-to-end difference over that of one frame's white noise."""
    if w <= 1:
        return float(np.sqrt(2.0))
    return float(np.sqrt(2.0 * (1.0 / w + 3.0 * (w - 1) / (w * (w + 1)))))


def net_floor(x: np.ndarray, w: int, win: int) -> np.ndarray:
    """END_SNR standard deviations of the series' end-to-end difference (end_values) under its own white jitter:
    a net amount below it is noise (x.shape[1:])."""
    w = w if len(x) >= win else 1
    return END_SNR * white_sigma(x) * end_noise_factor(w)
