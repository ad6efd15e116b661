"""Scene settings (Scene.lenscraft) and add-on preferences. The field menus are built from the core vocabulary,
the single source of truth for labels and their descriptions."""

from __future__ import annotations

import math
import re
from typing import Any

import bpy
from bpy.props import (BoolProperty, CollectionProperty, EnumProperty, FloatProperty, IntProperty,  # type: ignore
                       PointerProperty, StringProperty)

from .engine import FIELD_NAMES, FIELDS, LensCraftError, parse_prompt, stated_labels
from .generate import MAX_VARIATIONS, UI_VARIATIONS
from .segment_list import LensCraftSegment, fill_rows


def ui_name(label: str) -> str:
    """"dollyOutZoomIn" -> "Dolly Out Zoom In" (Blender menus use Title Case)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ").title()


AUTO = 'AUTO'  # a menu's "not stated" item: the field is left to the model (the simulator uses its default)
_AUTO_NUMBER = 999  # its enum number; the labels keep 0..n-1, so menus saved in older .blend files read the same


def field_items(field: str) -> list[tuple[str, str, str, int]]:
    auto = (AUTO, "Auto", f"Not stated: the model picks it (the simulator uses {FIELDS[field].default})",
            _AUTO_NUMBER)
    return [auto] + [(label.name, ui_name(label.name), label.description.capitalize(), i)
                     for i, label in enumerate(FIELDS[field].labels)]


# Enum items must stay referenced from Python for as long as the property exists.
_ITEMS = {f: field_items(f) for f in FIELD_NAMES}
_applying = False  # apply_prompt is setting the menus (their update callback must not mark them as the user's)


def labels_of(settings: Any) -> dict[str, str]:
    """The fields the menus state (a menu on Auto is left out: open)."""
    return {f: getattr(settings, f) for f in FIELD_NAMES if getattr(settings, f) != AUTO}


SHAKE_FIELD = "shake"  # prompt_fields names it when the prompt set the shake amount


def _prompt_fields(settings: Any) -> set[str]:
    return {f for f in settings.prompt_fields.split(",") if f in FIELDS}


def menu_summary(settings: Any) -> str:
    """What Generate will do with each field, exactly: the label stated (by the prompt, or by you), or, for a menu
    on Auto, "open" when the model picks it, the default when the simulator runs."""
    from .engine import open_fields_go_to_model

    by_prompt, to_model, parts = _prompt_fields(settings), open_fields_go_to_model(), []
    for f in FIELD_NAMES:
        value, name = getattr(settings, f), f.replace("_", " ")
        if value == AUTO:
            parts.append(f"{name}: open (the model picks)" if to_model else
                         f"{name}: {FIELDS[f].default} (default)")
        else:
            parts.append(f"{name}: {value}" + ("" if f in by_prompt else " (set by you)"))
    return "; ".join(parts)


def apply_prompt(settings: Any) -> None:
    """Set the menus the prompt states, put the ones an earlier prompt set (and this one does not) back on Auto,
    leave the ones you set alone, and show what Generate will do (or why the prompt was not understood)."""
    global _applying
    text = settings.prompt.strip()
    try:
        interp = parse_prompt(text) if text else None
    except LensCraftError as e:
        settings.understood, settings.ignored = f"not understood: {e}", ""
        return
    stated = stated_labels(interp) if interp else {}
    # nothing dropped without a word: what the prompt says that Generate will not do
    settings.ignored = "\n".join(f"ignored: '{w}' ({why})" for w, why in getattr(interp, "ignored", ()))
    before = _prompt_fields(settings) | set(settings.prompt_fields.split(","))
    _applying = True
    try:
        for f in FIELD_NAMES:
            if f in stated:
                setattr(settings, f, stated[f])
            elif f in before:
                setattr(settings, f, AUTO)
        # the segment list is what Generate makes: the prompt's segments, to be edited (none: the movement menu's)
        fill_rows(settings.segments, list(getattr(interp, "segments", None) or []))
        settings.segment_index = 0
        said = getattr(interp, "shake", None)
        if said is not None:
            settings.shake = float(said)
        elif SHAKE_FIELD in before:  # an earlier prompt's "handheld" does not outlive it; a shake you set does
            settings.shake = 0.0
        settings.prompt_fields = ",".join(sorted(stated) + ([SHAKE_FIELD] if said is not None else []))
    finally:
        _applying = False
    settings.understood = "understood as " + menu_summary(settings) if text else ""


def _on_menu(field: str) -> Any:
    def update(self: Any, context: bpy.types.Context) -> None:
        if _applying:
            return
        fields = _prompt_fields(self) - {field}  # the user's choice now: a later prompt leaves it alone
        fields |= {SHAKE_FIELD} & set(self.prompt_fields.split(","))
        if self.prompt_fields != ",".join(sorted(fields)):
            self.prompt_fields = ",".join(sorted(fields))
        if field == "movement":  # a movement picked by hand is what the camera does: the list follows it
            from .engine import plan

            value = getattr(self, field)
            fill_rows(self.segments, [] if value == AUTO else plan.segments_from_movement(value))
            self.segment_index = 0
        if self.understood and not self.understood.startswith("not understood"):
            self.understood = "understood as " + menu_summary(self)
    return update


def _on_prompt(self: Any, context: bpy.types.Context) -> None:
    apply_prompt(self)


def _on_shake(self: Any, context: bpy.types.Context) -> None:
    """Switch the shake layer of the selected cameras (and the active one) on or off, without regenerating."""
    from .shake import set_shake_enabled, shake_constraint

    for obj in {*context.selected_objects, context.active_object}:
        if obj is not None and obj.type == 'CAMERA' and shake_constraint(obj) is not None:
            set_shake_enabled(obj, self.shake_enabled)


def _on_shake_amount(self: Any, context: bpy.types.Context) -> None:
    if _applying:
        return
    fields = set(self.prompt_fields.split(",")) - {SHAKE_FIELD, ""}  # yours now: a later prompt leaves it alone
    if self.prompt_fields != ",".join(sorted(fields)):
        self.prompt_fields = ",".join(sorted(fields))


def _is_camera(self: Any, obj: bpy.types.Object) -> bool:
    return obj.type == 'CAMERA'


def _not_camera(self: Any, obj: bpy.types.Object) -> bool:
    return obj.type != 'CAMERA'


def _field_enum(field: str) -> Any:
    return EnumProperty(name=ui_name(field), description=FIELDS[field].doc, items=_ITEMS[field], default=AUTO,
                        update=_on_menu(field))


class LensCraftSettings(bpy.types.PropertyGroup):
    subject: PointerProperty(  # type: ignore[valid-type]
        name="Subject", type=bpy.types.Object, poll=_not_camera,
        description="Object the camera frames (empty: the active object)")
    prompt: StringProperty(  # type: ignore[valid-type]
        name="Prompt", update=_on_prompt,
        description="Describe the shot, e.g. 'slow push in from a low angle, ease in-out, close-up'")
    understood: StringProperty(name="Understood As", options={'SKIP_SAVE'})  # type: ignore[valid-type]
    ignored: StringProperty(  # type: ignore[valid-type]
        name="Ignored", options={'SKIP_SAVE'},
        description="Camera words of the prompt that Generate does not act on, with why (one per line)")
    prompt_fields: StringProperty(  # type: ignore[valid-type]
        name="Set by the Prompt", options={'HIDDEN'},
        description="Menus the prompt set (comma-separated): the next prompt may put them back on Auto")
    subject_size: FloatProperty(  # type: ignore[valid-type]
        name="Subject Size", default=0.0, min=0.0, soft_max=20.0, subtype='DISTANCE', unit='LENGTH',
        description="Size of the subject (a cube, metres) instead of its geometry; needed for a light or an empty "
                    "(0: from its geometry)")
    movement: _field_enum("movement")  # type: ignore[valid-type]
    easing: _field_enum("easing")  # type: ignore[valid-type]
    angle: _field_enum("angle")  # type: ignore[valid-type]
    shot_type: _field_enum("shot_type")  # type: ignore[valid-type]
    view: _field_enum("view")  # type: ignore[valid-type]

    segments: CollectionProperty(type=LensCraftSegment, name="Segments")  # type: ignore[valid-type]
    segment_index: IntProperty(name="Segment", default=0, min=0)  # type: ignore[valid-type]
    shake: FloatProperty(  # type: ignore[valid-type]
        name="Shake Amount", default=0.0, min=0.0, max=10.0, soft_max=2.0, update=_on_shake_amount,
        description="Handheld shake added as its own layer (0: none, 1: handheld, 2: very shaky); the move's keys "
                    "stay clean")
    shake_enabled: BoolProperty(  # type: ignore[valid-type]
        name="Shake", default=True, update=_on_shake,
        description="Show the handheld shake: switches the selected cameras' shake layer on or off without "
                    "regenerating")
    subject_kind: EnumProperty(  # type: ignore[valid-type]
        name="Subject Kind", default='AUTO',
        description="How the subject is framed: a person by the body (eye line, head, body cuts), an object by its "
                    "box",
        items=[('AUTO', "Auto", "A person when an armature drives it or it has human proportions"),
               ('PERSON', "Person", "Frame by the body: eye line, head room, body cut lines"),
               ('OBJECT', "Object", "Frame the bounding box")])
    aim_object: PointerProperty(  # type: ignore[valid-type]
        name="Aim At", type=bpy.types.Object, poll=_not_camera,
        description="Frame this object (or a bone of this armature) instead of the subject's box (empty: the "
                    "subject)")
    aim_bone: StringProperty(  # type: ignore[valid-type]
        name="Bone", description="The aim armature's bone whose head the shot frames (empty: the object)")
    avoid_obstacles: BoolProperty(  # type: ignore[valid-type]
        name="Avoid Obstacles", default=True,
        description="Keep the camera path out of the other visible meshes' bounding boxes (the result says where it "
                    "could not)")
    segment_markers: BoolProperty(  # type: ignore[valid-type]
        name="Segment Markers", default=False,
        description="Add a timeline marker at every join between two segments")

    use_scene_range: BoolProperty(  # type: ignore[valid-type]
        name="Scene Range", default=True, description="Use the scene's frame range")
    frame_start: IntProperty(name="Start", default=1, min=0)  # type: ignore[valid-type]
    frame_end: IntProperty(name="End", default=120, min=0)  # type: ignore[valid-type]

    camera_target: EnumProperty(  # type: ignore[valid-type]
        name="Camera", default='NEW',
        items=[('NEW', "New Camera", "Add a new camera for the shot"),
               ('EXISTING', "Existing Camera", "Animate the camera picked below")])
    camera: PointerProperty(  # type: ignore[valid-type]
        name="Target", type=bpy.types.Object, poll=_is_camera, description="Camera to animate")
    keep: EnumProperty(  # type: ignore[valid-type]
        name="Existing Keys", default='APPEND',
        items=[('APPEND', "Append", "Keep the camera's existing keys; add the new ones"),
               ('REPLACE', "Replace", "Delete the camera's transform and lens keys first")])
    variations: IntProperty(  # type: ignore[valid-type]
        name="Variations", default=1, min=1, max=MAX_VARIATIONS, soft_max=UI_VARIATIONS,
        description="Shots to make, each on its own camera")
    seed: IntProperty(name="Seed", default=0, min=0)  # type: ignore[valid-type]

    key_density: EnumProperty(  # type: ignore[valid-type]
        name="Keys", default='SPARSE',
        items=[('SPARSE', "Eased", "Few editable Bezier keys (none on a channel that holds still), fitted so the "
                "curve stays within the tolerance"),
               ('EVERY_FRAME', "Every Frame", "A key on every frame (exact)")])
    key_tolerance: FloatProperty(  # type: ignore[valid-type]
        name="Tolerance", default=0.001, min=1e-5, soft_max=0.1, subtype='DISTANCE', unit='LENGTH',
        description="Largest position error of sparse keys")
    key_angle_tolerance: FloatProperty(  # type: ignore[valid-type]
        name="Angle Tolerance", default=math.radians(0.1), min=1e-6, soft_max=math.radians(5), subtype='ANGLE',
        description="Largest rotation error of sparse keys")
    animate_focal: BoolProperty(  # type: ignore[valid-type]
        name="Animate Focal Length", default=True, description="Key the lens (zooms, dolly zooms)")
    floor: EnumProperty(  # type: ignore[valid-type]
        name="Floor", default='SUBJECT_BASE',
        description="Height the camera never goes below: a low angle then sets the camera on the floor and aims up",
        items=[('SUBJECT_BASE', "Subject's Base", "The bottom of the subject's bounding box (the ground it stands "
                "on)"), ('WORLD_ZERO', "World Z = 0", "The world's ground plane"),
               ('GROUND', "Ground Mesh", "The top of the flat mesh under the subject (the scene's floor), else "
                "the subject's base"),
               ('NONE', "None", "No floor (e.g. a flying subject seen from below)")])
    focus_on_subject: BoolProperty(  # type: ignore[valid-type]
        name="Focus on Subject", default=False, description="Turn on depth of field focused on the subject")
    add_marker: BoolProperty(  # type: ignore[valid-type]
        name="Add Marker", default=False,
        description="Add a timeline marker bound to the camera, named after the shot's labels")
    complete_use_easing: BoolProperty(  # type: ignore[valid-type]
        name="Steer by Easing", default=False,
        description="Complete Motion follows the Easing menu between the keyed poses")


class LensCraftPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__  # type: ignore[assignment]

    generator: EnumProperty(  # type: ignore[valid-type]
        name="Generator", default='LEARNED',
        items=[('LEARNED', "Learned", "The shot planner, with the amounts the words leave open decided by the "
                "trained model's move decoder (bundled, ONNX Runtime); Planned when it cannot be loaded"),
               ('PLANNED', "Planned", "The shot planner: the asked segments, amounts and speeds built exactly, "
                "framed by the body for a person, the open amounts by the operator's rules (no model needed)"),
               ('MODEL', "Model", "The trained model's own path (bundled, runs on ONNX Runtime): each segment "
                "made by the network from where the previous one ended, sizes and speeds its own; the simulator "
                "when it cannot be loaded"),
               ('SIMULATOR', "Procedural (simulator)", "The procedural cinematography simulator: deterministic, "
                "no model needed")])

    model_path: StringProperty(  # type: ignore[valid-type]
        name="Model", subtype='FILE_PATH', description="Model checkpoint (empty: the bundled model)")
    clip_weights_path: StringProperty(  # type: ignore[valid-type]
        name="Open CLIP Weights", subtype='FILE_PATH',
        description="open_clip weights file of a model trained with the open_clip text encoder: lets it read "
                    "free-text prompts (needs torch and open_clip in Blender's Python; menus work without)")
    # One item per engine.DEVICES, upper-cased (RNA identifiers kept in saved preferences; a test keeps them equal):
    # listed here so register() does not load the inference package.
    device: EnumProperty(  # type: ignore[valid-type]
        name="Compute Device", default='CPU',
        description="Where ONNX Runtime runs the model; one this ONNX Runtime build lacks runs on the CPU (the "
                    "panel says so). One shot takes milliseconds on the CPU",
        items=[('CPU', "CPU", "Run the model on the CPU"), ('CUDA', "CUDA", "NVIDIA GPU (needs onnxruntime-gpu)"),
               ('COREML', "Core ML", "Apple GPU / Neural Engine"),
               ('DIRECTML', "DirectML", "Windows GPU (needs onnxruntime-directml)")])

    def draw(self, context: bpy.types.Context) -> None:
        from .engine import model_status

        col = self.layout.column()
        col.prop(self, "generator")
        col.prop(self, "model_path")
        col.prop(self, "clip_weights_path")
        col.prop(self, "device")
        col.label(text=model_status(), icon='INFO')


def preferences(context: bpy.types.Context) -> Any:
    """This add-on's preferences, or None when it is not registered as an add-on (e.g. imported by a script)."""
    addon = context.preferences.addons.get(__package__ or "")
    return addon.preferences if addon is not None else None


def apply_preferences(context: bpy.types.Context) -> None:
    """Hand the generator choice and model path to the engine (it reloads the model only when they change)."""
    from .engine import configure

    prefs = preferences(context)
    if prefs is not None:
        configure(generator=prefs.generator.lower(),
                  model_path=bpy.path.abspath(prefs.model_path) if prefs.model_path else "",
                  device=prefs.device.lower(),
                  clip_weights=bpy.path.abspath(prefs.clip_weights_path) if prefs.clip_weights_path else "")


def register_properties() -> None:
    bpy.types.Scene.lenscraft = PointerProperty(type=LensCraftSettings)  # type: ignore


def unregister_properties() -> None:
    del bpy.types.Scene.lenscraft  # type: ignore[attr-defined]


CLASSES = (LensCraftSegment, LensCraftSettings, LensCraftPreferences)  # the row type before the settings using it
