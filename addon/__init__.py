"""LensCraft for Blender: keyframed camera moves from a shot description (View3D > Sidebar > LensCraft), export and
import of camera shots (also in File > Import / Export, and by dropping a shot file on the viewport), and a
headless command (`blender -b FILE --command lenscraft ...`).

register()/unregister() only; everything else lives in the modules next to this file."""

from __future__ import annotations

from typing import Any

import bpy

from . import file_menu, operators, panel, properties

_factory: Any = bpy.utils.register_classes_factory(  # type: ignore[func-returns-value]
    properties.CLASSES + operators.CLASSES + panel.CLASSES + file_menu.CLASSES)
_register_classes, _unregister_classes = _factory
_cli_handle: Any = None


def _cli(argv: list[str]) -> int:
    from . import cli  # lazily: only headless runs need it

    return cli.main(argv)


def register() -> None:
    global _cli_handle
    _register_classes()
    properties.register_properties()
    file_menu.register_menus()
    if hasattr(bpy.utils, "register_cli_command"):
        _cli_handle = bpy.utils.register_cli_command("lenscraft", _cli)  # type: ignore[func-returns-value]


def unregister() -> None:
    global _cli_handle
    if _cli_handle is not None:
        bpy.utils.unregister_cli_command(_cli_handle)
        _cli_handle = None
    file_menu.unregister_menus()
    properties.unregister_properties()
    _unregister_classes()
