"""What a training run is told: TrainConfig (every field is a train.py flag; recipes/*.json set groups of them)
and the model architecture it implies (model_config)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LensCraftError
from ..simulate import PERSON_SHARE
from .model import PRESETS, ModelConfig


class TrainingDiverged(LensCraftError):
    pass


@dataclass
class TrainConfig:
    # data: no paths -> simulate. Paths: LensCraft v1 JSON, our JSON, or folders of them.
    data: list[str] = field(default_factory=list)
    lenient: bool = False
    sim_count: int = 60000
    val_count: int = 1000
    sim_frames: int = 0  # frames per simulated shot; 0 = varied (log-uniform FRAMES_RANGE, fps in FPS_RANGE)
    sim_person_share: float = PERSON_SHARE  # simulated subjects that are people (the rest are boxes)
    sim_head_pan_share: float = 0.0  # simulated pans turned about the camera's own up axis (simulate_batch)
    sim_head_pans_decoded: bool = True  # False: only the encoder learns from those head pans (data.simulate_features)
    val_fraction: float = 0.05  # of loaded data
    # model
    model: str = "small"  # the bundled model (trained on a shared 2-core CPU; see docs/MODEL_CARD.md)
    decoder: str = "single_pass"  # or "autoregressive" (docs/model.md compares them)
    output: str = "auto"  # decoder head (model.py): "factored" (first frame + the move, from the movement / easing
    # tokens and the placement only, in the camera's and the level frame), "relative" (first frame + camera-frame move
    # from the whole memory), "absolute" (every frame); auto = factored, or relative for the autoregressive decoder
    encoder: str = "minilm"
    # optimisation
    steps: int = 8000
    batch_size: int = 64  # global, over all ranks
    lr: float = 1e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    # loss weights
    w_pos: float = 1.0
    w_rot: float = 1.0
    w_focal: float = 1.0
    w_delta: float = 2.0  # every frame relative to the first, predicted vs true (see compute_losses)
    w_profile: float = 0.0  # the easing: motion_features' speed profile of moving shots, prediction vs truth
    w_motion: float = 4.0  # the encoder's camera-relative motion features, prediction vs truth, per move size
    w_frame: float = 1.0  # framing: subject centre NDC and log shot size of the predicted camera vs the true one
    w_text: float = 1.0  # per field: 1 - cosine to the true label's text embedding
    w_label_ce: float = 1.0  # per field: cross-entropy over cosine / label_tau against all labels of the field
    label_tau: float = 0.05  # (text embeddings of labels are close together; this term separates them)
    # augmentation and curriculum (linear from start to end over the run)
    noise_start: float = 0.002  # feature units; velocities are x T, so larger noise drowns slow moves
    noise_end: float = 0.0
    mask_start: float = 0.0
    mask_end: float = 0.5
    tf_start: float = 1.0
    tf_end: float = 0.7
    label_memory_p: float = 0.5  # share of samples whose decoder memory is the label text embeddings
    field_dropout: float = 0.1  # share of memory fields replaced by the "unspecified" token
    ema: float = 0.0  # decay of an exponential moving average of the weights, saved as OUT/ema (0: none); averaging
    # the last few thousand steps evens out where a run happens to stop (v1's reading moved 3-5 points run to run)
    # run
    val_every: int = 500
    log_every: int = 10
    device: str = "auto"
    precision: str = "auto"  # auto (bf16 on CUDA, fp32 on CPU) | bf16 | fp32
    compile: bool = False
    seed: int = 0
    out: str = "runs/lenscraft"
    resume: bool = False
    overwrite: bool = False  # start afresh in an --out that holds a run, replacing its files (train/run_folder.py)
    allow_changed: str | None = None  # with --resume: comma-separated settings that may differ from the checkpoint's
    init: str | None = None  # start from this checkpoint's weights and architecture (fine-tuning), fresh optimiser
    freeze_encoder: bool = False  # train the merger and decoder only (with --init: improve generation, keep describe)
    init_encoder: str | None = None  # with --init: take the encoder (describe) from this checkpoint instead
    progress: bool = True
    stop_after: int | None = None  # stop at this step as if interrupted (the schedule still spans `steps`)
    cache_dir: str | None = None  # label-embedding cache (default ~/.cache/lenscraft)


def model_config(cfg: TrainConfig, text_dim: int) -> ModelConfig:
    """The architecture a run builds (without --init): the size preset, decoder and head."""
    if cfg.model not in PRESETS:
        raise LensCraftError(f"unknown model size '{cfg.model}': choose one of {', '.join(PRESETS)}")
    output = cfg.output
    if output == "auto":  # factored needs the single-pass decoder (model.py)
        output = "factored" if cfg.decoder == "single_pass" else "relative"
    try:
        return ModelConfig(text_dim=text_dim, decoder=cfg.decoder, output=output, **PRESETS[cfg.model])
    except ValueError as e:
        raise LensCraftError(f"--decoder {cfg.decoder} --output {output}: {e}") from None

