import pytest

from lenscraft_core import vocabulary as V
from lenscraft_core.errors import UnknownLabelError

V1_MOVEMENTS = ("panLeft panRight tiltUp tiltDown dollyIn dollyOut truckLeft truckRight pedestalUp pedestalDown "
                "fullZoomIn fullZoomOut halfZoomIn halfZoomOut shortZoomIn shortZoomOut shortArcShotLeft "
                "shortArcShotRight halfArcShotLeft halfArcShotRight fullArcShotLeft fullArcShotRight panAndTilt "
                "dollyAndPan zoomAndTruck").split()


def test_v1_values_are_all_present_with_their_exact_names():
    assert len(V1_MOVEMENTS) == 25
    for name in V1_MOVEMENTS:
        assert V.MOVEMENT.resolve(name) == name
    v1_easings = ["linear"] + [f"ease{m}{f}" for f in ("Quad", "Cubic", "Quart", "Quint", "Sine", "Expo", "Circ",
                                                        "Bounce", "Elastic") for m in ("In", "Out", "InOut")]
    assert len(v1_easings) == 28
    for name in v1_easings + ["easeInBack", "easeOutBack", "easeInOutBack"]:
        assert V.EASING.resolve(name) == name
    for name in ("lowAngle", "mediumAngle", "highAngle", "birdsEyeView"):
        assert V.ANGLE.resolve(name) == name
    for name in V.V1_SHOT_TYPES:
        assert V.SHOT_TYPE.resolve(name) == name


def test_extended_vocabulary():
    for name in ("static", "rollLeft", "rollRight", "dollyOutZoomIn", "dollyInZoomOut", "follow", "track"):
        assert name in V.MOVEMENT.names
    assert V.MOVEMENT.resolve("crane up") == "pedestalUp" and V.MOVEMENT.resolve("craneDown") == "pedestalDown"
    assert V.ANGLE.resolve("eye level") == "mediumAngle" and V.ANGLE.resolve("overhead") == "overhead"
    assert len(V.SHOT_TYPE) == 8
    cov = [l.params["coverage"] for l in V.SHOT_TYPE]
    assert cov == sorted(cov, reverse=True), "shot sizes go from extreme close-up to extreme long shot"


@pytest.mark.parametrize("alias,name", [
    ("push in", "dollyIn"), ("pull out", "dollyOut"), ("boom up", "pedestalUp"), ("boom down", "pedestalDown"),
    ("orbit left", "shortArcShotLeft"), ("full orbit left", "fullArcShotLeft"), ("whip pan left", "panLeft"), ("Pan-Left", "panLeft"), ("pan_left", "panLeft"),
    ("vertigo shot", "dollyOutZoomIn"), ("dutch right", "rollRight"), ("locked off", "static"),
])
def test_film_terms(alias, name):
    assert V.MOVEMENT.resolve(alias) == name


def test_kandinsky_taxonomy_maps_every_class():
    assert len(V.KANDINSKY_MOVEMENT) == 18
    for cls, ours in V.KANDINSKY_MOVEMENT.items():
        if ours is not None:
            assert ours in V.MOVEMENT.names
            assert V.MOVEMENT.resolve(cls) == ours, cls  # the class name itself parses too


def test_every_easing_maps_to_a_blender_interpolation():
    interps = {"LINEAR", "QUAD", "CUBIC", "QUART", "QUINT", "SINE", "EXPO", "CIRC", "BOUNCE", "ELASTIC", "BACK"}
    for label in V.EASING:
        assert label.params["blender_interpolation"] in interps
        assert label.params["blender_easing"] in {"AUTO", "EASE_IN", "EASE_OUT", "EASE_IN_OUT"}


def test_unknown_label_lists_closest():
    with pytest.raises(UnknownLabelError) as e:
        V.MOVEMENT.resolve("dolyIn")
    assert "dollyIn" in str(e.value) and "unknown movement 'dolyIn'" in str(e.value)
    with pytest.raises(UnknownLabelError, match="closest valid"):
        V.get_field("movment")


def test_descriptions_unique_and_hash_stable():
    for f in V.FIELDS.values():
        d = f.descriptions()
        assert len(set(d)) == len(d), f.name
    assert V.vocabulary_hash() == V.vocabulary_hash() and len(V.vocabulary_hash()) == 16


def test_caption():
    c = V.caption({"movement": "dollyIn", "easing": "easeInOutSine", "angle": "lowAngle", "shot_type": "closeUp"})
    assert c.startswith("the camera dollies in") and "low angle" in c and "close-up" in c


def test_movement_sign_convention_matches_label_names():
    """POSITIVE_DIRECTION is the one home of the sign convention: every signed single move's name says the direction
    its sign means (panLeft has sign +1 because +1 means left for pans), and every kind is a MOVEMENT_KINDS entry."""
    import re

    from lenscraft_core.vocabulary import MOVEMENT, MOVEMENT_KINDS, OPPOSITE_DIRECTION, POSITIVE_DIRECTION

    checked = 0
    for label in MOVEMENT:
        kind = label.params["kind"]
        assert kind in MOVEMENT_KINDS + ("static", "compound"), label.name
        if "sign" not in label.params:
            continue
        positive = POSITIVE_DIRECTION[kind]
        said = positive if label.params["sign"] > 0 else OPPOSITE_DIRECTION[positive]
        words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+", label.name)]
        # dolly zooms name the dolly direction first ("dollyInZoomOut"): the sign is the dolly's
        assert said == next(w for w in words if w in OPPOSITE_DIRECTION), label.name
        checked += 1
    assert checked >= 20
