"""The LensCraft trajectory autoencoder as shipped: single-pass decoder, factored head (nanoGPT style, one file).

    camera frames (B, T, 10) --+                                      +--> trajectory (B, T, 10)
    subject (B, 10)          --+--> Encoder --> field embeddings -----+ (decoder, one pass over all frames)
    subject motion (B, T, 9) --+    (B, F, text_dim), one per field   |
                                    ~ text embedding of each label ---+  memory = merged fields + subject token

Encoder: the tokens [one learned query per vocabulary field, a subject token, T frame tokens] pass through a
transformer encoder; each query's output is projected into the text-embedding space (unit length) and trained to
match the text embedding of its true label. Frame tokens carry a "known" flag: unknown frames are replaced by a
learned mask token, which is how masked-frame training and keyframe completion work.

Latent merger: each field embedding (from the encoder, or the text embedding of a label when generating) becomes a
decoder memory token (linear + field-type embedding; a learned null token stands in for an unspecified field).

Decoder: a transformer decoder over T learned frame queries with cross-attention to the memory; all frames come
out in one non-causal pass. Subject motion is added to every frame slot in both encoder and decoder. The "factored"
head (train.py's default, the bundled model) reads the first frame's placement from the whole memory and the whole
move from the movement and easing tokens and the placement only, composed in the camera's frame and its level frame
(compose_factored), so it carries over to angle and shot combinations never seen in training.

The other heads ("relative", "absolute") and the autoregressive decoder live in legacy_heads.py: older checkpoints
and `--decoder autoregressive` need them; ModelConfig's defaults still name them so old checkpoints load as saved.

No data-dependent Python control flow in forward(): the shape of every loop is fixed by the config (ONNX-friendly).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..features import CAM_DIM, FOCAL_REF_MM, MOTION_DIM, SUBJ_DIM, T_DEFAULT
from ..schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM
from ..vocabulary import FIELD_NAMES
from .legacy_heads import LegacyDecoding, add_autoregressive_input, add_legacy_head, compose_relative
from .rotations import (IDENTITY_6D, _cross, compress_position, expand_position, identity_6d_like,
                        rotation_geodesic, sixd_to_matrix)

DECODERS = ("autoregressive", "single_pass")
OUTPUTS = ("relative", "factored", "absolute")


@dataclass
class ModelConfig:
    text_dim: int = 384  # all-MiniLM-L6-v2; ViT-B-32 CLIP text is 512
    d_model: int = 192
    n_heads: int = 4
    enc_layers: int = 3
    dec_layers: int = 3
    ff_mult: int = 4
    dropout: float = 0.0
    frames: int = T_DEFAULT
    decoder: str = "single_pass"  # measured better and 14x faster than autoregressive (docs/model.md)
    output: str = "relative"  # the head: "factored" ships (train.py's default); see legacy_heads.py, docs/model.md
    move_basis: int = 12  # "relative": functions of time in the whole-shot move (move_basis)
    n_fields: int = len(FIELD_NAMES)
    cam_dim: int = CAM_DIM
    subj_dim: int = SUBJ_DIM
    motion_dim: int = MOTION_DIM

    def __post_init__(self) -> None:
        if self.decoder not in DECODERS:
            raise ValueError(f"ModelConfig.decoder must be one of {DECODERS}, got '{self.decoder}'")
        if self.output not in OUTPUTS:
            raise ValueError(f"ModelConfig.output must be one of {OUTPUTS}, got '{self.output}'")
        if self.output == "factored" and self.decoder != "single_pass":
            raise ValueError("ModelConfig.output 'factored' needs the single_pass decoder (its move is read from the "
                             "first frame, which an autoregressive decoder has only after its first step)")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")

    def to_dict(self) -> dict:
        return asdict(self)


# Size presets (train.py --model). "base" is the default: ~3 M parameters.
PRESETS: dict[str, dict] = {
    "tiny": dict(d_model=64, n_heads=2, enc_layers=2, dec_layers=2),
    "small": dict(d_model=128, n_heads=4, enc_layers=2, dec_layers=2),
    "base": dict(d_model=192, n_heads=4, enc_layers=3, dec_layers=3),
    "large": dict(d_model=256, n_heads=8, enc_layers=4, dec_layers=4),
}


def move_basis(length: int, k: int) -> torch.Tensor:
    """(length, k) functions of normalised time s in [0, 1] that are 0 at s = 0: s and sin(pi j s), j = 1..k-1.
    With the endpoint term, the sines span every smooth curve that starts at 0 (the first frame's pose): a whole
    eased move is k numbers per channel."""
    s = torch.linspace(0.0, 1.0, length)[:, None]
    j = torch.arange(1, k, dtype=torch.float32)[None]
    return torch.cat([s, torch.sin(torch.pi * j * s)], -1)


FACTORED_REL = 19  # "factored": camera-frame move (10, as compose_relative) + level-frame translation (3) and turn (6)


def level_frame(R0: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) camera rotations -> (..., 3, 3) frames that keep only the heading: x along the camera's right axis
    laid flat, z world up. The right axis stays level for any pitch (an overhead camera has a heading too); it is
    undefined only for a camera rolled 90 degrees."""
    right = R0[..., :, 0]
    zero = torch.zeros_like(right[..., 0])
    x = F.normalize(torch.stack([right[..., 0], right[..., 1], zero], -1), dim=-1, eps=1e-6)
    z = torch.stack([zero, zero, torch.ones_like(zero)], -1)
    return torch.stack([x, _cross(z, x), z], dim=-1)


def compose_factored(base: torch.Tensor, rel: torch.Tensor, eye: torch.Tensor | None = None) -> torch.Tensor:
    """The "factored" output: base (B, 1, 10) as in compose_relative, rel (B, L, FACTORED_REL) = the camera-frame
    move of compose_relative (10) plus a move in the first camera's level frame (level_frame): translation (3, per
    distance) and a turn (6D minus the identity) applied about the world-aligned axes. A pan, tilt, pedestal, truck or
    orbit is the same numbers in the level frame from any height and pitch; a dolly or a roll is in the camera frame.
    With both, every move of the vocabulary has one description whatever the angle it is shot from. eye: IDENTITY_6D
    as a tensor (the model's buffer; built here when None)."""
    p0 = expand_position(base[..., 0:3])
    R0 = sixd_to_matrix(base[..., 3:9])
    H = level_frame(R0)
    d0 = p0.norm(dim=-1, keepdim=True).clamp(min=1e-3)
    eye = identity_6d_like(rel) if eye is None else eye.to(rel.dtype)
    pos = p0 + d0 * ((R0 @ rel[..., 0:3, None]) + (H @ rel[..., 10:13, None]))[..., 0]
    turn = H @ sixd_to_matrix(rel[..., 13:19] + eye) @ H.transpose(-1, -2)
    R = turn @ R0 @ sixd_to_matrix(rel[..., 3:9] + eye)
    return torch.cat([compress_position(pos), R[..., :, 0], R[..., :, 1], base[..., 9:10] + rel[..., 9:10]], -1)


MOTION_FEATURES = 27  # see motion_features; its channel layout:
MOVE_CHANNELS = slice(0, 11)  # translation, rotation, zoom and distance change since the first known frame
PROFILE_CHANNELS = slice(24, 26)  # speed / mean speed and the covered share of the path (the easing)
SENSOR_MM = (DEFAULT_SENSOR_WIDTH_MM, DEFAULT_SENSOR_WIDTH_MM / DEFAULT_ASPECT)  # framing terms: reference sensor


def camera_view(camera: torch.Tensor, subject_pos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the subject centre appears: camera features (..., 10) and subject centre (..., 3), both in the anchor
    frame in subject extents -> (NDC x, y (..., 2), log coverage (...)). Coverage = subject extent / frame height at
    the subject's depth (framing.py's definition; the subject's extent is 1 in these units)."""
    pos = expand_position(camera[..., 0:3])
    R = sixd_to_matrix(camera[..., 3:9])
    v = (R.transpose(-1, -2) @ (subject_pos - pos)[..., None])[..., 0]
    depth = (-v[..., 2]).clamp(min=0.05)
    focal = FOCAL_REF_MM * torch.exp(camera[..., 9])
    ndc = torch.stack([v[..., 0] / depth * focal / (SENSOR_MM[0] / 2), v[..., 1] / depth * focal / (SENSOR_MM[1] / 2)],
                      -1)
    return ndc, torch.log(focal / (depth * SENSOR_MM[1]))


def motion_features(camera: torch.Tensor, motion: torch.Tensor, known: torch.Tensor,
                    eye: torch.Tensor | None = None) -> torch.Tensor:
    """Scale- and view-free description of how the camera moves, (B, T, 10) -> (B, T, MOTION_FEATURES).

    The raw features are subject-relative; a movement label is about the camera's own frame ("truck" = sideways
    for the camera, "pan" = turning about the vertical, "dolly" = towards the subject), whatever the shot size,
    view or angle. So, relative to the first known frame (pose p0, rotation R0, distance d0 to the subject):
    position change in R0's axes / d0 (3), rotation R0^T R_t as 6D (6), log focal change (1), log distance
    change (1); per-frame velocities x T: translation in the camera's axes / d0 (3), angular velocity in the
    camera's axes (3) and about the anchor (world-vertical) axes (3), log focal (1); the subject centre in the
    camera's axes / d0 (3: where it is on screen and how far); the speed profile / its mean and the covered share
    of the path (2: the easing); log shot size (1). asinh keeps slow and violent moves in range.
    Unknown frames (and velocities touching them) are zero. eye: IDENTITY_6D as a tensor (the model's buffer).
    """
    T = camera.shape[1]
    kf = known[..., None]
    camera = camera * kf  # whatever unknown frames hold never reaches the features (nor overflows expm1)
    pos = expand_position(camera[..., 0:3])  # subject-relative, in subject extents
    R = sixd_to_matrix(camera[..., 3:9])  # (B, T, 3, 3), columns = camera axes
    logf = camera[..., 9:10]
    ref = known.argmax(dim=1)  # first known frame (argmax returns the first maximum)
    take = lambda x: torch.gather(x, 1, ref.view(-1, 1, *([1] * (x.dim() - 2))).expand(-1, 1, *x.shape[2:]))  # noqa
    p0, R0, f0 = take(pos), take(R), take(logf)
    d0 = p0.norm(dim=-1, keepdim=True).clamp(min=1e-3)
    R0t = R0.transpose(-1, -2)
    rel_pos = (R0t @ (pos - p0)[..., None])[..., 0] / d0
    rel_rot = R0t @ R
    rel_6d = torch.cat([rel_rot[..., :, 0], rel_rot[..., :, 1]], -1)
    log_dist = torch.log(pos.norm(dim=-1, keepdim=True).clamp(min=1e-3) / d0)
    subj = (R.transpose(-1, -2) @ (motion[..., 0:3] - pos)[..., None])[..., 0] / d0
    eye = identity_6d_like(camera) if eye is None else eye.to(camera.dtype)
    static = torch.cat([rel_pos, rel_6d - eye,
                        logf - f0, log_dist, subj], -1) * kf
    # Velocities between frame t and t + 1 (the last frame repeats the previous one).
    both = kf[:, 1:] * kf[:, :-1]
    Rt = R[:, :-1].transpose(-1, -2)
    v_lin = (Rt @ (pos[:, 1:] - pos[:, :-1])[..., None])[..., 0] / d0
    local = Rt @ R[:, 1:]
    world = R[:, 1:] @ Rt
    skew = lambda M: 0.5 * torch.stack([M[..., 2, 1] - M[..., 1, 2], M[..., 0, 2] - M[..., 2, 0],  # noqa: E731
                                        M[..., 1, 0] - M[..., 0, 1]], -1)
    vel = torch.cat([v_lin, skew(local), skew(world), logf[:, 1:] - logf[:, :-1]], -1) * both * T
    vel = torch.cat([vel, vel[:, -1:]], 1)
    # The easing is the time profile of the move: speed / mean speed and the share of the path covered so far.
    speed = vel.norm(dim=-1, keepdim=True)
    total = speed[:, :-1].sum(1, keepdim=True)
    profile = torch.cat([speed / (total / (T - 1) + 1e-3), torch.cumsum(speed, 1) / (total + 1e-3)], -1) * kf
    _, log_cov = camera_view(camera, motion[..., 0:3])
    return torch.asinh(torch.cat([static, vel, profile, log_cov[..., None] * kf], -1))


class SelfAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def forward(self, x, causal: bool = False, past=None):
        """x (B, L, d). With past = (k, v) of earlier positions, x is the new position(s) only (incremental decoding).
        Returns (y, (k, v)) where k, v cover every position so far."""
        B, L, d = x.shape
        q, k, v = self.qkv(x).view(B, L, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4).unbind(0)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        # A single new query may see every cached key, so causality only matters without a cache.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=causal and past is None,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.proj(y.transpose(1, 2).reshape(B, L, d)), (k, v)


class CrossAttention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def memory_kv(self, memory):
        """Keys and values of the memory, computed once per shot for incremental decoding."""
        B, M, d = memory.shape
        k, v = self.kv(memory).view(B, M, 2, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4).unbind(0)
        return k, v

    def forward(self, x, kv):
        B, L, d = x.shape
        q = self.q(x).view(B, L, self.n_heads, d // self.n_heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, kv[0], kv[1], dropout_p=self.dropout if self.training else 0.0)
        return self.proj(y.transpose(1, 2).reshape(B, L, d))


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.fc = nn.Linear(cfg.d_model, cfg.ff_mult * cfg.d_model)
        self.proj = nn.Linear(cfg.ff_mult * cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.proj(F.gelu(self.fc(x))))


class EncoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(cfg.d_model), SelfAttention(cfg)
        self.ln2, self.mlp = nn.LayerNorm(cfg.d_model), MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))[0]
        return x + self.mlp(self.ln2(x))


class DecoderBlock(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(cfg.d_model), SelfAttention(cfg)
        self.ln2, self.cross = nn.LayerNorm(cfg.d_model), CrossAttention(cfg)
        self.ln3, self.mlp = nn.LayerNorm(cfg.d_model), MLP(cfg)

    def forward(self, x, memory_kv, causal: bool, past=None):
        h, cache = self.attn(self.ln1(x), causal=causal, past=past)
        x = x + h
        x = x + self.cross(self.ln2(x), memory_kv)
        return x + self.mlp(self.ln3(x)), cache


class LensCraftModel(LegacyDecoding, nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        d, T = cfg.d_model, cfg.frames
        # encoder
        # frame, velocity (x T), the "known" flag and the camera-relative motion features
        self.frame_in = nn.Linear(2 * cfg.cam_dim + 1 + MOTION_FEATURES, d)
        self.mask_token = nn.Parameter(torch.zeros(d))
        self.motion_in = nn.Linear(cfg.motion_dim, d)
        self.subject_in = nn.Linear(cfg.subj_dim, d)
        self.enc_pos = nn.Parameter(torch.zeros(T, d))
        self.queries = nn.Parameter(torch.zeros(cfg.n_fields, d))
        self.enc_blocks = nn.ModuleList(EncoderBlock(cfg) for _ in range(cfg.enc_layers))
        self.enc_ln = nn.LayerNorm(d)
        self.field_head = nn.Linear(d, cfg.text_dim)
        # latent merger
        # Label text embeddings of one field are nearly parallel (MiniLM: cosine ~0.86 between "pans left" and "pans
        # right"), so the merger removes each field's mean label embedding (set by training from the label table,
        # saved with the weights) and normalises: otherwise the decoder barely sees which label it was given.
        self.register_buffer("field_center", torch.zeros(cfg.n_fields, cfg.text_dim))
        self.merge = nn.Linear(cfg.text_dim, d)
        self.merge_ln = nn.LayerNorm(d)
        self.field_type = nn.Parameter(torch.zeros(cfg.n_fields, d))
        self.field_null = nn.Parameter(torch.zeros(cfg.n_fields, d))
        self.dec_subject_in = nn.Linear(cfg.subj_dim, d)
        # decoder
        if cfg.decoder == "single_pass":
            self.frame_queries = nn.Parameter(torch.zeros(T, d))
        else:
            add_autoregressive_input(self, d, cfg.cam_dim)
        self.dec_motion_in = nn.Linear(cfg.motion_dim, d)
        self.dec_pos = nn.Parameter(torch.zeros(T, d))
        self.dec_blocks = nn.ModuleList(DecoderBlock(cfg) for _ in range(cfg.dec_layers))
        self.dec_ln = nn.LayerNorm(d)
        if cfg.output != "absolute":
            # The move as a whole comes straight from the memory on move_basis, so a label maps to a move without
            # first having to tell the frame slots apart; the slots add per-frame detail, projected onto the same
            # smooth functions: no frame-to-frame jitter.
            basis = move_basis(T, cfg.move_basis)
            self.register_buffer("basis", basis, persistent=False)
            self.register_buffer("smooth", basis @ torch.linalg.pinv(basis), persistent=False)
        if cfg.output == "factored":
            # Placement from the whole memory; the move from the movement and easing tokens and the placement alone,
            # so an (angle, shot, move) combination never seen in training still gets the move it names.
            self.placement_head = nn.Sequential(nn.Linear((cfg.n_fields + 1) * d, cfg.ff_mult * d), nn.GELU(),
                                                nn.Linear(cfg.ff_mult * d, cfg.cam_dim))
            self.move_head = nn.Sequential(nn.Linear(2 * d + cfg.cam_dim, cfg.ff_mult * d), nn.GELU(),
                                           nn.Linear(cfg.ff_mult * d, FACTORED_REL * cfg.move_basis))
            self.head = nn.Linear(d, cfg.cam_dim + FACTORED_REL)
        else:
            add_legacy_head(self, cfg, d)
        # A constant the heads and motion_features add; a buffer (not saved) so a traced graph holds it once.
        self.register_buffer("identity_6d", torch.tensor(IDENTITY_6D), persistent=False)
        self.apply(self._init)
        for p in (self.enc_pos, self.dec_pos, self.queries, self.field_type, self.field_null, self.mask_token,
                  getattr(self, "start", None), getattr(self, "frame_queries", None)):
            if p is not None:
                nn.init.normal_(p, std=0.02)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    ENCODER_PARTS = ("frame_in", "mask_token", "motion_in", "subject_in", "enc_pos", "queries", "enc_blocks", "enc_ln",
                     "field_head")

    def encoder_parameters(self):
        """The parameters describe uses (trajectory -> field embeddings); the rest is the merger and decoder."""
        return [p for name, p in self.named_parameters() if name.split(".")[0] in self.ENCODER_PARTS]

    # ------------------------------------------------------------------------------------------------ encoder
    def encode(self, camera, subject, motion, known=None):
        """camera (B, T, 10), subject (B, 10), motion (B, T, 9), known (B, T) bool (None: all known)
        -> field embeddings (B, n_fields, text_dim), unit length."""
        B = camera.shape[0]
        k = torch.ones(camera.shape[:2], dtype=camera.dtype, device=camera.device) if known is None \
            else known.to(camera.dtype)
        kf = k[..., None]
        # Velocity makes movement explicit; it is zero where either neighbouring frame is unknown.
        both = kf * torch.cat([kf[:, :1], kf[:, :-1]], 1)
        vel = torch.cat([torch.zeros_like(camera[:, :1]), camera[:, 1:] - camera[:, :-1]], 1) * both * self.cfg.frames
        rel = motion_features(camera, motion, k, self.identity_6d)
        frames = self.frame_in(torch.cat([camera * kf, vel, kf, rel], -1)) * kf + self.mask_token * (1 - kf)
        frames = frames + self.motion_in(motion) + self.enc_pos
        x = torch.cat([self.queries.expand(B, -1, -1), self.subject_in(subject)[:, None], frames], dim=1)
        for block in self.enc_blocks:
            x = block(x)
        q = self.enc_ln(x[:, :self.cfg.n_fields])
        return F.normalize(self.field_head(q), dim=-1)

    # ------------------------------------------------------------------------------------------------ merger
    def memory(self, field_emb, subject, field_keep=None):
        """Field embeddings (B, n_fields, text_dim) (encoder output or label text embeddings) + subject -> decoder
        memory (B, n_fields + 1, d). field_keep (B, n_fields) bool: False puts the field's null token instead."""
        tokens = self.merge_ln(self.merge(field_emb - self.field_center.to(field_emb.dtype)))
        if field_keep is None:  # every parameter always takes part (DDP needs that)
            field_keep = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        tokens = torch.where(field_keep[..., None], tokens, self.field_null.to(tokens.dtype))
        tokens = tokens + self.field_type
        return torch.cat([tokens, self.dec_subject_in(subject)[:, None]], dim=1)

    # ------------------------------------------------------------------------------------------------ decoder
    def decode(self, memory, motion, prev_frames=None, start=None, use_start=None):
        """All frames in one pass: (B, T, 10). Autoregressive decoders need prev_frames (B, T, 10), the frames that
        slot t reads as frame t-1 (ground truth for teacher forcing); slot 0 reads a learned start token.
        start (B, 10) with use_start (B,) > 0.5 (factored head only): the first frame is that camera instead of the
        placement the memory gives, and the move is made from it (a shot's next segment starting where the previous
        one ended); where use_start is 0 the output is exactly the plain decode's."""
        if self.cfg.decoder == "single_pass":
            x = self.frame_queries.expand(memory.shape[0], -1, -1)
        else:
            x = self.autoregressive_input(memory, prev_frames)
        x = x + self.dec_motion_in(motion) + self.dec_pos
        causal = self.cfg.decoder == "autoregressive"
        for block in self.dec_blocks:
            x, _ = block(x, block.cross.memory_kv(memory), causal)
        h = self.head(self.dec_ln(x))
        if self.cfg.output != "factored":
            if start is not None:
                raise ValueError(f"a forced start needs the factored head, not output '{self.cfg.output}'")
            return self.legacy_output(memory, h, causal)
        base = self.placement_head(memory.flatten(1))[:, None] + h[:, :1, :10]
        if start is not None:
            base = torch.where(use_start.reshape(-1, 1, 1) > 0.5, start[:, None].to(base.dtype), base)
        return compose_factored(base, self.factored_move(memory, base.detach())
                                + self.smooth.to(h.dtype) @ (h[..., 10:] - h[:, :1, 10:]), self.identity_6d)

    def factored_move(self, memory, base):
        """"factored" output: the move over the frame slots (B, T, FACTORED_REL) from the movement and easing memory
        tokens and the first frame base (B, 1, 10) (detached: the move does not bend the placement)."""
        tokens = memory[:, [FIELD_NAMES.index("movement"), FIELD_NAMES.index("easing")]].flatten(1)
        g = self.move_head(torch.cat([tokens, base[:, 0]], -1))
        return self.basis.to(g.dtype) @ g.view(g.shape[0], self.cfg.move_basis, FACTORED_REL)

    def forward(self, camera, subject, motion, known=None, prev_frames=None, label_emb=None, use_label=None,
                field_keep=None):
        """Training forward: encode (possibly noisy / masked) frames, build memory from the field embeddings (or, where
        use_label (B, n_fields) is True, from the label text embeddings label_emb), decode. Returns
        (field_emb (B, n_fields, text_dim), trajectory (B, T, 10))."""
        field_emb = self.encode(camera, subject, motion, known)
        src = field_emb if use_label is None else torch.where(use_label[..., None], label_emb.to(field_emb.dtype),
                                                              field_emb)
        memory = self.memory(src, subject, field_keep)
        return field_emb, self.decode(memory, motion, prev_frames)

    # ------------------------------------------------------------------------------------------------ inference
    @torch.no_grad()
    def generate(self, memory, motion, known=None, camera=None):
        """Trajectory (B, T, 10) from memory. Autoregressive: T cached steps (each frame's keys/values are computed
        once). known (B, T) bool + camera (B, T, 10): frames forced to the given values (keyframes) as they are fed
        back, and in the output."""
        if self.cfg.decoder == "single_pass":
            out = self.decode(memory, motion)
        else:
            out = self.generate_autoregressive(memory, motion, known, camera)
        if known is not None:
            out = torch.where(known[..., None], camera, out)
        return out


def flops_per_sample(cfg: ModelConfig) -> float:
    """Approximate training FLOPs per sample (forward + backward = 3x forward; 2 FLOPs per multiply-add), for MFU."""
    d, T, f = cfg.d_model, cfg.frames, cfg.ff_mult
    L_enc, M = T + cfg.n_fields + 1, cfg.n_fields + 1
    enc = cfg.enc_layers * (L_enc * (4 * d * d + 2 * f * d * d) + 2 * L_enc * L_enc * d)
    dec = cfg.dec_layers * (T * (6 * d * d + 2 * f * d * d) + 2 * M * d * d + 2 * T * T * d + 2 * T * M * d)
    io = T * d * (2 * cfg.cam_dim + 2 * cfg.motion_dim) + cfg.n_fields * d * 2 * cfg.text_dim
    return 3 * 2 * (enc + dec + io)


def count_params_str(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 1e5 else f"{n / 1e3:.1f} k"


__all__ = ["ModelConfig", "PRESETS", "LensCraftModel", "rotation_geodesic", "sixd_to_matrix", "flops_per_sample",
           "camera_view", "motion_features", "MOVE_CHANNELS", "PROFILE_CHANNELS", "compose_relative", "move_basis",
           "compose_factored", "level_frame", "FACTORED_REL", "IDENTITY_6D",
           "expand_position", "compress_position", "DECODERS", "OUTPUTS"]
