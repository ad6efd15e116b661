"""Words of the shot-description grammar (prompt.py): what each word or short phrase contributes, never whole labels.

A phrase maps to one or more cues, tuples whose first item says what they are:

    ("move", kind, direction, fraction)  a move word; direction/fraction are what the word implies by itself
                                         ("rise" -> up, "semicircle" -> half), kind "MOVE"/"ROTATE" for generic verbs
    ("dir", axis, direction)             H: left/right, V: up/down, D: in/out
    ("mag", fraction)                    how much of the kind's FULL_AMOUNT ("quarter" 0.25, "halfway" 0.5), or
                                         SLIGHT ("a touch": the kind's SLIGHT_AMOUNT)
    ("amt", {kind: (amount, unit)})      an amount phrase for the kinds it fits ("across the scene": a pan of 90 deg)
    ("reveal", direction)                a body reveal ("from the feet to the face"): REVEAL_AMOUNT of a tilt
    ("speed", speed)                     moves.SPEEDS: "slow", "fast", "whip"
    ("share", share) ("atend",)          timing of the segment it is in: a share of the shot; "at the end" (short)
    ("shake", amplitude)                 handheld shake of the whole shot (0 steady, 1 handheld, 2 very shaky)
    ("dz",) ("none",)                    dolly-zoom marker, a phrase that says nothing (consumes words)
    ("look", direction)                  "looks up/left": a tilt or pan where the prompt sequences it, else nothing
    ("static", how)                      a held camera: "hold" (a hold segment wherever it is: "push in and hold"),
                                         "still" (a hold when its clause names no move), "rig" (tripod, locked off:
                                         shake 0, and a hold only when the prompt names no move at all)
    ("family", family, exact)            easing family; exact=False for a hint such as "gentle" (quadratic)
    ("ease",) ("mode", mode, strong)     an easing word; In/Out/InOut; strong False for a place ("at the start"),
                                         None for a family's usual mode ("overshoot" -> Out)
    ("angle", elevation_deg) ("shot", label) ("view", part)   part: F B L R TQ (three-quarter) SIDE

Phrases are written in plain words; prompt.py stems them and drops filler words exactly as it does for a prompt.
Movement labels are found from these cues through the vocabulary's params (kind, sign, amount), easing labels through
(family, mode), angle labels through elevation_deg and view labels through azimuth_deg.
"""

from __future__ import annotations

from ..vocabulary import POSITIVE_DIRECTION

# Words that never change the meaning ("pan to the left" == "pan left").
FILLER = {"the", "a", "an", "of", "camera", "cam", "is", "are", "it", "at", "that", "this", "just", "about",
          "approximately", "roughly", "around about", "be", "will", "so", "we", "re", "then", "and then", "shot's"}
NEGATION = {"no", "not", "without", "never", "neither", "nor"}
# A move word right after one of these ends the move, not starts it ("then stops panning": a hold).
ENDING = {"stop", "stops", "stopping", "stopped", "cease", "ceases", "ceasing", "halt", "halts", "halting", "quit",
          "quits", "finish", "finishes", "finishing", "end", "ends", "ending"}
# One-letter directions count only right after a move word ("pan L", "tilt U").
LETTER_DIRECTIONS = {"l": "left", "r": "right", "u": "up", "d": "down"}

# Direction of each kind that has sign +1 in the vocabulary's movement params (the vocabulary owns the convention).
POSITIVE = POSITIVE_DIRECTION
AXES = {"pan": "H", "tilt": "V", "dolly": "D", "truck": "H", "pedestal": "V", "zoom": "D", "arc": "H", "roll": "H",
        "MOVE": "DHV", "ROTATE": "HV", "track": "", "follow": ""}
# A kind said with a direction only of another axis, as people loosely say it: "dolly left" is a truck (the track
# runs sideways), "pan up to the sky" a tilt.
OFF_AXIS = {"dolly": "truck", "pan": "tilt"}
# What a generic verb becomes once it has a direction: "move left" trucks, "turn left" pans.
GENERIC_KIND = {"MOVE": {"D": "dolly", "H": "truck", "V": "pedestal"}, "ROTATE": {"H": "pan", "V": "tilt"}}
# Direction assumed when a prompt names a kind and no direction (lower confidence).
DEFAULT_DIRECTION = {"pan": "right", "tilt": "up", "dolly": "in", "truck": "right", "pedestal": "up", "zoom": "in",
                     "arc": "right", "roll": "left", "dollyZoom": "out"}
DEFAULT_FRACTION = {"zoom": 0.5, "arc": 0.25}


def _words(spec: str) -> list[str]:
    return [w.strip() for w in spec.split(",") if w.strip()]


def _move(kind: str, spec: str, direction: str | None = None, fraction: float | None = None) -> dict:
    return {w: ("move", kind, direction, fraction) for w in _words(spec)}


MOVES = {
    **_move("pan", "pan, whip pan, swish pan, pan shot"),
    **_move("pan", "yaw"),
    **_move("tilt", "tilt, tip, pitch"),
    **_move("dolly", "dolly, dolly shot, creep"),
    **_move("dolly", "track in, track forward, tracking in", "in"),
    **_move("dolly", "track out, track back, track backward, tracking out, tracking back", "out"),
    **_move("dolly", "push, advance, approach, close in, move in, punch in, travel in", "in"),
    **_move("dolly", "pull, retreat, recede, back away, back up", "out"),
    **_move("truck", "truck, crab, slide, strafe, lateral, laterally, sideways, sidestep, side step"),
    **_move("truck", "track left, tracking left, track to left", "left"),  # CameraBench: "tracks left" trucks
    **_move("truck", "track right, tracking right, track to right", "right"),
    **_move("pedestal", "pedestal, ped, boom, crane, jib"),
    **_move("pedestal", "rise, raise, lift, climb, ascend, elevate, soar", "up"),
    **_move("pedestal", "lower, drop, descend, sink", "down"),
    **_move("zoom", "zoom, focal length, zoom lens"),
    **_move("truck", "x axis, local x, along x"),
    **_move("pedestal", "y axis, local y, along y, vertically"),
    **_move("dolly", "z axis, local z, view axis, along z"),
    **_move("zoom", "crash zoom, snap zoom", None, 1.0),
    # A sizeless orbit or arc is the quarter (the smallest arc of the vocabulary); circling, revolving, a lap, a
    # turntable go all the way round.
    **_move("arc", "arc, arc shot, orbit, orbit around, orbit round, move around, travel around, go around, "
                   "swing around, rotate around, walk around, swing round, go round", None, 0.25),
    **_move("arc", "circle, circle around, revolve, revolution, lap, turntable, deg360", None, 1.0),
    **_move("arc", "revolve around, revolve round, orbit deg360, arc deg360, deg360 arc", None, 1.0),
    **_move("arc", "semicircle, semi circle", None, 0.5),
    **_move("roll", "roll, dutch, dutch angle, cant, bank, barrel roll, lens axis, optical axis, around its axis, "
                    "around lens axis, around optical axis, around its lens axis, around its optical axis, roll axis"),
    **_move("follow", "follow, follow cam, chase, trail, tail, pursue, shadow"),
    **_move("track", "track, tracking, tracking shot, alongside, beside, parallel, travelling shot"),
    **_move("MOVE", "move, travel, travelling, glide, drift, shift, translate, position, coast, float"),
    # Drone pilots' and everyday verbs of travel: a move only with a direction ("fly forward", "goes up").
    **_move("MOVE", "fly, flies, flying, flew, go, goes, going, went, continue, continues, continuing, proceed, "
                    "step, steps, stepping, stepped"),
    # travelling through or over a place is going forward ("moves through the living room", "flies over the lake")
    **_move("dolly", ", ".join(f"{verb} {prep}" for verb in _words(
        "move, moves, moving, moved, travel, travels, travelling, traveling, travelled, go, goes, going, went, "
        "glide, glides, gliding, fly, flies, flying, flew, pass, passes, passing, push, pushes, pushing, "
        "drift, drifts, drifting, float, floats, floating, proceed, proceeds, proceeding")
        for prep in ("through", "over") if not (prep == "over" and verb.startswith("pass"))), "in"),
    **_move("ROTATE", "turn, rotate, swing, pivot, angle, swivel, point, aim"),
}

DIRECTIONS = {
    **{w: ("dir", "H", "left") for w in _words("left, leftward, leftwards, from right to left, right to left")},
    **{w: ("dir", "H", "right") for w in _words("right, rightward, rightwards, from left to right, left to right")},
    # literal turning senses (pan, arc, roll read them by sign: +1 = counter-clockwise; see TURNING)
    **{w: ("dir", "H", "ccw") for w in _words("counter clockwise, counterclockwise, anticlockwise, anti clockwise")},
    **{w: ("dir", "H", "cw") for w in _words("clockwise")},
    **{w: ("dir", "V", "up") for w in _words("up, upward, upwards, skyward, from bottom to top, bottom to top")},
    **{w: ("dir", "V", "down") for w in _words("down, downward, downwards, from top to bottom, top to bottom")},
    **{w: ("dir", "D", "in") for w in _words("in, inward, inwards, forward, forwards, closer, nearer, toward, "
                                             "towards, tighter, into, in on, in tight, tighten, narrow")},
    **{w: ("dir", "D", "out") for w in _words("out, outward, outwards, back, backward, backwards, away, wider, "
                                              "further away, farther away, off, widen, widen out, back out")},
    # "push back in": in again, not back (out) and in
    **{w: ("dir", "D", "in") for w in _words("back in, back in on")},
    # "down the corridor", "up the street": a path along the ground (forward), not a vertical direction
    **{f"{prep} {noun}": ("dir", "D", "in") for prep in ("down", "up", "along") for noun in _words(
        "corridor, hallway, hall, street, road, path, aisle, alley, alleyway, tunnel, lane, avenue, passage, "
        "passageway, driveway, drive, pier, dock, runway, boulevard, walkway, sidewalk, pavement, platform, nave, "
        "track, trail, row, line, river, canal, highway, freeway, block, gallery, colonnade, catwalk, jetty")},
}
# Motion-only directions: said alone ("position forward along its view axis") they still mean a dolly.
ORPHAN_DOLLY = {"forward", "forwards", "closer", "backward", "backwards", "nearer"}

SLIGHT = "slight"  # a "mag" that is not a share of the full amount: SLIGHT_AMOUNT, smaller than the operator's default
MAGNITUDES = {
    **{w: ("mag", SLIGHT) for w in _words("slight, slightly, a touch, touch, a bit, bit, a little, little, small, "
                                          "subtle, subtly, nudge, tiny")},
    **{w: ("mag", 0.25) for w in _words("short, quarter, quarter turn, quarter way")},
    **{w: ("mag", 0.75) for w in _words("threequarter way, threequarter distance")},  # "three quarters of the way"
    **{w: ("mag", 0.5) for w in _words("half, halfway, half way, partway, part way, partially, moderate, "
                                       "moderately, medium, semi, midway, half range")},
    **{w: ("mag", 1.0) for w in _words("full, fully, complete, completely, all way, all way around, as far as, "
                                       "max, maximum, entire, whole, big, total, one full revolution, full lap")},
}

AROUND = {w: ("around",) for w in _words("around, round, about subject")}

STATIC = {
    **{w: ("static", "hold") for w in _words(
        "hold, hold still, keep still, stay still, stays still, remain still, remains still, stand still, "
        "stays put, stay put, hold frame, hold shot, hold position, pause, pauses, freeze, stay static, "
        "stays static, remain static, remains static, stays motionless, remains motionless, stay in place, "
        "remain in place, remains in place, stays in place, hold steady, holds steady")},
    **{w: ("static", "still") for w in _words(
        "static, static shot, fixed, fixed camera, stationary, motionless, unmoving, completely still, "
        "perfectly still, totally still, dead still, still shot, still camera, still frame, no movement, "
        "no motion, no camera movement, nothing moves, not move, does not move, "
        # a drone's hold; "hovers while yawing left" moves, so these hold only in a clause with no move
        "hover, hovers, hovering, hovered, linger, lingers, lingering")},
    # "to hold the subject", "hold him in frame": keeping the framing while moving, not a held camera ("come to
    # a hold" still holds: only a hold with an object is the framing)
    **{w: ("none",) for w in _words(
        "hold subject, hold him, hold her, hold them, hold focus, hold framing, hold character, hold actor, "
        "hold car, hold building, hold composition, hold subject in frame, hold him in frame, hold her in frame, "
        "hold them in frame, keep subject, keep him, keep her, keep them")},
    **{w: [("static", "rig"), ("shake", 0.0)] for w in _words(
        "locked off, lock off, locked down, locked, tripod, tripod shot, on tripod")},
}
# Where a step's move starts: "as" / "while" at the start of a clause join it to the step before (grammar.py).
SIMULTANEOUS = {"while", "whilst", "as", "meanwhile", "simultaneously", "concurrently", "together", "concurrent"}

DOLLY_ZOOM = {w: ("dz",) for w in _words(
    "dolly zoom, vertigo, vertigo effect, vertigo shot, contra zoom, zolly, hitchcock zoom, trombone shot")}

# ----------------------------------------------------------------------------------------------------------------------
# Easing: family words x mode words. Suffix/prefix forms ("quad in", "in out cubic") are generated in prompt.py.
# ----------------------------------------------------------------------------------------------------------------------
FAMILIES = {
    "Quad": "quad, quadratic, second power, 2nd power, squared",
    "Cubic": "cubic, third power, 3rd power",
    "Quart": "quart, quartic, fourth power, 4th power",
    "Quint": "quint, quintic, fifth power, 5th power",
    "Sine": "sine, sin, sinusoidal, sinusoid, cosine",
    "Expo": "expo, exponential, exponentially",
    "Circ": "circ, circular",
    "Bounce": "bounce, bouncy, bouncing",
    "Elastic": "elastic, spring, springy, rubber band, wobble, wobbly, oscillate, oscillation, oscillating, jelly",
    "Linear": "linear, linearly, constant, constant speed, constant rate, steady speed, steady rate, steady pace, "
              "uniform, "
              "uniformly, even pace, even speed, evenly, unchanging, unchanging rate, mechanical, same speed, "
              "no easing, without easing, no acceleration, without acceleration, no ease",
}
# Family words that carry their own mode.
# Family words that suggest their own mode (a hint: "speeds up with a slight overshoot" is still In).
FAMILY_WITH_MODE = {"overshoot": ("Back", "Out"), "overshooting": ("Back", "Out"), "overshoots": ("Back", "Out"),
                    "anticipation": ("Back", "In"), "wind up": ("Back", "In"), "windup": ("Back", "In"),
                    "slight reverse": ("Back", "In"), "small reverse": ("Back", "In"), "backswing": ("Back", "In")}
# "back" names the family only next to an easing word ("back ease out", "back curve"): alone it is a direction.
BACK_FAMILY = "back"
# Hints: how strong the curve is, in the words the families are usually described with.
INTENSITY = {
    "Quad": "gentle, gently, mild, mildly", "Cubic": "smooth, smoothly", "Quart": "strong, strongly, hard",
    "Quint": "very strong, very strongly, very hard, very sharp", "Sine": "soft, softly", "Circ": "sharp, sharply",
}
EASE_WORDS = "ease, easing, eased, ease curve, easing curve, interpolation, timing curve, curve"
MODE_SUFFIX = {"in": "In", "out": "Out", "in out": "InOut", "in and out": "InOut", "inout": "InOut",
               "in or out": "InOut"}

_START = "start, begin, launch, shoot off, come in, open"
_END = "end, finish, ending, stop"
_SLOW = "slow, slowly, very slowly, gradually, almost imperceptibly, imperceptibly, lazily"
_FAST = "fast, quickly, quick, speed, rapidly, hard, abruptly"


def _pairs(first: str, second: str, mode: str) -> dict:
    return {f"{a} {b}": ("mode", mode, True) for a in _words(first) for b in _words(second)} | \
           {f"{b} {a}": ("mode", mode, True) for a in _words(first) for b in _words(second)}


MODES = {
    **{w: ("mode", "In", True) for w in _words(
        "accelerate, accelerating, acceleration, accelerates, speed up, speeds up, speeding up, build speed, "
        "building speed, builds speed, pick up speed, gather speed, gain speed, ramp up, from rest, "
        "from standstill, slow to fast, take off, taking off, slow in fast out")},
    **{w: ("mode", "Out", True) for w in _words(
        "decelerate, decelerating, deceleration, decelerates, slow down, slows down, slowing down, slowdown, "
        "settle, settling, settles, brake, braking, to stop, to halt, come to rest, comes to rest, to rest, "
        "decay, decays, fast to slow, into place, ease into, eases into, coast to, fast in slow out")},
    **{w: ("mode", "InOut", True) for w in _words(
        "s curve, s shaped, both ends, both start and end, both start and finish, start and end, start and finish, "
        "start and stop, beginning and end, beginning and ending, slow in slow out, slow in and slow out, "
        "ease in ease out, both sides, each end, smooth start and stop, smooth start stop")},
    **_pairs(_START, _SLOW, "In"), **_pairs(_START, _FAST, "Out"),
    **_pairs(_END, _SLOW, "Out"), **_pairs(_END, _FAST, "In"),
    **{w: ("mode", "In", False) for w in _words("start, beginning, begin, takeoff, launch, outset, opening")},
    **{w: ("mode", "Out", False) for w in _words("end, finish, ending, landing, arrival, stop, close, final frame")},
}

# A move coming to rest: an easing Out said with the move ("pan left and come to a stop"), a hold in a clause of its
# own ("truck left, then comes to a stop"): a still word with the mode (grammar.py adds these after MODES).
HALTS = {
    **{w: [("static", "still"), ("mode", "Out", True)] for w in _words(
        "come to stop, comes to stop, coming to stop, come to halt, comes to halt, coming to halt, come to rest, "
        "comes to rest, coming to rest, come to standstill, comes to standstill, grind to halt, grinds to halt")},
    **{w: [("static", "still"), ("mode", "Out", False)] for w in _words(
        "stop, stops, stopping, stopped, halt, halts, halting, halted")},
}

# ----------------------------------------------------------------------------------------------------------------------
# Angle (elevation in degrees, as the vocabulary's elevation_deg), shot size and view. The vocabulary's own names,
# descriptions and aliases are phrases too (prompt.py adds them), except the single everyday words below.
# ----------------------------------------------------------------------------------------------------------------------
AMBIGUOUS_ALIASES = {"low", "high", "eye", "level", "medium", "wide", "still", "hold", "rear"}

ANGLES = {
    **{w: ("angle", -30.0) for w in _words(
        "looking up, look up, looks up, from below, from beneath, from underneath, worm's eye, worms eye, "
        "low angle, low vantage, from low, slightly below, from slightly below, below eye level, shoot up, "
        "shooting up, up at him, up at her")},
    **{w: ("angle", 0.0) for w in _words(
        "eye level, eye height, head height, at eye level, level with, neutral angle, neutral height, "
        "shoulder height, same height")},
    **{w: ("angle", 30.0) for w in _words(
        "looking down, look down, looks down, shoot down, shooting down, pointing down, point down, from above, "
        "elevated, high vantage, high angle, slightly above, from slightly above, above eye level, down at him, "
        "down at her, peer down, gaze down, down on")},
    **{w: ("angle", 60.0) for w in _words(
        "bird's eye, birds eye, bird eye, aerial, drone, high above, great height, way up, in sky, up in sky, "
        "high in sky, from high, helicopter, far above")},
    **{w: ("angle", 90.0) for w in _words(
        "overhead, top down, top shot, directly above, directly overhead, straight down, god's eye, gods eye, "
        "plan view, flat lay, perpendicular above, from ceiling, straight above")},
}

# "looks up": a low angle, or a tilt where the prompt sequences it ("pans left, then looks up"; grammar.py)
_LOOK_VERBS = ("look", "looks", "looking", "glance", "glances", "glancing")
ANGLES.update({f"{v} {d}": [ANGLES.get(f"{v} {d}", ("angle", -30.0 if d == "up" else 30.0)), ("look", d)]
               for v in _LOOK_VERBS for d in ("up", "down")})
LOOKS = {f"{v} {d}": ("look", d) for v in _LOOK_VERBS for d in ("left", "right")}

# Body part -> the tightest label that still shows it; used in framing phrases ("from the chest up", "head to toe").
BODY_PARTS = {"eye": "extremeCloseUp", "eyes": "extremeCloseUp", "lips": "extremeCloseUp", "mouth": "extremeCloseUp",
              "nose": "extremeCloseUp", "ear": "extremeCloseUp", "fingertips": "extremeCloseUp",
              "face": "closeUp", "head": "closeUp", "hair": "closeUp", "chin": "closeUp",
              "chest": "mediumCloseUp", "shoulders": "mediumCloseUp", "shoulder": "mediumCloseUp",
              "bust": "mediumCloseUp", "waist": "mediumShot", "hips": "mediumShot", "hip": "mediumShot",
              "belt": "mediumShot", "body": "fullShot", "toe": "fullShot", "toes": "fullShot", "feet": "fullShot",
              "foot": "fullShot", "shoes": "fullShot", "boots": "fullShot"}
PART_FRAMING = ("{p} up", "from {p} up", "{p} only", "only {p}", "{p} fills frame", "{p} fill frame",
                "{p} filling frame", "tight on {p}", "close on {p}", "framed on {p}", "cropped at {p}", "crop at {p}")

SHOTS = {
    **{w: ("shot", "extremeCloseUp") for w in _words(
        "xcu, bcu, big close up, extreme closeup, macro, macro tight, extreme detail, insert shot")},
    **{w: ("shot", "closeUp") for w in _words("close shot, tight framing, close framing, closeup shot, face shot")},
    **{w: ("shot", "mediumCloseUp") for w in _words("bust shot, head and shoulders, medium close")},
    **{w: ("shot", "mediumShot") for w in _words("medium framing, mid framing, medium frame, waist to head")},
    **{w: ("shot", "fullShot") for w in _words(
        "full body, full length, whole body, entire body, full figure, head to toe, head to feet, top to toe")},
    **{w: ("shot", "longShot") for w in _words("wide framing, wide frame, long framing, wide view")},
    **{w: ("shot", "veryLongShot") for w in _words(
        "very wide framing, vws, very long framing, tiny in, small in frame, small in landscape")},
    **{w: ("shot", "extremeLongShot") for w in _words(
        "extreme wide, extremely wide, ews, xls, extreme long, speck, barely visible, almost invisible, "
        "tiny dot, mere dot")},
}

_POSS = ("his", "her", "its", "their", "'s")
_SIDE_NOUNS = ("side", "profile", "flank", "shoulder", "threequarter", "view", "side view")


def _view_sides() -> dict:
    out: dict = {}
    for side, part in (("left", "L"), ("right", "R")):
        for p in _POSS:
            out[f"{p} {side}"] = ("view", part)
        for noun in _SIDE_NOUNS:
            out[f"{side} {noun}"] = ("view", part)
        for prep in ("from", "on", "from his", "from her", "on his", "on her"):
            out[f"{prep} {side}"] = ("view", part)
        out[f"threequarter {side}"] = [("view", "TQ"), ("view", part)]
        for front, fpart in (("front", "F"), ("rear", "B"), ("back", "B")):
            for prep in ("", "from ", "on "):
                out[f"{prep}{front} {side}"] = [("view", fpart), ("view", part)]
            out[f"{front} {side} threequarter"] = [("view", fpart), ("view", part), ("view", "TQ")]
        for p in ("", *_POSS):
            out[f"over {p} {side} shoulder"] = [("view", "B"), ("view", part)]
        for who in ("subject", "him", "her", "them", "character", "actor"):
            out[f"to {side} of {who}"] = ("view", part)
    return out


VIEWS = {
    **{w: ("view", "F") for w in _words(
        "front, frontal, in front, head on, straight on, face on, front on, from front, front view, facing him, "
        "facing her, facing them, facing subject, facing us, facing lens, facing viewer, facing each other")},
    **{w: ("view", "B") for w in _words(
        "behind, rear, from back, back view, over shoulder, over his shoulder, over her shoulder, "
        "from rear, rear view, back of his, back of her, back of its, back of their, back of subject, "
        "back of head")},
    **{w: ("view", "TQ") for w in _words("threequarter, deg45 off, deg45 off front, deg45 off nose, deg45 from front")},
    **{w: ("view", "SIDE") for w in _words(
        "profile, side on, side view, deg90 off, deg90 off front, deg90 off nose, deg90 from front")},
    **{w: [("view", "B"), ("view", "TQ")] for w in _words("deg135 off, deg135 off front, deg135 from front")},
    **{w: ("none",) for w in _words(
        "in frame, in shot, toward end, towards end, facing forward, facing away, front of lens, in front of lens, "
        "followed by")},  # "followed by" sequences moves: never the follow move
    **_view_sides(),
}

# ----------------------------------------------------------------------------------------------------------------------
# Amounts (units of moves.AMOUNT_UNITS), speeds, timing and shake
# ----------------------------------------------------------------------------------------------------------------------
# What a "mag" fraction 1.0 means per kind (zoom and dolly zoom: the ratio's power).
FULL_AMOUNT = {"pan": 90.0, "tilt": 60.0, "roll": 45.0, "arc": 360.0, "dolly": 1.0, "truck": 1.0, "pedestal": 1.0,
               "zoom": 2.0, "dollyZoom": 2.0}
MAG_UNIT = {"pan": "deg", "tilt": "deg", "roll": "deg", "arc": "deg", "dolly": "share", "truck": "frame",
            "pedestal": "frame", "zoom": "ratio", "dollyZoom": "ratio"}
# "slight", "a touch": about half the planner's default for the kind (plan.PACE), still above what the judge reads
# as the move (its thresholds: docs/JUDGE.md); a zoom is the short zoom (2^0.25).
SLIGHT_AMOUNT = {"pan": 6.0, "tilt": 5.0, "roll": 6.0, "arc": 30.0, "dolly": 0.1, "truck": 0.15, "pedestal": 0.15,
                 "zoom": 2.0 ** 0.25, "dollyZoom": 1.25}
GEOMETRIC = ("zoom", "dollyZoom")  # amounts are ratios: a fraction f of FULL_AMOUNT is FULL_AMOUNT ** f
DEGREE_KINDS = ("pan", "tilt", "roll", "arc")  # "N degrees" fits these
PERCENT_UNIT = {"dolly": "share"}  # "push in 30%": a share of the way to the subject
METRE_KINDS = ("truck", "pedestal")  # "N metres" fits these (a dolly's amount is a share of the distance)
# Kinds whose turning sense is literal from above / behind: sign +1 = counter-clockwise (vocabulary params).
TURNING = ("pan", "arc", "roll")
_ACROSS = {"pan": (90.0, "deg"), "truck": (1.0, "frame")}
_OVER = {"pedestal": (1.0, "frame")}  # "crane up over the subject": a whole frame height
AMOUNTS = {
    **{w: ("amt", _ACROSS) for w in _words(
        "across scene, across room, across frame, across landscape, across street, across horizon, across field, "
        "across skyline, across view, across set, across stage, across whole scene, across entire scene")},
    **{w: ("amt", _OVER) for w in _words(
        "over subject, over him, over her, over them, over his head, over her head, over their heads, "
        "over head of, over top, over wall, over crowd, over character, over actor")},
}
# "from the feet to the face": a tilt up over a standing body; its angle depends on the distance, so a typical
# value is fixed here (a full figure at a medium distance spans about 35 degrees), a pedestal a frame height.
REVEAL_AMOUNT = {"tilt": (35.0, "deg"), "pedestal": (1.0, "frame")}
_LOW_PARTS = ("feet", "foot", "toes", "toe", "shoes", "boots", "legs", "knees", "ground")
_HIGH_PARTS = ("face", "head", "eyes", "hair")
REVEALS = {
    **{f"from {poss}{lo} to {poss2}{hi}": ("reveal", "up") for lo in _LOW_PARTS for hi in _HIGH_PARTS
       for poss, poss2 in (("", ""), ("his ", "his "), ("her ", "her "), ("their ", "their "))},
    **{f"up from {lo} to {hi}": ("reveal", "up") for lo in _LOW_PARTS for hi in _HIGH_PARTS},
    **{f"down from {hi} to {lo}": ("reveal", "down") for lo in _LOW_PARTS for hi in _HIGH_PARTS},
}
SPEEDS = {
    **{w: ("speed", "slow") for w in _words("slow, slowly, very slowly, very slow, gradual, leisurely, unhurried")},
    **{w: ("speed", "fast") for w in _words("fast, quick, quickly, rapid, rapidly, swift, swiftly, very fast")},
    **{w: ("speed", "whip") for w in _words("whip, snap, swish, whip fast")},
}
# Speed words that are part of a move or easing phrase ("whip pan", "crash zoom", "gentle"): read inside it.
SPEED_INSIDE = {"whip": "whip", "snap": "whip", "swish": "whip", "crash": "fast", "gentle": "slow", "gently": "slow"}
BRIEF_SHARE = 0.2  # "briefly": a short segment; "at the end": the last segment this short
TIMING = {
    **{w: ("share", BRIEF_SHARE) for w in _words("briefly, brief, for moment, momentarily, for beat, for instant")},
    **{w: ("share", 0.5) for w in _words(
        "for half shot, half shot, first half, second half, for first half, for second half, for half time, "
        "half time, halfway through, half way through, until halfway, till halfway, for half duration")},
    "zatend": ("atend",),  # grammar.py marks "at the (very) end" with this token
}
SHAKE = {
    **{w: ("shake", 1.0) for w in _words("handheld, hand held, shake, camera shake, handheld look, documentary style")},
    **{w: ("shake", 1.5) for w in _words("shaky, jittery, jerky, unsteady, shaky cam, shakycam")},
    **{w: ("shake", 2.0) for w in _words("very shaky, extremely shaky, really shaky, heavy shake, violent shake, "
                                         "very handheld, very unsteady")},
    **{w: ("shake", 0.5) for w in _words("slightly shaky, a little shaky, a bit shaky, slight shake, subtle shake, "
                                         "light shake, gentle shake, slightly handheld, subtle handheld")},
    **{w: ("shake", 0.0) for w in _words("steady, steadily, steadicam, gimbal, stabilised, stabilized, no shake, "
                                         "without shake, no camera shake, not shaky, rock steady, rock solid")},
}

# Camera words the grammar reads but cannot act on yet, with why: listed as ignored in the interpretation so nothing
# is dropped without a word (prompt.Interpretation.ignored).
UNUSED_WORDS = {
    **{w: "says no amount: across what (the scene, the room)?" for w in _words("across")},
    **{w: "says no amount: over what (the subject, the wall)?" for w in _words("over")},
}
