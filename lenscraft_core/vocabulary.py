"""The shot vocabulary: the single source of truth for what a shot instruction can say.

Every field (movement, easing, angle, shot_type, view) is a fixed, ordered list of labels. A label has

* ``name``: the canonical id (camelCase; LensCraft v1 names where v1 has the value),
* ``description``: the canonical phrase fed to text encoders,
* ``aliases``: other ways people say it (film jargon, other datasets' names), used for parsing,
* ``params``: the numbers the simulator and the Blender layer need (amounts, directions, pitches,
  F-curve interpolation), so no other module keeps its own copy of them.

Label order is part of the model's contract (class indices); append new labels at the end of a field.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .errors import UnknownLabelError


@dataclass(frozen=True)
class Label:
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def normalise(text: str) -> str:
    """Key used for label lookup: lower case, letters and digits only ("Pan-Left" == "pan_left" == "panLeft")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


class Field:
    """One instruction field: an ordered tuple of labels with lookup by name or alias."""

    def __init__(self, name: str, labels: Iterable[Label], default: str, doc: str):
        self.name = name
        self.labels: tuple[Label, ...] = tuple(labels)
        self.doc = doc
        self.names: tuple[str, ...] = tuple(label.name for label in self.labels)
        self._by_key: dict[str, Label] = {}
        for label in self.labels:
            for key in (label.name, *label.aliases):
                k = normalise(key)
                other = self._by_key.get(k)
                if other is not None and other.name != label.name:
                    raise AssertionError(f"{name}: '{key}' names both {other.name} and {label.name}")
                self._by_key[k] = label
        self.default = self[default].name

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self):
        return iter(self.labels)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalise(text) in self._by_key

    def __getitem__(self, text: str) -> Label:
        """Label for a canonical name or any alias; raises UnknownLabelError listing the closest valid names."""
        label = self._by_key.get(normalise(text)) if isinstance(text, str) else None
        if label is None:
            raise UnknownLabelError(self.name, text, self.suggest(str(text)))
        return label

    def resolve(self, text: str) -> str:
        """Canonical name for a name or alias."""
        return self[text].name

    def index(self, text: str) -> int:
        return self.names.index(self.resolve(text))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        keys = list(self._by_key)
        close = difflib.get_close_matches(normalise(text), keys, n=n * 3, cutoff=0.4)
        out: list[str] = []
        for k in close:
            nm = self._by_key[k].name
            if nm not in out:
                out.append(nm)
        return out[:n] or list(self.names[:n])

    def descriptions(self) -> list[str]:
        return [label.description for label in self.labels]


def _L(name: str, description: str, *aliases: str, **params: Any) -> Label:
    return Label(name, description, tuple(aliases), MappingProxyType(dict(params)))


# ----------------------------------------------------------------------------------------------------------------------
# Movement. params: kind (what the simulator does), sign (+1 right/up/in/counter-clockwise...), and
# amount (degrees for pan/tilt/arc/roll, a focal-length factor for zooms, a distance factor for dolly zoom).
# An arc's sign is its azimuth change around the subject: +1 = counter-clockwise seen from above. "Arc / orbit left"
# means the camera travels to its own left around the subject (as a truck left does), which is CLOCKWISE seen from
# above, so the Left arcs have sign -1 (as MotionCtrl, CamI2V and ReCamMaster name them). LensCraft v1 and models
# trained before this convention used the opposite names: formats/lenscraft_v1.py maps v1's arc labels by
# geometry, inference/conventions.py feeds such models the rows they learned.
# ----------------------------------------------------------------------------------------------------------------------
# The kinds of single moves (the simulator's move components, in this order), and the direction word that sign +1
# means for each signed kind: the one home of the movement sign convention (the grammar and the simulator read it).
MOVEMENT_KINDS = ("pan", "tilt", "dolly", "truck", "pedestal", "zoom", "arc", "roll", "dollyZoom", "follow", "track")
POSITIVE_DIRECTION = MappingProxyType({"pan": "left", "tilt": "up", "dolly": "in", "truck": "right", "pedestal": "up",
                                       "zoom": "in", "arc": "right", "roll": "left", "dollyZoom": "in"})
# Which arc direction each arc name means, stamped as "arc_convention" in every model.json a training run writes.
# Models without the stamp (the bundled one included) were trained under V1_ARC_CONVENTION.
ARC_CONVENTION = "left-is-clockwise"  # arc left = the camera's own left = clockwise seen from above
V1_ARC_CONVENTION = "left-is-counter-clockwise"  # LensCraft v1's files and models trained before the flip
ARC_CONVENTIONS = (ARC_CONVENTION, V1_ARC_CONVENTION)
OPPOSITE_DIRECTION = MappingProxyType({"left": "right", "right": "left", "up": "down", "down": "up", "in": "out",
                                       "out": "in"})
_ZOOM = {"full": 2.0, "half": 2.0 ** 0.5, "short": 2.0 ** 0.25}
_ARC = {"short": 90.0, "half": 180.0, "full": 360.0}

MOVEMENT = Field(
    "movement",
    [
        _L("panLeft", "the camera pans left", "pan left", "panning left", "pans left", "whip pan left",
           "swish pan left", "pan_left", kind="pan", sign=+1),
        _L("panRight", "the camera pans right", "pan right", "panning right", "pans right", "whip pan right",
           "swish pan right", "pan_right", kind="pan", sign=-1),
        _L("tiltUp", "the camera tilts up", "tilt up", "tilting up", "tilts up", "tilt_up", kind="tilt", sign=+1),
        _L("tiltDown", "the camera tilts down", "tilt down", "tilting down", "tilts down", "tilt_down",
           kind="tilt", sign=-1),
        _L("dollyIn", "the camera dollies in towards the subject", "dolly in", "push in", "push-in", "pushing in",
           "move in", "dolly forward", "track in", "dolly_in", kind="dolly", sign=+1),
        _L("dollyOut", "the camera dollies out away from the subject", "dolly out", "pull out", "pull back",
           "pulling back", "move out", "dolly back", "track out", "dolly_out", kind="dolly", sign=-1),
        _L("truckLeft", "the camera trucks left", "truck left", "crab left", "slide left", "strafe left",
           "truck_left", kind="truck", sign=-1),
        _L("truckRight", "the camera trucks right", "truck right", "crab right", "slide right", "strafe right",
           "truck_right", kind="truck", sign=+1),
        _L("pedestalUp", "the camera rises on a pedestal", "pedestal up", "boom up", "crane up", "craneUp",
           "jib up", "rise", "pedestal_up", kind="pedestal", sign=+1),
        _L("pedestalDown", "the camera lowers on a pedestal", "pedestal down", "boom down", "crane down",
           "craneDown", "jib down", "descend", "pedestal_down", kind="pedestal", sign=-1),
        _L("fullZoomIn", "the lens zooms in fully", "full zoom in", "big zoom in", "crash zoom in", "snap zoom in",
           kind="zoom", sign=+1, amount=_ZOOM["full"]),
        _L("fullZoomOut", "the lens zooms out fully", "full zoom out", "big zoom out", "crash zoom out",
           kind="zoom", sign=-1, amount=_ZOOM["full"]),
        _L("halfZoomIn", "the lens zooms in halfway", "half zoom in", "zoom in", "zooming in", "zoom_in",
           kind="zoom", sign=+1, amount=_ZOOM["half"]),
        _L("halfZoomOut", "the lens zooms out halfway", "half zoom out", "zoom out", "zooming out", "zoom_out",
           kind="zoom", sign=-1, amount=_ZOOM["half"]),
        _L("shortZoomIn", "the lens zooms in slightly", "short zoom in", "slight zoom in", "small zoom in",
           "zoom in slightly", "zoom in a little",
           kind="zoom", sign=+1, amount=_ZOOM["short"]),
        _L("shortZoomOut", "the lens zooms out slightly", "short zoom out", "slight zoom out", "small zoom out",
           "zoom out slightly", "zoom out a little",
           kind="zoom", sign=-1, amount=_ZOOM["short"]),
        _L("shortArcShotLeft", "the camera arcs a quarter turn left around the subject", "short arc shot left",
           "arc left", "arcLeft", "arc_left", "quarter orbit left", "orbit left", kind="arc", sign=-1,
           amount=_ARC["short"]),
        _L("shortArcShotRight", "the camera arcs a quarter turn right around the subject", "short arc shot right",
           "arc right", "arcRight", "arc_right", "quarter orbit right", "orbit right", "orbit", kind="arc", sign=+1,
           amount=_ARC["short"]),
        _L("halfArcShotLeft", "the camera arcs half way around the subject to the left", "half arc shot left",
           "half orbit left", "semicircle left", kind="arc", sign=-1, amount=_ARC["half"]),
        _L("halfArcShotRight", "the camera arcs half way around the subject to the right", "half arc shot right",
           "half orbit right", "semicircle right", kind="arc", sign=+1, amount=_ARC["half"]),
        _L("fullArcShotLeft", "the camera circles all the way around the subject to the left",
           "full arc shot left", "full orbit left", "circle left", "360 left", "turntable left",
           kind="arc", sign=-1, amount=_ARC["full"]),
        _L("fullArcShotRight", "the camera circles all the way around the subject to the right",
           "full arc shot right", "full orbit right", "circle right", "360 right", "turntable right",
           "360", kind="arc", sign=+1, amount=_ARC["full"]),
        _L("panAndTilt", "the camera pans left and tilts down", "pan and tilt", "pan tilt", kind="compound",
           parts=("panLeft", "tiltDown")),
        _L("dollyAndPan", "the camera dollies in while panning left", "dolly and pan", "dolly pan",
           kind="compound", parts=("dollyIn", "panLeft")),
        _L("zoomAndTruck", "the lens zooms in while the camera trucks right", "zoom and truck", "zoom truck",
           kind="compound", parts=("fullZoomIn", "truckRight")),
        _L("static", "the camera holds still", "static shot", "locked off", "locked-off", "still", "no movement",
           "hold", "fixed camera", "tripod shot", kind="static"),
        _L("rollLeft", "the camera rolls to the left", "roll left", "dutch left", "dutchLeft", "barrel roll left",
           "roll counter-clockwise", "roll_left", kind="roll", sign=+1),
        _L("rollRight", "the camera rolls to the right", "roll right", "dutch right", "dutchRight",
           "barrel roll right", "roll clockwise", "roll_right", kind="roll", sign=-1),
        _L("dollyOutZoomIn", "the camera dollies out while zooming in, a dolly zoom", "dolly out zoom in",
           "dolly zoom", "contra zoom", "vertigo shot", "vertigo effect", "zolly", "reverse dolly zoom",
           "hitchcock zoom",
           kind="dollyZoom", sign=-1),
        _L("dollyInZoomOut", "the camera dollies in while zooming out, a dolly zoom", "dolly in zoom out",
           "push in zoom out", kind="dollyZoom", sign=+1),
        _L("follow", "the camera follows the moving subject", "following", "follow shot", "chase", "tail",
           "camera follows", kind="follow"),
        _L("track", "the camera tracks alongside the moving subject", "tracking shot", "tracking alongside",
           "track alongside", "side tracking", "travelling shot", kind="track"),
    ],
    default="static",
    doc="What the camera does over the shot.",
)

# Each arc label -> the arc of the same amount turning the other way (what an arc name meant under the other
# convention: v1's "shortArcShotLeft" is our shortArcShotRight).
ARC_MIRROR: Mapping[str, str] = MappingProxyType({
    a.name: b.name for a in MOVEMENT for b in MOVEMENT
    if a.params.get("kind") == b.params.get("kind") == "arc" and a.params["amount"] == b.params["amount"]
    and a.params["sign"] == -b.params["sign"]})

# Kandinsky video tools' 18-class camera-motion taxonomy -> our movement names ("undefined" has no label).
KANDINSKY_MOVEMENT: Mapping[str, str | None] = MappingProxyType({
    "arc_left": "shortArcShotLeft", "arc_right": "shortArcShotRight",
    "dolly_in": "dollyIn", "dolly_out": "dollyOut",
    "pan_left": "panLeft", "pan_right": "panRight",
    "pedestal_down": "pedestalDown", "pedestal_up": "pedestalUp",
    "roll_left": "rollLeft", "roll_right": "rollRight",
    "static": "static",
    "tilt_down": "tiltDown", "tilt_up": "tiltUp",
    "truck_left": "truckLeft", "truck_right": "truckRight",
    "zoom_in": "halfZoomIn", "zoom_out": "halfZoomOut",
    "undefined": None,
})

# ----------------------------------------------------------------------------------------------------------------------
# Easing (progress over time). params: family and mode, and the Blender F-curve interpolation + easing pair
# that reproduces it on sparse keys.
# ----------------------------------------------------------------------------------------------------------------------
_FAMILY_WORDS = {
    "Quad": "gently", "Cubic": "smoothly", "Quart": "strongly", "Quint": "very strongly",
    "Sine": "softly", "Expo": "exponentially", "Circ": "sharply", "Bounce": "with a bounce",
    "Elastic": "with an elastic spring", "Back": "with a slight overshoot",
}
_MODE_TEXT = {
    "In": "starting slowly and speeding up",
    "Out": "starting fast and slowing down",
    "InOut": "starting slowly, speeding up and slowing down at the end",
}
_FAMILY_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Sine", "InOut"): ("ease in out", "ease in-out", "ease-in-out", "easeInOut", "smooth start and stop",
                        "smoothStartStop", "slow in slow out", "eased"),
    ("Sine", "In"): ("ease in", "ease-in", "slow start", "slow to fast", "slowToFast", "accelerating", "speeding up",
                     "accelerate"),
    ("Sine", "Out"): ("ease out", "ease-out", "slow end", "fast to slow", "fastToSlow", "decelerating",
                      "slowing down", "decelerate"),
    ("Bounce", "Out"): ("bounce", "bouncy", "bouncing"),
    ("Elastic", "Out"): ("elastic", "springy", "spring"),
    ("Back", "Out"): ("overshoot", "overshooting"),
    ("Back", "In"): ("anticipation", "wind up"),
}


def _easings() -> list[Label]:
    out = [_L("linear", "at a constant speed", "constant", "constant speed", "steady", "uniform", "no easing",
              family="Linear", mode="", blender_interpolation="LINEAR", blender_easing="AUTO")]
    for family in ("Quad", "Cubic", "Quart", "Quint", "Sine", "Expo", "Circ", "Bounce", "Elastic", "Back"):
        for mode in ("In", "Out", "InOut"):
            name = f"ease{mode}{family}"
            desc = f"{_MODE_TEXT[mode]} {_FAMILY_WORDS[family]}"
            blender_easing = {"In": "EASE_IN", "Out": "EASE_OUT", "InOut": "EASE_IN_OUT"}[mode]
            out.append(_L(name, desc, f"ease {mode.lower()} {family.lower()}", *_FAMILY_ALIASES.get((family, mode), ()),
                          family=family, mode=mode, blender_interpolation=family.upper(),
                          blender_easing=blender_easing))
    return out


EASING = Field("easing", _easings(), default="easeInOutSine", doc="How progress is distributed over the shot.")

# ----------------------------------------------------------------------------------------------------------------------
# Camera angle: the elevation of the camera above the subject centre at the first frame (degrees; the camera
# looks at the subject, so its pitch is minus this). v1 defines low/medium/high/bird's-eye as -30/0/30/60.
# ----------------------------------------------------------------------------------------------------------------------
ANGLE = Field(
    "angle",
    [
        _L("lowAngle", "from a low angle", "low angle", "low", "looking up", "worm's eye", "worms eye", "low shot",
           elevation_deg=-30.0),
        _L("mediumAngle", "from eye level", "medium angle", "eye level", "eye-level", "eyeLevel", "eye", "level",
           "neutral angle", elevation_deg=0.0),
        _L("highAngle", "from a high angle", "high angle", "high", "looking down", "high shot", elevation_deg=30.0),
        _L("birdsEyeView", "from a bird's eye view", "birds eye view", "bird's-eye", "bird's eye", "birds eye",
           "birdsEye", "aerial", "drone shot", elevation_deg=60.0),
        _L("overhead", "from directly overhead", "overhead shot", "top down", "top-down", "god's eye", "gods eye",
           "plan view", elevation_deg=90.0),
    ],
    default="mediumAngle",
    doc="Camera elevation relative to the subject at the start of the shot.",
)

# ----------------------------------------------------------------------------------------------------------------------
# Shot size. params: coverage = the subject's largest dimension divided by the frame height at the subject's
# depth (see framing.shot_coverage). The v1 types are members of the 8-size scale (closeUp, mediumShot, longShot
# keep their names); v1's distances 1.5x / 3x / 6x the subject size at 50 mm on 35 mm film give coverages of
# about 1.7 / 0.85 / 0.42, which fall in those three bins.
# ----------------------------------------------------------------------------------------------------------------------
SHOT_TYPE = Field(
    "shot_type",
    [
        _L("extremeCloseUp", "in an extreme close-up shot", "extreme close up", "extreme close-up", "ecu", "xcu",
           "macro shot", "detail shot", coverage=3.2),
        _L("closeUp", "in a close-up shot", "close up", "close-up", "closeup", "cu", "tight shot", coverage=1.6),
        _L("mediumCloseUp", "in a medium close-up shot", "medium close up", "medium close-up", "mcu",
           coverage=1.15),
        _L("mediumShot", "in a medium shot", "medium shot", "mid shot", "ms", "medium", "waist shot",
           coverage=0.8),
        _L("fullShot", "in a full shot", "full shot", "fs", "full body", "full-body shot", coverage=0.56),
        _L("longShot", "in a long shot", "long shot", "ls", "wide shot", "wide", "ws", coverage=0.4),
        _L("veryLongShot", "in a very long shot", "very long shot", "vls", "very wide shot", "very wide",
           coverage=0.2),
        _L("extremeLongShot", "in an extreme long shot", "extreme long shot", "els", "extreme wide shot", "xws",
           "establishing shot", coverage=0.1),
    ],
    default="mediumShot",
    doc="How large the subject appears at the start of the shot.",
)

V1_SHOT_TYPES = ("closeUp", "mediumShot", "longShot")

# ----------------------------------------------------------------------------------------------------------------------
# Subject view: where the camera starts around the subject, relative to the subject's own front (-Y in its local
# frame, Blender's convention). azimuth_deg is measured from the front towards the subject's left (+X local).
# ----------------------------------------------------------------------------------------------------------------------
VIEW = Field(
    "view",
    [
        _L("front", "facing the subject's front", "front view", "frontal", "from the front", "head on", "straight on",
           azimuth_deg=0.0),
        _L("frontLeft", "from the subject's front left three-quarter view", "front left", "three quarter left",
           "3/4 left", azimuth_deg=45.0),
        _L("left", "from the subject's left side", "left side", "left profile", "left view", azimuth_deg=90.0),
        _L("backLeft", "from behind the subject on its left", "back left", "rear left", azimuth_deg=135.0),
        _L("back", "from behind the subject", "back view", "rear", "from behind", "over the shoulder",
           azimuth_deg=180.0),
        _L("backRight", "from behind the subject on its right", "back right", "rear right", azimuth_deg=-135.0),
        _L("right", "from the subject's right side", "right side", "right profile", "right view", azimuth_deg=-90.0),
        _L("frontRight", "from the subject's front right three-quarter view", "front right", "three quarter right",
           "3/4 right", azimuth_deg=-45.0),
    ],
    default="front",
    doc="Where the camera starts around the subject, relative to the subject's front.",
)

FIELDS: Mapping[str, Field] = MappingProxyType(
    {f.name: f for f in (MOVEMENT, EASING, ANGLE, SHOT_TYPE, VIEW)}
)
FIELD_NAMES: tuple[str, ...] = tuple(FIELDS)

# LensCraft v1 JSON key for each field that v1 has.
V1_KEYS: Mapping[str, str] = MappingProxyType({
    "movement": "cameraMovement", "easing": "movementEasing", "angle": "initialCameraAngle",
    "shot_type": "initialShotType",
})


def get_field(name: str) -> Field:
    try:
        return FIELDS[name]
    except KeyError:
        raise UnknownLabelError("field", name, difflib.get_close_matches(name, FIELD_NAMES) or list(FIELD_NAMES)) from None


def vocabulary_hash() -> str:
    """Stable hash of every field's names and descriptions (keys caches of label embeddings, stamped in checkpoints)."""
    blob = json.dumps({f.name: [(l.name, l.description) for l in f.labels] for f in FIELDS.values()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def caption(labels: Mapping[str, str]) -> str:
    """One-line caption from canonical labels, e.g. 'the camera dollies in ..., from a low angle, in a close-up shot'."""
    parts = [FIELDS[f][labels[f]].description for f in ("movement", "easing", "angle", "shot_type", "view")
             if labels.get(f)]
    return ", ".join(parts)
