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

import zipfile
from pathlib import Path

import numpy as np

from ..errors import LensCraftError
from ..vocabulary import FIELD_NAMES, FIELDS, vocabulary_hash
from .devices import DEVICES, check_device  # noqa: F401  (DEVICES re-exported: the CLIs import it from here)
# file_sha256 and read_json are re-exported: their old home was this module.
from .model_dir import START_NOTE, file_sha256, path_inside, read_json  # noqa: F401


MAX_NPZ_ENTRY_BYTES = 64 << 20  # one field's labels x text dim in float64 is well under 1 MB


def _npz_entry(z, key: str, path: Path) -> np.ndarray:
    """One array of an npz opened with allow_pickle=False (an object array is refused there, never unpickled)."""
    if key not in z.files:
        raise LensCraftError(f"{path}: {key} missing (re-run `python -m lenscraft_core export-onnx`)")
    size = z.zip.getinfo(f"{key}.npy").file_size  # checked before the array is read into memory
    if size > MAX_NPZ_ENTRY_BYTES:
        raise LensCraftError(f"{path}: {key} is {size} bytes uncompressed, more than a label table "
                             f"({MAX_NPZ_ENTRY_BYTES} bytes at most)")
    try:
        return z[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:  # object (pickled) arrays, damaged members
        raise LensCraftError(f"{path}: {key} is not a plain array ({e})") from None


def _npz_string(z, key: str, path: Path) -> str:
    v = _npz_entry(z, key, path)
    if v.dtype.kind != "U" or v.ndim != 0:
        raise LensCraftError(f"{path}: {key} must be a string, got a {v.dtype} array of shape {v.shape}")
    return str(v)


def load_label_embeddings(path: Path, encoder_id: str | None = None, dim: int | None = None
                          ) -> dict[str, np.ndarray]:
    """label_embeddings.npz -> {field: (L, D) float32 unit rows}; checks encoder id, vocabulary and (dim) the
    text dimension. Never unpickles: every problem is a LensCraftError naming the file and the entry."""
    if not path.exists():
        raise LensCraftError(f"{path}: label embeddings not found (run `python -m lenscraft_core export-onnx`)")
    try:
        with np.load(path, allow_pickle=False) as z:
            got_id, got_hash = (_npz_string(z, k, path) for k in ("__encoder_id__", "__vocabulary_hash__"))
            if got_hash != vocabulary_hash():
                raise LensCraftError(f"{path}: label embeddings are for vocabulary {got_hash}, the code has "
                                     f"{vocabulary_hash()}; re-run `python -m lenscraft_core export-onnx`")
            if encoder_id is not None and got_id != encoder_id:
                raise LensCraftError(f"{path}: label embeddings come from '{got_id}', the model was trained with "
                                     f"'{encoder_id}'; re-run export-onnx")
            raw = {f: _npz_entry(z, f, path) for f in FIELD_NAMES}
    except LensCraftError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise LensCraftError(f"{path}: not a label-embeddings .npz file ({e})") from None
    emb = {}
    for f in FIELD_NAMES:
        a = raw[f]
        want = f"({len(FIELDS[f])}, {dim if dim is not None else 'D'})"
        if a.dtype.kind != "f" or a.ndim != 2 or a.shape[0] != len(FIELDS[f]) or a.shape[1] != (dim or a.shape[1]):
            raise LensCraftError(f"{path}: {f} must be a float array of shape {want} (one row per label), got "
                                 f"{a.dtype} {a.shape}")
        if not np.isfinite(a).all():
            raise LensCraftError(f"{path}: {f} holds NaN or infinite values")
        emb[f] = a.astype(np.float32)
    if len({e.shape[1] for e in emb.values()}) > 1:
        raise LensCraftError(f"{path}: the fields' embeddings differ in width "
                             f"({', '.join(f'{f} {e.shape[1]}' for f, e in emb.items())})")
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
# The inputs of each graph train/export.py writes: a graph with others is not the one its manifest says it is.
GRAPH_INPUTS = {"encoder": ("camera", "subject", "motion", "known"),
                "generator": ("field_emb", "keep", "subject", "motion")}
# A factored-head generator also takes a forced first frame (generate(start=...): a segment that starts where the
# previous one ended); graphs exported before 2026-12-04, and other heads, have only the inputs above.
START_INPUTS = ("start", "use_start")
OPTIONAL_INPUTS = {"generator": START_INPUTS}


EXPORT_HINT = "re-export it (`python -m lenscraft_core export-onnx`)"


def _session(ort, path: Path, opts, providers: list[str], inputs: tuple[str, ...] | None = None,
             hint: str = EXPORT_HINT, optional: tuple[str, ...] = ()):
    """An ONNX Runtime session, or a LensCraftError naming the file: ONNX Runtime's own errors (InvalidProtobuf,
    ONNXRuntimeError, ...) derive from Exception alone and say nothing about what to do."""
    try:
        sess = ort.InferenceSession(str(path), opts, providers=providers)
    except Exception as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LensCraftError(f"{path}: not a readable ONNX graph ({reason}); {hint}") from None
    got = tuple(i.name for i in sess.get_inputs())
    if inputs is not None and sorted(got) not in (sorted(inputs), sorted(inputs + optional)):
        raise LensCraftError(f"{path}: graph inputs are {', '.join(got)}, expected {', '.join(inputs)}; {hint}")
    return sess


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
        where = model_dir / "onnx.json"
        manifest = read_json(where, "ONNX manifest (run `python -m lenscraft_core export-onnx`)")
        if not isinstance(manifest, dict):
            raise LensCraftError(f"{where}: not an ONNX manifest (an object with graphs), got "
                                 f"{type(manifest).__name__}; re-run `python -m lenscraft_core export-onnx`")
        if weights_sha256 is not None and manifest.get("weights_sha256") != weights_sha256:
            raise LensCraftError(f"{model_dir}: the ONNX graphs were exported from other weights than "
                                 f"{model_dir / 'model.safetensors'}; re-run `python -m lenscraft_core export-onnx`")
        graphs = manifest.get("graphs")
        if not isinstance(graphs, dict):
            raise LensCraftError(f"{where}: graphs missing or not an object of graph file names; re-run "
                                 "`python -m lenscraft_core export-onnx`")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.log_severity_level = 3

        def session(name: str):
            path = path_inside(model_dir, graphs.get(name), f"{where}: graphs.{name}")
            if not path.is_file():
                raise LensCraftError(f"{path}: ONNX graph missing (run `python -m lenscraft_core export-onnx`)")
            return _session(ort, path, opts, providers, GRAPH_INPUTS[name], optional=OPTIONAL_INPUTS.get(name, ()))

        self.encoder, self.generator = session("encoder"), session("generator")
        self.manifest = manifest
        self.takes_start = START_INPUTS[0] in {i.name for i in self.generator.get_inputs()}

    def encode(self, camera, subject, motion, known):
        return self.encoder.run(None, {"camera": np.asarray(camera, np.float32),
                                       "subject": np.asarray(subject, np.float32),
                                       "motion": np.asarray(motion, np.float32),
                                       "known": np.asarray(known, np.float32)})[0]

    def generate(self, field_emb, keep, subject, motion, start=None):
        """Camera features (B, T, 10); start (B, 10): every sample's first frame, the move made from it (the
        factored head's graphs only: START_NOTE otherwise)."""
        feeds = {"field_emb": np.asarray(field_emb, np.float32), "keep": np.asarray(keep, np.float32),
                 "subject": np.asarray(subject, np.float32), "motion": np.asarray(motion, np.float32)}
        if start is not None and not self.takes_start:
            raise LensCraftError(f"{START_NOTE}; {EXPORT_HINT}")
        if self.takes_start:
            n = feeds["keep"].shape[0]
            given = start is not None
            feeds["start"] = np.asarray(start, np.float32) if given else np.zeros((n, 10), np.float32)
            feeds["use_start"] = np.full(n, float(given), np.float32)
        return self.generator.run(None, feeds)[0]


OnnxBackend = OnnxRuntime  # deprecated alias (the old name)


def __getattr__(name: str):
    """TorchRuntime (and its old name TorchBackend) lives on the torch side, train/torch_runtime.py; looked up on
    first use so that importing this module never imports torch or train/."""
    if name in ("TorchRuntime", "TorchBackend"):
        from ..train.torch_runtime import TorchRuntime

        return TorchRuntime
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------------- text encoder
MAX_TOKENS = 512  # MiniLM's position table; a longer max_seq_length in minilm.json is a damaged file


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
        info = read_json(folder / "minilm.json", "text encoder info") if (folder / "minilm.json").exists() else {}
        length = max_length or (info.get("max_seq_length", 256) if isinstance(info, dict) else None)
        if not (isinstance(length, int) and not isinstance(length, bool) and 1 <= length <= MAX_TOKENS):
            raise LensCraftError(f"{folder / 'minilm.json'}: max_seq_length must be an integer in 1-{MAX_TOKENS}, "
                                 f"got {length!r}")
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as e:  # the tokenizers wheel raises a bare Exception on a damaged file
            raise LensCraftError(f"{folder / 'tokenizer.json'}: not a readable tokenizer ({e})") from None
        self.tokenizer.enable_truncation(length)
        self.tokenizer.enable_padding()
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.session = _session(ort, folder / graph, opts, ["CPUExecutionProvider"],
                                hint="export.export_minilm writes it")

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        enc = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                      "token_type_ids": np.zeros_like(ids)})[0]
        return out / np.maximum(np.linalg.norm(out, axis=-1, keepdims=True), 1e-12)
