"""The ONNX runtime: the model's graphs on ONNX Runtime, its label embeddings and the offline text encoder, with
NumPy and no torch.

A runtime maps arrays to arrays (float32, batch first):

    encode(camera (B,T,10), subject (B,10), motion (B,T,9), known (B,T) bool) -> field embeddings (B,F,D)
    generate(field_emb (B,F,D), keep (B,F) bool, subject (B,10), motion (B,T,9)) -> camera features (B,T,10)

OnnxRuntime runs the graphs from train/export.py; the other runtime, TorchRuntime (train/torch_runtime.py), runs
LensCraftModel from the checkpoint (the reference, and the only one for the autoregressive decoder) and is not
imported here. OnnxTextEncoder is the offline MiniLM (ONNX + `tokenizers`), for free-text prompts without torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import LensCraftError
from ..vocabulary import FIELD_NAMES, FIELDS, vocabulary_hash
from .devices import DEVICES, check_device  # noqa: F401  (DEVICES re-exported: the CLIs import it from here)
from .model_dir import file_sha256, read_json  # noqa: F401  (re-exported: their old home was this module)


def load_label_embeddings(path: Path, encoder_id: str | None = None) -> dict[str, np.ndarray]:
    """label_embeddings.npz -> {field: (L, D) float32 unit rows}; checks encoder id and vocabulary."""
    if not path.exists():
        raise LensCraftError(f"{path}: label embeddings not found (run `python -m lenscraft_core export-onnx`)")
    with np.load(path, allow_pickle=False) as z:
        got_id, got_hash = str(z["__encoder_id__"]), str(z["__vocabulary_hash__"])
        emb = {f: z[f].astype(np.float32) for f in FIELD_NAMES if f in z}
    if got_hash != vocabulary_hash():
        raise LensCraftError(f"{path}: label embeddings are for vocabulary {got_hash}, the code has "
                             f"{vocabulary_hash()}; re-run `python -m lenscraft_core export-onnx`")
    if encoder_id is not None and got_id != encoder_id:
        raise LensCraftError(f"{path}: label embeddings come from '{got_id}', the model was trained with "
                             f"'{encoder_id}'; re-run export-onnx")
    for f in FIELD_NAMES:
        if f not in emb or emb[f].shape[0] != len(FIELDS[f]):
            raise LensCraftError(f"{path}: field {f} is missing or has the wrong number of labels")
    return emb


def cosine_scores(field_emb: np.ndarray, label_emb: dict[str, np.ndarray], tau: float) -> dict[str, np.ndarray]:
    """Field embeddings (N, F, D) -> {field: (N, L) softmax over cosine / tau} (the training's label classifier)."""
    out = {}
    for i, f in enumerate(FIELD_NAMES):
        logits = field_emb[:, i] @ label_emb[f].T / tau
        logits -= logits.max(-1, keepdims=True)
        e = np.exp(logits)
        out[f] = e / e.sum(-1, keepdims=True)
    return out


# ---------------------------------------------------------------------------------------------------- runtimes
# The one home of the runtime choices (Engine.load, the CLI, evaluation and the benchmarks import it from here).
RUNTIMES = ("auto", "onnx", "torch")
BACKENDS = RUNTIMES  # deprecated alias: "backend" was this module's old word for a runtime

# ---------------------------------------------------------------------------------------------------- devices
ORT_PROVIDERS = {"cuda": "CUDAExecutionProvider", "coreml": "CoreMLExecutionProvider",
                 "directml": "DmlExecutionProvider"}


def onnx_providers(device: str, available: list[str]) -> tuple[list[str], str | None]:
    """ONNX Runtime providers for a device, and a note when it falls back to the CPU. The stock `onnxruntime`
    wheel (the one the extension bundles) has the CPU provider everywhere and Core ML on macOS; CUDA needs
    `onnxruntime-gpu`, DirectML `onnxruntime-directml`."""
    device = check_device(device)
    if device == "cpu":
        return ["CPUExecutionProvider"], None
    provider = ORT_PROVIDERS[device]
    if provider in available:
        return [provider, "CPUExecutionProvider"], None
    return ["CPUExecutionProvider"], f"{device} is not in this ONNX Runtime ({', '.join(available)}): running on CPU"


# ---------------------------------------------------------------------------------------------------- the model
class OnnxRuntime:
    name = "onnx"

    def __init__(self, model_dir: Path, weights_sha256: str | None = None, threads: int | None = None,
                 device: str = "cpu"):
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise LensCraftError("the ONNX runtime needs `pip install onnxruntime`") from e
        providers, self.device_note = onnx_providers(device, list(ort.get_available_providers()))
        self.device = device if self.device_note is None else "cpu"
        manifest = read_json(model_dir / "onnx.json", "ONNX manifest (run `python -m lenscraft_core export-onnx`)")
        if weights_sha256 is not None and manifest.get("weights_sha256") != weights_sha256:
            raise LensCraftError(f"{model_dir}: the ONNX graphs were exported from other weights than "
                                 f"{model_dir / 'model.safetensors'}; re-run `python -m lenscraft_core export-onnx`")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.log_severity_level = 3

        def session(name: str):
            path = model_dir / manifest["graphs"][name]
            if not path.exists():
                raise LensCraftError(f"{path}: ONNX graph missing (run `python -m lenscraft_core export-onnx`)")
            return ort.InferenceSession(str(path), opts, providers=providers)

        self.encoder, self.generator = session("encoder"), session("generator")
        self.manifest = manifest

    def encode(self, camera, subject, motion, known):
        return self.encoder.run(None, {"camera": np.asarray(camera, np.float32),
                                       "subject": np.asarray(subject, np.float32),
                                       "motion": np.asarray(motion, np.float32),
                                       "known": np.asarray(known, np.float32)})[0]

    def generate(self, field_emb, keep, subject, motion):
        return self.generator.run(None, {"field_emb": np.asarray(field_emb, np.float32),
                                         "keep": np.asarray(keep, np.float32),
                                         "subject": np.asarray(subject, np.float32),
                                         "motion": np.asarray(motion, np.float32)})[0]


OnnxBackend = OnnxRuntime  # deprecated alias (the old name)


def __getattr__(name: str):
    """TorchRuntime (and its old name TorchBackend) lives on the torch side, train/torch_runtime.py; looked up on
    first use so that importing this module never imports torch or train/."""
    if name in ("TorchRuntime", "TorchBackend"):
        from ..train.torch_runtime import TorchRuntime

        return TorchRuntime
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------------- text encoder
class OnnxTextEncoder:
    """all-MiniLM-L6-v2 on ONNX Runtime + the `tokenizers` wheel: encode(list[str]) -> (n, 384) unit rows, like
    text.encoders.MiniLMEncoder (its agreement is measured by export.export_minilm and tests/test_onnx.py)."""

    id = "minilm-l6-v2"
    dim = 384

    def __init__(self, folder: Path, graph: str = "minilm.onnx", max_length: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise LensCraftError("free-text prompts without torch need `pip install onnxruntime tokenizers`") from e
        folder = Path(folder)
        for p in (folder / graph, folder / "tokenizer.json"):
            if not p.exists():
                raise LensCraftError(f"{p}: offline text encoder file missing (export.export_minilm writes it)")
        info = json.loads((folder / "minilm.json").read_text()) if (folder / "minilm.json").exists() else {}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length or int(info.get("max_seq_length", 256)))
        self.tokenizer.enable_padding()
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / graph), opts, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        enc = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                      "token_type_ids": np.zeros_like(ids)})[0]
        return out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-12)
