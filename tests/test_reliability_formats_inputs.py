"""Every input class of issue 11 ("Named errors") gets a DataError that names the file and, where known, the line or
field; a UTF-8 byte order mark is accepted; side files named by a data file stay inside its folder; --lenient skips
every bad sample. tests/test_fuzz_inputs.py throws generated inputs at the same loaders."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from lenscraft_core import formats
from lenscraft_core.errors import DataError
from lenscraft_core.formats.colmap import save_colmap
from lenscraft_core.formats.c2w import load_c2w, save_c2w
from lenscraft_core.formats.segments import read_segments_csv
from lenscraft_core.simulate import simulate_batch

EYE = np.eye(4)[None].repeat(3, 0).tolist()


@pytest.fixture(scope="module")
def shots():
    return simulate_batch(3, frames=6, seed=4, labels={"movement": "dollyIn"}).shots()  # v1 can store these


def _write(tmp_path, shots, fmt):
    p = tmp_path / f"{fmt}.json"
    formats.save(shots, p, format=fmt, overwrite=True, **({"mapping": "nearest"} if fmt == "lenscraft-v1" else {}))
    return p


def _raises(path, match, **kw) -> str:
    with pytest.raises(DataError, match=match) as e:
        formats.load_any(path, **kw)
    assert str(path) in str(e.value)
    return str(e.value)


# ---------------------------------------------------------------------------------------------------- encodings
@pytest.mark.parametrize("fmt", ["lenscraft", "lenscraft-v1"])
@pytest.mark.parametrize("reader", ["json", "ijson"])
def test_a_non_utf8_byte_in_json_names_line_and_column(tmp_path, shots, fmt, reader):
    p = _write(tmp_path, shots, fmt)
    raw = p.read_bytes()
    i = raw.index(b'"subject"')  # inside a string value
    p.write_bytes(raw[:i + 2] + b"\xe9" + raw[i + 3:])
    line = raw[:i].count(b"\n") + 1
    _raises(p, rf"line {line} column \d+: byte 0xe9 is not UTF-8", reader=reader)


def test_non_utf8_bytes_in_colmap_text_matrix_files_and_csv(tmp_path, shots):
    save_colmap(shots[0], tmp_path / "m")
    images = tmp_path / "m" / "images.txt"
    images.write_bytes(images.read_bytes().replace(b"frame_00002", b"fr\xe9me_00002"))
    _raises(tmp_path / "m", r"images.txt: line \d+ column \d+: byte 0xe9 is not UTF-8")
    (tmp_path / "cams.txt").write_bytes(b"1 0 0 0 0 1 0 0 0 0 1 0\n1 0 0 0 0 1 0 0 0 0 1 0 \xff\n")
    _raises(tmp_path / "cams.txt", r"line 2 column 25: byte 0xff")
    (tmp_path / "cams.json").write_bytes(b'{"c2w": [], "note": "\xff"}')
    _raises(tmp_path / "cams.json", r"line 1 column 22: byte 0xff")
    seg = tmp_path / "seg.csv"
    seg.write_bytes(b"start,end,label\n1,3,dollyIn\n4,6,caf\xe9\n")
    with pytest.raises(DataError, match=r"seg.csv: line 3 column 8: byte 0xe9 is not UTF-8"):
        read_segments_csv(seg, 24, 6)


def test_a_byte_order_mark_is_accepted_everywhere(tmp_path, shots):
    bom = b"\xef\xbb\xbf"
    seg = tmp_path / "seg.csv"
    seg.write_bytes(bom + b"start,end,movement\n1,3,dolly in\n4,6,static\n")  # Excel's "CSV UTF-8"
    segments = read_segments_csv(seg, 24, 6)
    assert [s.labels["movement"] for s in segments] == ["dollyIn", "static"]
    save_colmap(shots[0], tmp_path / "m")
    for name in ("cameras.txt", "images.txt"):
        f = tmp_path / "m" / name
        f.write_bytes(bom + f.read_bytes())
    assert len(formats.load_any(tmp_path / "m").shots[0].trajectory.position) == 6
    save_c2w(shots[0], tmp_path / "take.txt")
    save_c2w(shots[0], tmp_path / "take.json")
    for name in ("take.txt", "take.json"):
        f = tmp_path / name
        f.write_bytes(bom + f.read_bytes())
        assert formats.load_any(f).shots[0].trajectory.frame_count == 6


def test_a_cell_past_the_csv_field_limit_is_named(tmp_path):
    seg = tmp_path / "big.csv"
    seg.write_text("start,end,label\n1,3,\"" + "x" * 140_000 + "\"\n")
    with pytest.raises(DataError, match=r"big.csv: line 2: not a readable CSV row \(field larger than field limit"):
        read_segments_csv(seg, 24, 6)


# ---------------------------------------------------------------------------------------------------- JSON numbers
@pytest.mark.parametrize("fmt", ["lenscraft", "lenscraft-v1", "c2w"])
def test_nesting_deeper_than_the_recursion_limit(tmp_path, fmt):
    key = {"lenscraft": '"format": "lenscraft", "version": 1, "shots"', "lenscraft-v1": '"simulations"',
           "c2w": '"c2w"'}[fmt]
    p = tmp_path / "deep.json"
    p.write_text("{" + key + ": [" + "[" * 100_000 + "]" * 100_000 + "]}")
    _raises(p, "nested deeper than Python can read")


@pytest.mark.parametrize("fmt", ["lenscraft", "lenscraft-v1"])
def test_deep_nesting_never_reaches_ijson(tmp_path, fmt):
    """ijson's memory grows with the square of the depth (100,000 levels: tens of GB): deep files go to the stdlib
    scanner, which names the problem. 5,000 levels keep this test safe should the guard ever break."""
    key = '"format": "lenscraft", "version": 1, "shots"' if fmt == "lenscraft" else '"simulations"'
    p = tmp_path / "deep.json"
    p.write_text("{" + key + ": [" + "[" * 5000 + "]" * 5000 + "]}")
    _raises(p, "nested deeper than Python can read", reader="ijson")


def test_integers_too_large_for_a_float_name_the_field(tmp_path, shots):
    p = _write(tmp_path, shots[:1], "lenscraft")
    doc = json.loads(p.read_text())
    doc["shots"][0]["camera"]["position"][2][1] = 10 ** 400
    p.write_text(json.dumps(doc))
    _raises(p, r"shot 0: camera.position\[2\]\[1\] is a 401-digit integer")
    doc["shots"][0]["camera"]["position"][2][1] = 0.5
    doc["shots"][0]["fps"] = 10 ** 400
    p.write_text(json.dumps(doc))
    _raises(p, r"shot 0: fps is a 401-digit integer")
    v1 = _write(tmp_path, shots[:1], "lenscraft-v1")
    text = v1.read_text()
    v1.write_text(text.replace('"frameCount": 6', '"frameCount": ' + "9" * 400))
    _raises(v1, r"simulation 0: instructions\[0\].frameCount is 9{30}")
    v1.write_text(text.replace('"focalLength": ', '"focalLength": 1' + "0" * 400 + ", \"x\": ", 1))
    _raises(v1, r"simulation 0: cameraFrames\[0\].focalLength is a 401-digit integer")
    c = tmp_path / "c.json"
    c.write_text(json.dumps({"c2w": [[[10 ** 400, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]]}))
    _raises(c, "not a regular numeric array")


def test_integers_past_the_digit_limit(tmp_path, shots):
    p = _write(tmp_path, shots[:1], "lenscraft")
    p.write_text(p.read_text().replace('"frame_count":6', '"frame_count":' + "9" * 5000))
    _raises(p, r"the value at line 2 column \d+: Exceeds the limit \(4300 digits\)")


def test_v1_frame_count_infinity(tmp_path, shots):
    v1 = _write(tmp_path, shots[:1], "lenscraft-v1")
    v1.write_text(v1.read_text().replace('"frameCount": 6', '"frameCount": Infinity'))
    _raises(v1, r"simulation 0: instructions\[0\].frameCount is Infinity, expected a whole number")


@pytest.mark.parametrize("hint", ["abc", {"camera": "abc"}, {"camera": [[1, 2]]}, {"subjects": [["x", 1, 2]]}])
def test_a_bad_v1_euler_hint_is_a_named_error_and_lenient_skips_it(tmp_path, shots, hint):
    p = _write(tmp_path, shots, "lenscraft")
    doc = json.loads(p.read_text())
    doc["shots"][1]["metadata"]["v1_euler"] = hint
    p.write_text(json.dumps(doc))
    _raises(p, r"shot 1: metadata.v1_euler")
    result = formats.load_any(p, lenient=True)
    assert len(result.shots) == 2 and [i for i, _ in result.skipped] == [1]


def test_lenient_skips_every_kind_of_bad_sample(tmp_path, shots):
    p = _write(tmp_path, shots * 2, "lenscraft")
    doc = json.loads(p.read_text())
    doc["shots"][0]["frame_count"] = 10 ** 400
    doc["shots"][1]["camera"]["rotation"][0] = ["a", 1, 2, 3]
    doc["shots"][2]["metadata"] = {"v1_euler": {"camera": [[None] * 3] * 6}}
    doc["shots"][3]["sensor_width"] = float("inf")
    p.write_text(json.dumps(doc))
    result = formats.load_any(p, lenient=True)
    assert [i for i, _ in result.skipped] == [0, 1, 2, 3] and len(result.shots) == 2
    v1 = _write(tmp_path, shots, "lenscraft-v1")
    text = v1.read_text().replace('"frameCount": 6', '"frameCount": Infinity', 1)
    v1.write_text(text.replace('"focalLength": ', '"focalLength": 1' + "0" * 400 + ", \"x\": ", 7))
    result = formats.load_any(v1, lenient=True)
    assert [i for i, _ in result.skipped] == [0, 1] and len(result.shots) == 1


# ---------------------------------------------------------------------------------------------------- matrix files
@pytest.mark.parametrize("extra, match", [
    ({"fps": "abc"}, r'fps is a string \("abc"\), expected a number'),
    ({"fps": None}, "fps is null"),
    ({"fps": True}, "fps is a boolean"),
    ({"image_size": [1920, 0]}, r"image_size must be two positive numbers \(width, height\), got \[1920, 0\]"),
    ({"image_size": 5}, "image_size must be two positive numbers"),
    ({"image_size": [1920, 1080, 3]}, "image_size must be two positive numbers"),
    ({"image_size": [1920, 1080], "intrinsics": [[500, 500, 960, 0]] * 3, "x": 1}, None),
])
def test_matrix_json_side_values(tmp_path, extra, match):
    p = tmp_path / "cams.json"
    p.write_text(json.dumps({"c2w": EYE, **extra}))
    if match is None:
        assert formats.load_any(p).shots[0].trajectory.aspect == 1920 / 1080
    else:
        _raises(p, match)


@pytest.mark.parametrize("array", [np.zeros((0, 4, 4)), np.zeros((0, 16)), np.zeros((0, 3, 4))])
def test_an_empty_matrix_file_is_named(tmp_path, array):
    np.save(tmp_path / "cams.npy", array)
    _raises(tmp_path / "cams.npy", "holds no matrices")


@pytest.mark.parametrize("field", ["character", "intrinsics"])
def test_side_files_stay_inside_the_data_folder(tmp_path, field):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET LINE\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "link.txt").symlink_to(secret)
    for value in (str(secret), "../secret.txt", "link.txt"):
        p = data / "cams.json"
        p.write_text(json.dumps({"c2w": EYE, field: value, "image_size": [640, 480]}))
        message = _raises(p, f'"{field}" names a file outside the data file\'s folder')
        assert "TOP SECRET" not in message


def test_side_files_resolve_relative_to_the_data_file_and_are_never_quoted(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    np.save(data / "walk.npy", np.column_stack([np.linspace(0, 1, 3), np.zeros(3), np.zeros(3) + 5]))
    p = data / "cams.json"
    p.write_text(json.dumps({"c2w": EYE, "character": "walk.npy"}))
    monkeypatch.chdir(tmp_path)  # not the data folder: the name is relative to the data file
    shot = formats.load_any(p).shots[0]
    assert shot.subject.name == "character"
    (data / "walk.txt").write_text("0 0 5\nTOP SECRET 0\n1 0 5\n")
    p.write_text(json.dumps({"c2w": EYE, "character": "walk.txt"}))
    with pytest.raises(DataError) as e:
        formats.load_any(p)
    message = str(e.value)
    assert "walk.txt: line 2" in message and "TOP SECRET" not in message
    # the caller's own file (an argument, not a field of the data) may still be anywhere
    assert load_c2w(p, character=data / "walk.npy").subject.name == "character"


# ---------------------------------------------------------------------------------------------------- COLMAP binary
@pytest.mark.parametrize("count", [2 ** 60, 2 ** 63 - 1, 2 ** 64 - 1, 10 ** 6])
@pytest.mark.parametrize("which", ["cameras.bin", "images.bin"])
def test_colmap_binary_counts_are_checked_against_the_file_length(tmp_path, shots, count, which):
    save_colmap(shots[0], tmp_path / "m", binary=True)
    f = tmp_path / "m" / which
    f.write_bytes(struct.pack("<Q", count) + f.read_bytes()[8:])
    _raises(tmp_path / "m", rf"{which}: says it holds {count:,} (cameras|images), but only \d+ bytes follow")


def test_colmap_binary_point_counts_are_checked(tmp_path, shots):
    save_colmap(shots[0], tmp_path / "m", binary=True)
    f = tmp_path / "m" / "images.bin"
    raw = f.read_bytes()
    end = raw.index(b".jpg\x00") + 5  # the first image's 2D-point count follows its name
    f.write_bytes(raw[:end] + struct.pack("<Q", 2 ** 62) + raw[end + 8:])
    _raises(tmp_path / "m", r"images.bin: image record 0: says it holds [\d,]+ 2D points")
