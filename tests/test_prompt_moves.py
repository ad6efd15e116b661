"""The prompt grammar's segments: amounts, speeds, durations, shake, sequences, simultaneity, timing, synonyms."""

import pytest

from lenscraft_core.errors import LensCraftError
from lenscraft_core.moves import MAX_SEGMENTS, Segment
from lenscraft_core.prompt import parse_prompt
from lenscraft_core.prompt.movement import arc_label, direction_sign
from lenscraft_core.vocabulary import FIELDS


def moves(text: str) -> list[list[str]]:
    """The movement labels of each segment, in order ([] = a hold)."""
    return [[m.movement for m in s.moves] for s in parse_prompt(text).segments]


def only_move(text: str):
    (segment,) = parse_prompt(text).segments
    (move,) = segment.moves
    return move


@pytest.mark.parametrize("text,movement,amount,unit", [
    ("a slight pan left", "panLeft", 6.0, "deg"), ("tilt up a touch", "tiltUp", 5.0, "deg"),
    ("truck right a little", "truckRight", 0.15, "frame"), ("pan right across the scene", "panRight", 90.0, "deg"),
    ("pan left 30 degrees", "panLeft", 30.0, "deg"), ("tilt down 12°", "tiltDown", 12.0, "deg"),
    ("crane up over the subject", "pedestalUp", 1.0, "frame"), ("truck left 2 metres", "truckLeft", 2.0, "m"),
    ("pedestal down 1.5 m", "pedestalDown", 1.5, "m"), ("2x zoom in", "fullZoomIn", 2.0, "ratio"),
    ("push halfway in", "dollyIn", 0.5, "share"), ("tilt up from the feet to the face", "tiltUp", 35.0, "deg"),
])
def test_amounts(text, movement, amount, unit):
    move = only_move(text)
    assert (move.movement, move.amount, move.unit) == (movement, pytest.approx(amount), unit)


@pytest.mark.parametrize("text,segments", [
    # a bare number right after a turn and its direction is degrees; spelled numbers before a unit are numbers
    ("pan left 45 degrees, then tilt up 20", [[("panLeft", 45.0, "deg")], [("tiltUp", 20.0, "deg")]]),
    ("zoom out 2x, then pan left 60", [[("fullZoomOut", 2.0, "ratio")], [("panLeft", 60.0, "deg")]]),
    ("pan left by 45", [[("panLeft", 45.0, "deg")]]),
    ("pan right thirty degrees", [[("panRight", 30.0, "deg")]]),
    ("tilt up fifteen degrees then hold", [[("tiltUp", 15.0, "deg")], []]),
    ("a hundred and eighty degree pan left", [[("panLeft", 180.0, "deg")]]),
    ("turn forty-five degrees left", [[("panLeft", 45.0, "deg")]]),
    ("rise one metre then pan right", [[("pedestalUp", 1.0, "m")], [("panRight", None, None)]]),
    ("descend half a metre", [[("pedestalDown", 0.5, "m")]]),
    ("crane up a metre", [[("pedestalUp", 1.0, "m")]]),
    # "three quarters of the way" is a share, as "halfway" is (not the three-quarter view)
    ("pull out three quarters of the way, then pan left", [[("dollyOut", 0.75, "share")], [("panLeft", None, None)]]),
    ("move in three quarters of the way to her", [[("dollyIn", 0.75, "share")]]),
    # a number with another unit, or none after a move that is not a turn, stays what it was
    ("tilt up 20 frames", [[("tiltUp", None, None)]]),
])
def test_bare_and_spelled_amounts(text, segments):
    got = [[(m.movement, m.amount, m.unit if m.amount is not None else None) for m in s.moves]
           for s in parse_prompt(text).segments]
    assert got == segments


@pytest.mark.parametrize("text,degrees", [("quarter orbit left", 90.0), ("half orbit left", 180.0),
                                          ("full orbit left", 360.0)])
def test_orbit_fractions_are_degrees_and_pick_the_arc_by_amount(text, degrees):
    move = only_move(text)
    assert move.amount == degrees and FIELDS["movement"][move.movement].params["amount"] == degrees


def test_clockwise_is_literal_from_above_whatever_the_arc_names():
    """Sign +1 is counter-clockwise seen from above (vocabulary); the label is looked up by sign, not by name."""
    cw, ccw = only_move("circle halfway around her clockwise"), only_move("orbit counter-clockwise 90 degrees")
    assert (cw.sign, cw.amount, cw.movement) == (-1, 180.0, arc_label(-1, 180.0))
    assert (ccw.sign, ccw.movement) == (1, arc_label(1, 90.0))
    assert only_move("orbit anticlockwise").sign == 1 and only_move("pan clockwise").movement == "panRight"
    assert only_move("the camera revolves around the statue").kind == "arc"


def test_amount_words_that_fit_no_move_are_listed():
    interp = parse_prompt("dolly in 2 metres")
    assert interp.segments[0].moves[0].amount is None
    assert [w for w, _ in interp.ignored] == ["2 m"] and "metres" in interp.ignored[0][1]


@pytest.mark.parametrize("text,speed", [
    ("slow pan left", "slow"), ("pan left slowly", "slow"), ("gentle push in", "slow"), ("fast tilt up", "fast"),
    ("a quick zoom in", "fast"), ("rapid truck left", "fast"), ("whip pan right", "whip"), ("snap zoom in", "whip"),
    ("swish pan left", "whip"), ("pan left", None),
])
def test_speeds(text, speed):
    assert only_move(text).speed == speed


def test_speed_attaches_to_its_move_in_a_sequence_and_in_one_clause():
    segs = parse_prompt("slow push in, then fast pan left").segments
    assert [(m.movement, m.speed) for s in segs for m in s.moves] == [("dollyIn", "slow"), ("panLeft", "fast")]
    (seg,) = parse_prompt("dolly in slowly while panning left quickly").segments
    assert [(m.movement, m.speed) for m in seg.moves] == [("dollyIn", "slow"), ("panLeft", "fast")]
    assert parse_prompt("whip pan").speed == "fast"  # the prompt-wide speed word stays as it was


def test_durations_and_segment_seconds():
    assert only_move("pan left over 3 seconds").duration_s == 3.0
    assert only_move("zoom in in 2 s").duration_s == 2.0
    segs = parse_prompt("hold for the first two seconds, then pan left").segments
    assert segs[0] == Segment((), seconds=2.0) and segs[1].seconds is None


@pytest.mark.parametrize("text,shake", [
    ("handheld push in", 1.0), ("shaky pan left", 1.5), ("very shaky zoom in", 2.0), ("slightly shaky pan", 0.5),
    ("steady dolly in", 0.0), ("locked off on a tripod", 0.0), ("pan left on a tripod", 0.0), ("pan left", None),
])
def test_shake(text, shake):
    interp = parse_prompt(text)
    assert interp.shake == shake and interp.ignored == [] and interp.plan().shake == shake


def test_locked_off_alone_is_a_hold_and_with_a_move_only_steady():
    assert moves("camera stays locked off on the tripod") == [[]]
    assert moves("swivel the camera toward the left on the tripod head") == [["panLeft"]]


def test_gendop_style_sequence_of_four():
    text = ("The camera stays still, then moves left, followed by moving backward while yawing left, and finally "
            "rises while pitching down")
    interp = parse_prompt(text)
    assert moves(text) == [[], ["truckLeft"], ["dollyOut", "panLeft"], ["pedestalUp", "tiltDown"]]
    assert interp.labels["movement"] == "truckLeft" and "follow" not in interp.summary()
    assert interp.ignored == [] and "1) hold 0-25%; 2) truck left 25-50%" in interp.summary()


@pytest.mark.parametrize("text,expected", [
    ("push in, then orbit right", [["dollyIn"], [arc_label(direction_sign("arc", "right"), 90.0)]]),
    ("pan left followed by a tilt up", [["panLeft"], ["tiltUp"]]),
    ("pan left before tilting up", [["panLeft"], ["tiltUp"]]),
    ("pan left after pushing in", [["dollyIn"], ["panLeft"]]),
    ("tilt up; after that truck right; next pan left", [["tiltUp"], ["truckRight"], ["panLeft"]]),
    ("pan left and then tilt down, finally zoom out", [["panLeft"], ["tiltDown"], ["halfZoomOut"]]),
    ("pan left, tilt up, truck right, pedestal down", [["panLeft"], ["tiltUp"], ["truckRight"], ["pedestalDown"]]),
    ("push in and hold", [["dollyIn"], []]), ("pause, then pan right", [[], ["panRight"]]),
    ("the camera moves forward, then moves up, then descends", [["dollyIn"], ["pedestalUp"], ["pedestalDown"]]),
])
def test_sequences_keep_order_and_directions(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("tilts up while panning right", [["tiltUp", "panRight"]]),
    ("zooms out while moving left", [["halfZoomOut", "truckLeft"]]),
    ("pan and tilt up", [["panRight", "tiltUp"]]), ("dolly in and pan right", [["dollyIn", "panRight"]]),
    ("pan left, and at the same time tilt up", [["panLeft", "tiltUp"]]),
    ("pan left, as it tilts down", [["panLeft", "tiltDown"]]), ("truck left whilst pedestaling up",
                                                                [["truckLeft", "pedestalUp"]]),
])
def test_simultaneous_moves_are_one_segment(text, expected):
    assert moves(text) == expected
    assert parse_prompt(text).ignored == []


def test_movement_label_uses_a_compound_only_with_exactly_its_directions():
    assert parse_prompt("pan left while tilting down").labels["movement"] == "panAndTilt"
    assert parse_prompt("tilts up while panning right").labels["movement"] == "tiltUp"
    interp = parse_prompt("pan and tilt")  # unsaid directions take the compound's
    assert interp.labels["movement"] == "panAndTilt" and moves("pan and tilt") == [["panLeft", "tiltDown"]]


def test_timing_words():
    segs = parse_prompt("briefly pan left, then dolly in for half the shot").segments
    assert [s.share for s in segs] == [0.2, 0.5]
    segs = parse_prompt("pan left, then tilt up at the end").segments
    assert [s.share for s in segs] == [None, 0.2]
    assert "2) tilt up 80-100%" in parse_prompt("pan left, then tilt up at the end").summary()


def test_more_segments_than_a_shot_holds_are_listed():
    text = ", ".join(["pan left", "pan right"] * MAX_SEGMENTS)
    interp = parse_prompt(text)
    assert len(interp.segments) == MAX_SEGMENTS
    assert any(f"at most {MAX_SEGMENTS}" in why for _, why in interp.ignored)


@pytest.mark.parametrize("text,expected", [
    ("the camera yaws left", "panLeft"), ("pitch up", "tiltUp"), ("the camera moves forward", "dollyIn"),
    ("the camera moves backward", "dollyOut"), ("moves left", "truckLeft"), ("moves right", "truckRight"),
    ("the camera moves up", "pedestalUp"), ("moves down", "pedestalDown"), ("the camera rises", "pedestalUp"),
    ("the camera ascends", "pedestalUp"), ("the camera descends", "pedestalDown"), ("lowers", "pedestalDown"),
    ("cranes up", "pedestalUp"), ("cranes down", "pedestalDown"), ("booms up", "pedestalUp"),
    ("the camera tracks left", "truckLeft"), ("tracks right", "truckRight"), ("zooms out", "halfZoomOut"),
    ("pushes in", "dollyIn"), ("pulls back", "dollyOut"), ("dollies in", "dollyIn"), ("trucks left", "truckLeft"),
    ("tilts up toward the sky", "tiltUp"), ("rolls clockwise", "rollRight"),
])
def test_synonyms(text, expected):
    assert moves(text) == [[expected]]


def test_followed_by_is_never_follow():
    assert "follow" not in str(moves("dolly in followed by a pan right"))
    assert moves("the camera follows the runner") == [["follow"]]


def test_static_is_one_empty_segment_and_a_plain_move_one_move():
    assert parse_prompt("static").segments == [Segment(())]
    assert parse_prompt("hold").segments == [Segment(())]
    assert parse_prompt("the camera remains still").segments == [Segment(())]
    assert moves("dolly in, ease in-out, close-up") == [["dollyIn"]]
    assert parse_prompt("close-up, low angle").segments == []


def test_segment_easing_from_its_own_words_and_the_plan():
    interp = parse_prompt("push in with a cubic ease in, then pan left linearly")
    assert [s.easing for s in interp.segments] == ["easeInCubic", "linear"]
    assert parse_prompt("pan left, ease out").segments[0].easing == "easeOutSine"
    assert interp.plan().as_dict()["segments"][1]["moves"] == [{"movement": "panLeft"}]


def test_fallback_that_replaces_the_movement_replaces_the_segments():
    interp = parse_prompt("pan", fallback=lambda t, f: {"movement": ("tilt up", 0.9)})
    assert interp.labels["movement"] == "tiltUp" and moves_of(interp) == [["tiltUp"]]


def moves_of(interp) -> list[list[str]]:
    return [[m.movement for m in s.moves] for s in interp.segments]


# ----------------------------------------------------------------------------------------------------------------------
# Compound and sequential prompts: the rule classes of benchmarks/parse_compound.py's misses, in words of their own
# ----------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    # a step that only names a dolly zoom, beside one made from dolly and zoom words, is that same move
    ("vertigo effect, push in while zooming out", [["dollyInZoomOut"]]),
    ("dolly zoom, pull back while zooming in", [["dollyOutZoomIn"]]),
    ("push in while zooming out, a vertigo effect", [["dollyInZoomOut"]]),
    # two named ones, or a named one after another move, stay apart
    ("a dolly zoom, then another dolly zoom", [["dollyOutZoomIn"], ["dollyOutZoomIn"]]),
    ("pan left, then vertigo effect", [["panLeft"], ["dollyOutZoomIn"]]),
])
def test_a_named_dolly_zoom_beside_its_own_words_is_one_move(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a sentence that opens with "as" / "while" is one moment with the clause after its comma
    ("As the camera dollies in, it pans slightly left.", [["dollyIn", "panLeft"]]),
    ("While booming up, the camera pans right.", [["pedestalUp", "panRight"]]),
    # an adverb before a participle does not keep it from joining the move before
    ("The camera slowly pushes forward, gradually tilting down.", [["dollyIn", "tiltDown"]]),
    # a plain comma list is still a sequence
    ("Pan left, tilt up, zoom in.", [["panLeft"], ["tiltUp"], ["halfZoomIn"]]),
])
def test_fronted_as_and_adverbs_before_participles_are_at_once(text, expected):
    assert [sorted(s) for s in moves(text)] == [sorted(s) for s in expected]


@pytest.mark.parametrize("text,expected", [
    ("pan right, after which we push in", [["panRight"], ["dollyIn"]]),  # "after which" is "then", not "after X"
    ("Push in after the pan left.", [["panLeft"], ["dollyIn"]]),  # while "after X" still puts X first
])
def test_after_which_is_the_next_step(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    # travel verbs move only with a direction, and each vertical verb after a comma or "then" is its own step
    ("The drone flies forward, then sinks.", [["dollyIn"], ["pedestalDown"]]),
    ("Go up, then go left.", [["pedestalUp"], ["truckLeft"]]),
    ("The drone soars, flies backward, then drops.", [["pedestalUp"], ["dollyOut"], ["pedestalDown"]]),
    ("The camera continues forward, then tilts down.", [["dollyIn"], ["tiltDown"]]),
    # travelling through or over a place is forward
    ("The camera glides through the lobby, then pans right.", [["dollyIn"], ["panRight"]]),
    ("The drone flies over the bridge, then climbs.", [["dollyIn"], ["pedestalUp"]]),
])
def test_travel_verbs_and_vertical_verbs_start_their_own_steps(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("The camera travels up the street, then tilts down.", [["dollyIn"], ["tiltDown"]]),
    ("Move backward down the aisle while panning left.", [["dollyOut", "panLeft"]]),
    ("Crane down the side of the tower.", [["pedestalDown"]]),  # no path noun: the direction stays vertical
])
def test_a_direction_before_a_path_noun_is_the_path_not_a_pedestal(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Before the tilt down, the camera trucks left.", [["truckLeft"], ["tiltDown"]]),
    ("Before zooming in, hold for a beat.", [[], ["halfZoomIn"]]),
    ("Zoom out. Before that, pan right.", [["panRight"], ["halfZoomOut"]]),
    ("Tilt up, but before that, truck right.", [["truckRight"], ["tiltUp"]]),
    ("Truck right, and before tilting up, pan left.", [["truckRight"], ["panLeft"], ["tiltUp"]]),
    ("Zoom in, but first pan right.", [["panRight"], ["halfZoomIn"]]),
    # "before" inside a clause, or with no main clause after it, keeps the words' order
    ("Pan right before tilting down, then push in.", [["panRight"], ["tiltDown"], ["dollyIn"]]),
    ("Pan right, before tilting down, then push in.", [["panRight"], ["tiltDown"], ["dollyIn"]]),
])
def test_before_opening_a_phrase_puts_its_main_clause_first(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Pull out, then push back in.", [["dollyOut"], ["dollyIn"]]),
    ("Dolly in, then back out.", [["dollyIn"], ["dollyOut"]]),
    ("Pan right, then left.", [["panRight"], ["panLeft"]]),
    ("Tilt down, then back up.", [["tiltDown"], ["tiltUp"]]),
    ("Pan right, then back to the left.", [["panRight"], ["panLeft"]]),
    ("Push in, then back up.", [["dollyIn"], ["dollyOut"]]),  # after a dolly, "back up" reverses
])
def test_back_and_elided_moves_repeat_the_move_before(text, expected):
    assert moves(text) == expected


def test_a_lone_side_word_after_a_comma_is_still_a_view():
    interp = parse_prompt("pan left, right")
    assert moves("pan left, right") == [["panLeft"]] and "view" in interp.explicit
    assert FIELDS["view"][interp.labels["view"]].params["azimuth_deg"] == -90.0


@pytest.mark.parametrize("text,expected", [
    ("Pedestal up slowly, tilting down to keep her in frame.", [["pedestalUp", "tiltDown"]]),
    ("Descending, the drone yaws left.", [["pedestalDown", "panLeft"]]),
    ("Slowly rising, the camera pans right, then pushes in.", [["pedestalUp", "panRight"], ["dollyIn"]]),
    # a list of -ing forms is a sequence, and a participle after a full stop starts afresh
    ("Panning right, tilting down, then zooming in.", [["panRight"], ["tiltDown"], ["halfZoomIn"]]),
    ("Push in. Panning left, tilt up.", [["dollyIn"], ["panLeft", "tiltUp"]]),
    ("Pan left, then tilt up, revealing the tower.", [["panLeft"], ["tiltUp"]]),  # not a move: nothing joins
])
def test_a_participle_clause_is_simultaneous(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Truck left while panning right to hold her in frame.", [["truckLeft", "panRight"]]),
    ("Arc left, keeping him centred, then hold.", [["shortArcShotLeft"], []]),
    ("Push in, then come to a hold.", [["dollyIn"], []]),
    ("The drone rises, then hovers.", [["pedestalUp"], []]),
    ("The drone hovers while yawing right.", [["panRight"]]),
    ("Pan left, pause, then tilt up, and finally it lingers.", [["panLeft"], [], ["tiltUp"], []]),
    ("Truck right, then stops.", [["truckRight"], []]),
    ("Truck right and come to a stop on the door.", [["truckRight"]]),  # with the move: its easing, not a hold
    ("Locked off at first, then pan right.", [[], ["panRight"]]),
    ("On a tripod, pan right.", [["panRight"]]),  # a rig word not in sequence is only steady
])
def test_holds_and_what_is_not_one(text, expected):
    assert moves(text) == expected


def test_coming_to_a_stop_with_the_move_eases_out():
    easing = parse_prompt("Truck right and come to a stop on the door.").labels["easing"]
    assert FIELDS["easing"][easing].params["mode"] == "Out"


def test_a_phrase_that_says_its_direction_takes_no_other():
    assert moves("The camera pans left as the dancer spins right.") == [["panLeft"]]


@pytest.mark.parametrize("text,expected", [
    ("Truck right, then look up at the clock.", [["truckRight"], ["tiltUp"]]),
    ("The camera looks left, then looks right.", [["panLeft"], ["panRight"]]),
])
def test_look_words_in_a_sequence_turn_the_camera(text, expected):
    assert moves(text) == expected


def test_look_words_alone_are_the_angle():
    interp = parse_prompt("the camera looks down at the street")
    assert interp.segments == [] and interp.labels["angle"] == "highAngle"


@pytest.mark.parametrize("text,amount", [("push in 40%", 0.4), ("dolly in 25 percent, then pan left", 0.25)])
def test_percent_is_a_dollys_share(text, amount):
    move = parse_prompt(text).segments[0].moves[0]
    assert (move.movement, move.amount, move.unit) == ("dollyIn", pytest.approx(amount), "share")


def test_percent_that_fits_no_move_is_listed():
    interp = parse_prompt("pan left 30%")
    assert interp.segments[0].moves[0].amount is None and [w for w, _ in interp.ignored] == ["30%"]


@pytest.mark.parametrize("text,expected", [
    ("Pan left, ending with a tilt up.", [["panLeft"], ["tiltUp"]]),
    ("Push in and finish with a slow arc right.", [["dollyIn"], ["shortArcShotRight"]]),
    ("Truck left, transitioning into a pan right.", [["truckLeft"], ["panRight"]]),
    ("Tilt up, and eventually zoom in.", [["tiltUp"], ["halfZoomIn"]]),
])
def test_more_sequence_words(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Tilt up, then stop tilting.", [["tiltUp"], []]),  # a move word after "stop" ends the move
    ("Truck left and, at the same time, tilt down.", [["truckLeft", "tiltDown"]]),
    ("Truck left and, simultaneously, tilt down.", [["truckLeft", "tiltDown"]]),
    ("Truck left, at once tilting down.", [["truckLeft", "tiltDown"]]),
    ("Truck left, together with a tilt down.", [["truckLeft", "tiltDown"]]),
    ("The camera steps forward, then steps back.", [["dollyIn"], ["dollyOut"]]),
    ("Dolly right, then dolly in.", [["truckRight"], ["dollyIn"]]),  # a dolly said sideways trucks
])
def test_ending_words_simultaneity_clauses_and_sideways_dollies(text, expected):
    assert moves(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("truck left -> tilt up -> hold", [["truckLeft"], ["tiltUp"], []]),  # a storyboard's arrows
    ("truck left \u2192 tilt up", [["truckLeft"], ["tiltUp"]]),
    ("Zoom in, and then, after a pause, truck left.", [["halfZoomIn"], [], ["truckLeft"]]),
    ("Truck left, after zooming in.", [["halfZoomIn"], ["truckLeft"]]),  # no main clause: "after" reorders
    ("Tilt up and down.", [["tiltUp"], ["tiltDown"]]),
    ("The camera pans right and back left.", [["panRight"], ["panLeft"]]),
    ("The camera pans down to the floor.", [["tiltDown"]]),
])
def test_arrows_fronted_after_both_ways_and_loose_axes(text, expected):
    assert moves(text) == expected


def test_both_ways_is_not_read_into_looking_or_easing():
    with pytest.raises(LensCraftError):
        parse_prompt("he glances left and right")
    assert moves("she looks up and down the street") == []
    assert moves("zoom in with an ease in and out") == [["halfZoomIn"]]


def test_slight_is_smaller_than_the_operator_default():
    """"slight" / "a touch" are smaller than a plain move of no stated size (the planner's default), and a quarter is
    still a quarter of the full amount."""
    from lenscraft_core import plan
    from lenscraft_core.schema import Subject

    person = Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8], object_class="person")
    for plain, slight in (("pan left", "slight pan left"), ("tilt up", "tilt up a touch"),
                          ("truck right", "truck right a little"), ("push in", "a subtle push in")):
        amounts = []
        for prompt in (plain, slight):
            shot = plan.plan_shot(person, segments=parse_prompt(prompt).segments, frames=96)
            amounts.append(shot.metadata["segments"][0]["moves"][0]["amount"])
        assert amounts[1] < amounts[0], (plain, amounts)
    assert parse_prompt("quarter orbit left").segments[0].moves[0].amount == 90.0
