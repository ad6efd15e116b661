import pytest

from lenscraft_core.errors import LensCraftError
from lenscraft_core.prompt import parse_prompt


@pytest.mark.parametrize("text,expected", [
    ("slow push in from a low angle, ease in-out, close-up",
     {"movement": "dollyIn", "easing": "easeInOutSine", "angle": "lowAngle", "shot_type": "closeUp"}),
    ("orbit left around the car, wide shot, bird's-eye",
     {"movement": "fullArcShotLeft", "shot_type": "longShot", "angle": "birdsEyeView"}),
    ("The camera dollies out while zooming in", {"movement": "dollyOutZoomIn"}),
    ("panning right, medium close up from the front left",
     {"movement": "panRight", "shot_type": "mediumCloseUp", "view": "frontLeft"}),
    ("zooming in slightly", {"movement": "shortZoomIn"}),
    ("pan to the left at a constant speed", {"movement": "panLeft", "easing": "linear"}),
    ("boom up to a high angle", {"movement": "pedestalUp", "angle": "highAngle"}),
    ("extreme close-up, dutch left", {"movement": "rollLeft", "shot_type": "extremeCloseUp"}),
])
def test_parse(text, expected):
    interp = parse_prompt(text)
    assert {f: interp.labels[f] for f in interp.explicit} == expected
    assert all(interp.confidence[f] == 1.0 for f in expected)


def test_defaults_and_generic_terms():
    interp = parse_prompt("whip pan")
    assert interp.labels["movement"] == "panRight" and 0 < interp.confidence["movement"] < 1
    assert interp.speed == "fast"
    assert interp.confidence["angle"] == 0 and interp.labels["angle"] == "mediumAngle"
    assert "(default)" in interp.summary()
    assert parse_prompt("dolly in", defaults={"angle": "high angle"}).labels["angle"] == "highAngle"


@pytest.mark.parametrize("text", ["", "   ", "a cat sitting on a mat", "make it look nice"])
def test_no_camera_words_is_an_error(text):
    with pytest.raises(LensCraftError):
        parse_prompt(text)
