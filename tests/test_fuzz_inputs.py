"""Fuzzing every loader: whatever bytes a file holds, loading it either works or raises a LensCraftError (a named
error: file and, where known, the field), never a raw Python exception, a hang or a crash. Bounded by hypothesis'
example counts so the whole module takes well under a minute."""

from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenscraft_core import formats
from lenscraft_core.errors import LensCraftError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# JSON-ish values, including the awkward ones: huge and non-finite numbers, odd strings, deep nesting.
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=20)


def _valid_docs(tmp_path) -> dict[str, bytes]:
    """A valid file of each JSON format (written by our own writers), to mutate."""
    from lenscraft_core.simulate import simulate_batch

    shots = simulate_batch(2, frames=5, seed=1).shots()
    docs = {}
    for fmt in formats.FORMATS:
        p = tmp_path / f"valid-{fmt}.json"
        formats.save(shots, p, format=fmt, **({"mapping": "nearest"} if fmt == "lenscraft-v1" else {}))
        docs[fmt] = p.read_bytes()
    return docs


def _load(path, **kw):
    try:
        return formats.load_any(path, **kw)
    except LensCraftError:
        return None
    except OSError:  # a file that cannot be read at all is the OS's message, which names the path
        return None


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    return _valid_docs(tmp_path_factory.mktemp("valid"))


@FUZZ
@given(data=st.data())
def test_mutated_json_files_raise_named_errors(tmp_path, valid, data):
    fmt = data.draw(st.sampled_from(sorted(valid)))
    raw = bytearray(valid[fmt])
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "replace"]))
        i = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        elif op == "insert":
            raw[i:i] = data.draw(st.sampled_from([b"\xff", b"\xe9", b"\xef\xbb\xbf", b"NaN", b"Infinity", b"1e999",
                                                  b"9" * 400, b"[" * 50, b'"\x00"', b"-", b"{}", b"null"]))
        else:
            raw[i:i + 8] = data.draw(st.binary(max_size=8))
    p = tmp_path / "fuzz.json"
    p.write_bytes(bytes(raw))
    _load(p)
    _load(p, lenient=True)


@FUZZ
@given(doc=values, fmt=st.sampled_from(["lenscraft", "lenscraft-v1", "c2w"]))
def test_arbitrary_json_documents_raise_named_errors(tmp_path, doc, fmt):
    p = tmp_path / "doc.json"
    p.write_text(json.dumps(doc, allow_nan=True))
    _load(p, format=fmt)
    _load(p, format=fmt, lenient=True) if fmt != "c2w" else None


@FUZZ
@given(data=st.data())
def test_native_fields_of_the_wrong_type_raise_named_errors(tmp_path, valid, data):
    """One field of a valid file replaced by an arbitrary value (the fuzzer's favourite bugs: a string where a
    number belongs, a huge integer, a nested list)."""
    fmt = data.draw(st.sampled_from(sorted(valid)))
    doc = json.loads(valid[fmt])
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + [k])
        elif isinstance(node, list) and node:
            walk(node[0], path + [0])

    walk(doc, [])
    path = data.draw(st.sampled_from(paths[1:]))
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = data.draw(values)
    p = tmp_path / "field.json"
    p.write_text(json.dumps(doc, allow_nan=True))
    _load(p)
    _load(p, lenient=True)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path, valid):
    for fmt, raw in valid.items():
        p = tmp_path / f"bom-{fmt}.json"
        p.write_bytes(b"\xef\xbb\xbf" + raw)
        assert len(formats.load_any(p)) == 2
        assert len(formats.load_any(p, reader="ijson")) == 2


@pytest.mark.parametrize("content", [
    b'{"format": "lenscraft", "shots": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",  # deeper than recursion
    b'{"simulations": [{"frameCount": Infinity}]}',
    b'{"format": "lenscraft", "version": 1, "shots": [{"frame_count": ' + b"9" * 5000 + b"}]}",
    b'{"c2w": [[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]], "fps": "abc"}',
    b'{"c2w": [[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]], "fps": null}',
    b'{"c2w": [[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]], "image_size": [1920, 0]}',
    b'{"c2w": [[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]], "image_size": 5}',
    b'{"c2w": [], "fps": 24}',
    b"caf\xe9 latin-1",
])
def test_known_bad_json_inputs_raise_named_errors(tmp_path, content):
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(LensCraftError):
        formats.load_any(p)


def test_side_files_cannot_read_outside_the_data_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET LINE\n")
    data = tmp_path / "data"
    data.mkdir()
    p = data / "cams.json"
    p.write_text(json.dumps({"c2w": np.eye(4)[None].repeat(3, 0).tolist(), "character": str(secret)}))
    with pytest.raises(LensCraftError) as e:
        formats.load_any(p)
    assert "TOP SECRET" not in str(e.value)


@pytest.mark.parametrize("array", [np.zeros((0,)), np.zeros((0, 4, 4)), np.zeros((3, 4, 5)),
                                   np.full((2, 4, 4), np.nan), np.array(["a", "b"], dtype=object)])
def test_bad_npy_matrices_raise_named_errors(tmp_path, array):
    p = tmp_path / "cams.npy"
    np.save(p, array, allow_pickle=array.dtype == object)
    with pytest.raises(LensCraftError):
        formats.load_any(p)


@FUZZ
@given(lines=st.lists(st.text(alphabet="0123456789 .-eE#\nabc\xe9", max_size=60), max_size=8))
def test_colmap_text_models_raise_named_errors(tmp_path, lines):
    model = tmp_path / "model"
    model.mkdir(exist_ok=True)
    (model / "cameras.txt").write_text("1 PINHOLE 640 480 500 500 320 240\n")
    (model / "images.txt").write_text("\n".join(lines), encoding="latin-1")
    _load(model)


@pytest.mark.parametrize("count", [2 ** 60, 2 ** 63 - 1])
def test_colmap_binary_huge_counts_raise_named_errors(tmp_path, count):
    model = tmp_path / "model"
    model.mkdir()
    (model / "cameras.bin").write_bytes(struct.pack("<Q", count))
    (model / "images.bin").write_bytes(struct.pack("<Q", count))
    with pytest.raises(LensCraftError):
        formats.load_any(model)


def test_matrix_text_with_non_utf8_bytes_raises_named_error(tmp_path):
    p = tmp_path / "cams.txt"
    p.write_bytes(b"1 0 0 0 0 1 0 0 0 0 1 0 \xff\xfe\n")
    with pytest.raises(LensCraftError):
        formats.load_any(p)
    os.remove(p)


# ------------------------------------------------------------------------------------------- every other loader
SMALL = settings(FUZZ, max_examples=100)


def _valid_model(tmp_path, binary: bool):
    from lenscraft_core.formats.colmap import save_colmap
    from lenscraft_core.simulate import simulate_batch

    model = tmp_path / ("bin" if binary else "txt")
    save_colmap(simulate_batch(1, frames=4, seed=2).shots()[0], model, binary=binary, overwrite=True)
    return model


def _mutate(data, raw: bytes, pool: list[bytes]) -> bytes:
    raw = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 3))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        i = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        else:
            raw[i:i] = data.draw(st.sampled_from(pool))
    return bytes(raw)


@SMALL
@given(data=st.data())
def test_mutated_colmap_models_raise_named_errors(tmp_path_factory, data):
    binary = data.draw(st.booleans())
    model = _valid_model(tmp_path_factory.mktemp("colmap"), binary)
    name = data.draw(st.sampled_from(["cameras", "images"])) + (".bin" if binary else ".txt")
    pool = ([b"\xff" * 8, struct.pack("<Q", 2 ** 60), struct.pack("<d", float("nan")), b"\x00"] if binary else
            [b"\xe9", b"\xef\xbb\xbf", b"nan", b"1e999", b"9" * 400, b" x", b"\n", b"#"])
    (model / name).write_bytes(_mutate(data, (model / name).read_bytes(), pool))
    _load(model)


@SMALL
@given(data=st.data(), suffix=st.sampled_from([".txt", ".json"]))
def test_mutated_matrix_files_raise_named_errors(tmp_path_factory, data, suffix):
    from lenscraft_core.formats.c2w import save_c2w
    from lenscraft_core.simulate import simulate_batch

    folder = tmp_path_factory.mktemp("c2w")
    p = folder / f"take{suffix}"
    save_c2w(simulate_batch(1, frames=4, seed=3).shots()[0], p)
    pool = [b"\xff", b"\xef\xbb\xbf", b"NaN", b"1e999", b"9" * 400, b"[" * 30, b'"abc"', b"null", b",", b"0"]
    p.write_bytes(_mutate(data, p.read_bytes(), pool))
    _load(p)


def _valid_pose_file(folder, fmt: str):
    """A valid file of a pose format (POSE_FORMATS), written by its own writer: a KITTI file in E.T.'s layout, with
    its intrinsics beside it, so detection and the companion files are fuzzed too."""
    from lenscraft_core.formats import kitti, re10k, transforms_json, tum
    from lenscraft_core.simulate import simulate_batch

    shot = simulate_batch(1, frames=4, seed=5).shots()[0]
    if fmt == "kitti":
        (folder / "traj_raw").mkdir(exist_ok=True)
        (folder / "intrinsics").mkdir(exist_ok=True)
        np.save(folder / "intrinsics" / "clip.npy", np.array([500.0, 500.0, 320.0, 240.0]))
        return kitti.save_kitti(shot, folder / "traj_raw" / "clip.txt", overwrite=True)
    writer = {"transforms": transforms_json.save_transforms, "re10k": re10k.save_re10k, "tum": tum.save_tum}[fmt]
    return writer(shot, folder / ("transforms.json" if fmt == "transforms" else f"{fmt}.txt"), overwrite=True)


@SMALL
@given(data=st.data(), fmt=st.sampled_from(sorted(formats.POSE_FORMATS)))
def test_mutated_pose_files_raise_named_errors(tmp_path_factory, data, fmt):
    """transforms.json, RealEstate10K, TUM and KITTI (E.T.) files with bytes flipped, cut or inserted: detected and
    read, or a named error; read as their own format whatever the detection says, likewise."""
    p = _valid_pose_file(tmp_path_factory.mktemp("pose"), fmt)
    pool = [b"\xff", b"\xef\xbb\xbf", b"nan", b"1e999", b"-0", b"9" * 400, b" x", b"\n", b"#", b",", b'"', b"["]
    p.write_bytes(_mutate(data, p.read_bytes(), pool))
    _load(p)
    _load(p, format=fmt, up=data.draw(st.sampled_from([None, "auto", "-y", "+z"])))


@SMALL
@given(lines=st.lists(st.text(alphabet="0123456789 .-eE#,\tnaif:/htps", max_size=90), max_size=6),
       name=st.sampled_from(["traj_raw/clip.txt", "poses/00.txt", "t.tum", "t.csv", "r.txt"]),
       url=st.booleans())
def test_arbitrary_pose_lines_raise_named_errors(tmp_path_factory, lines, name, url):
    p = tmp_path_factory.mktemp("lines") / name
    p.parent.mkdir(exist_ok=True)
    p.write_text("\n".join((["https://www.youtube.com/watch?v=x"] if url else []) + lines))
    _load(p)


@SMALL
@given(data=st.data(), name=st.sampled_from(["traj_raw/clip.txt", "poses/00.txt", "t.tum", "r.txt"]))
def test_arbitrary_pose_numbers_raise_named_errors(tmp_path_factory, data, name):
    """Lines of the right width (TUM 8, KITTI 12, RealEstate10K 19 numbers) holding any numbers: zero and
    non-unit quaternions, scaled, mirrored and degenerate matrices, repeated and falling timestamps."""
    width = {"r.txt": 19, "t.tum": 8}.get(name, 12)
    number = st.one_of(st.floats(-2, 2), st.sampled_from([0.0, 1.0, -1.0, 1e308, float("nan"), float("inf")]))
    rows = data.draw(st.lists(st.lists(number, min_size=width, max_size=width), min_size=1, max_size=5))
    p = tmp_path_factory.mktemp("numbers") / name
    p.parent.mkdir(exist_ok=True)
    head = ["https://www.youtube.com/watch?v=x"] if name == "r.txt" else []
    p.write_text("\n".join(head + [" ".join(repr(v) for v in r) for r in rows]))
    _load(p)


@SMALL
@given(array=st.one_of(
    st.builds(np.zeros, st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 5))),
    st.builds(np.full, st.tuples(st.integers(0, 3), st.sampled_from([12, 16])),
              st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda n, dt: np.ones((n, 4, 4), dtype=dt), st.integers(0, 3),
              st.sampled_from(["f4", "f8", "i4", "u1", "c16", "bool"]))))
def test_arbitrary_npy_arrays_raise_named_errors(tmp_path_factory, array):
    p = tmp_path_factory.mktemp("npy") / "cams.npy"
    np.save(p, array)
    _load(p)


@SMALL
@given(rows=st.lists(st.lists(st.text(alphabet="0123456789:.s-e ;|=xabdolyinINwcse\xe9\ufeff\"", max_size=12),
                              max_size=4), max_size=6),
       raw=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff", b"\x00"]))
def test_segment_csvs_raise_named_errors(tmp_path_factory, rows, raw):
    from lenscraft_core.formats.segments import read_segments_csv

    p = tmp_path_factory.mktemp("csv") / "seg.csv"
    p.write_bytes(raw + "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass"))
    try:
        read_segments_csv(p, 24.0, 48, 1)
    except LensCraftError:
        pass


@FUZZ
@given(data=st.data())
def test_lenient_loads_skip_every_bad_sample(tmp_path, valid, data):
    """One field of one sample spoiled: a lenient load either keeps both samples or skips exactly that one."""
    fmt = data.draw(st.sampled_from(sorted(valid)))
    doc = json.loads(valid[fmt])
    key = "shots" if fmt == "lenscraft" else "simulations"
    node, paths = doc[key][1], []

    def walk(n, path):
        paths.append(path)
        children = n.items() if isinstance(n, dict) else enumerate(n[:1]) if isinstance(n, list) else ()
        for k, v in children:
            walk(v, path + [k])

    walk(node, [])
    path = data.draw(st.sampled_from(paths[1:]))
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = data.draw(values)
    p = tmp_path / "lenient.json"
    p.write_text(json.dumps(doc, allow_nan=True))
    result = formats.load_any(p, lenient=True)
    assert len(result.shots) + len(result.skipped) == 2 and [i for i, _ in result.skipped] in ([], [1])


def _depth(v) -> int:
    return 1 + max(map(_depth, v.values() if isinstance(v, dict) else v), default=0) \
        if isinstance(v, (list, dict)) else 0


@FUZZ
@given(doc=st.recursive(st.one_of(scalars, st.text(alphabet='[]{}"\\ab', max_size=6)),
                        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                st.dictionaries(st.text(alphabet='[]{}"\\', max_size=4), inner,
                                                                max_size=3)), max_leaves=30),
       cuts=st.lists(st.integers(0, 400), max_size=4))
def test_the_ijson_depth_guard_counts_exactly(doc, cuts):
    """The guard in front of ijson (jsonstream._Depth) gives the true nesting depth however the bytes are chunked,
    with brackets, quotes and backslashes inside strings."""
    from lenscraft_core.formats.jsonstream import _Depth

    raw = json.dumps(doc, allow_nan=True).encode()
    guard, deepest, start = _Depth(), 0, 0
    for cut in sorted(c for c in cuts if c < len(raw)) + [len(raw)]:
        deepest, start = max(deepest, guard.feed(raw[start:cut])), cut
    assert deepest == _depth(doc) and guard.depth == 0 and guard.in_string == 0


def test_an_empty_npy_file_is_a_named_error(tmp_path):
    p = tmp_path / "cams.npy"
    p.write_bytes(b"")  # 0 bytes: np.load raises EOFError, not ValueError
    with pytest.raises(LensCraftError, match="cams.npy"):
        formats.load_any(p)
