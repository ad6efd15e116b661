"""generate(generator="learned"): the move decoder (train/move_decoder.py, moves.onnx in the model folder) decides
every amount the description leaves open, segment by segment, each from where the previous segment ended; the
planner's builder (plan.build_path through plan.plan_shot) turns the filled segments into the camera path, so the
curves are clean by construction and a stated amount is kept exactly.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import move_features as mf
from .. import plan
from ..errors import LensCraftError
from ..moves import Segment
from ..schema import Shot, Subject
from ..vocabulary import MOVEMENT, vocabulary_hash
from .model_dir import file_sha256, path_inside, read_json

MOVES_GRAPH, MOVES_META = "moves.onnx", "moves.json"
RETRAIN_HINT = "retrain it (`python train.py --move-decoder --out MODEL_DIR`)"


class MoveDecoderSession:
    """moves.onnx of a model folder, checked against its moves.json and the folder's label embeddings."""

    def __init__(self, model_dir: Path, movement_embeddings: np.ndarray, threads: int | None = None):
        where = model_dir / MOVES_META
        meta = read_json(where, "move decoder description")
        if not isinstance(meta, dict) or meta.get("format") != "lenscraft-move-decoder":
            raise LensCraftError(f"{where}: not a LensCraft move decoder description; {RETRAIN_HINT}")
        if meta.get("feature_version") != mf.FEATURE_VERSION or meta.get("features") != list(mf.FEATURES):
            raise LensCraftError(f"{where}: made for another feature layout (version {meta.get('feature_version')!r},"
                                 f" this LensCraft reads {mf.FEATURE_VERSION}); {RETRAIN_HINT}")
        if meta.get("vocabulary_hash") != vocabulary_hash():
            raise LensCraftError(f"{where}: trained on another vocabulary; {RETRAIN_HINT}")
        if meta.get("embedding_dim") != int(movement_embeddings.shape[1]):
            raise LensCraftError(f"{where}: reads {meta.get('embedding_dim')!r}-value label embeddings, the folder's "
                                 f"label_embeddings.npz has {movement_embeddings.shape[1]}; {RETRAIN_HINT}")
        graph = path_inside(model_dir, MOVES_GRAPH, f"{where}")
        if not graph.is_file():
            raise LensCraftError(f"{graph}: the move decoder's graph is missing; {RETRAIN_HINT}")
        if meta.get("onnx_sha256") != file_sha256(graph):
            raise LensCraftError(f"{graph}: does not match {where} (another training's graph); {RETRAIN_HINT}")
        import onnxruntime as ort

        from .runtime import _session

        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.log_severity_level = 3
        self.session = _session(ort, graph, opts, ["CPUExecutionProvider"], ("moves",), RETRAIN_HINT)
        self.embeddings = np.asarray(movement_embeddings, np.float32)
        self.meta = meta

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return self.session.run(["value"], {"moves": np.asarray(rows, np.float32)})[0]


def has_move_decoder(model_dir: Path) -> bool:
    return (Path(model_dir) / MOVES_META).is_file()


def fill_open_amounts(decoder: MoveDecoderSession, subject: Subject, labels: dict[str, str],
                      segments: Sequence[Segment], frames: int, fps: float, seed: int, variation: int,
                      aim: np.ndarray | None = None, **plan_options) -> list[Segment]:
    """The segments with every open amount decided by the decoder. Segment k is decided on the shot planned with
    segments 0..k-1 already decided, read at k's first frame (where the camera stands when k starts). Plan the
    result with open_segments=segments: what was open stays bounded as the planner bounds its own defaults (a
    close person's head stays in frame, head_room.py)."""
    asked = list(segments) or [Segment(())]
    filled = list(asked)
    for k, seg in enumerate(filled):
        open_moves = [i for i, m in enumerate(seg.moves) if m.amount is None and m.kind in mf.PREDICTED_KINDS]
        if not open_moves:
            continue
        shot = plan.plan_shot(subject, labels, filled, frames, fps, seed, variation, aim=aim,
                              open_segments=asked, **plan_options)
        a, b = shot.metadata["segment_frames"][k]
        state = mf.segment_state(shot.trajectory, a, subject, aim)
        seconds = max(b - a, 1) / fps
        rows = np.stack([mf.move_row(seg.moves[i], seg, seconds, k == 0, state,
                                     decoder.embeddings[MOVEMENT.index(seg.moves[i].movement)]) for i in open_moves])
        values = decoder.predict(rows)
        moves = list(seg.moves)
        for i, value in zip(open_moves, values):
            moves[i] = mf.predicted_move(moves[i], float(value), state.frame_size)
        filled[k] = replace(seg, moves=tuple(moves))
    return filled


def plan_learned(decoder: MoveDecoderSession, subject: Subject, labels: dict[str, str],
                 segments: Sequence[Segment] | None, frames: int, fps: float, seed: int, variation: int,
                 aim: np.ndarray | None = None, **plan_options) -> Shot:
    """plan.plan_shot with the open amounts decided by the decoder (fill_open_amounts; segments None: the movement
    label's), what was open still bounded as the planner bounds its own defaults (open_segments), the shot marked
    lenscraft/learned."""
    asked = list(segments or plan.segments_from_movement(labels.get("movement")))
    filled = fill_open_amounts(decoder, subject, labels, asked, frames, fps, seed, variation, aim, **plan_options)
    shot = plan.plan_shot(subject, labels, filled, frames, fps, seed, variation, aim=aim, open_segments=asked,
                          **plan_options)
    shot.metadata["generator"] = "lenscraft/learned"  # the open amounts are the move decoder's
    return shot
