"""The add-on's old single workflow module, kept so scripts that import it keep working: each job now has its own
module (checks, jobs, generate, exchange for export/import, describe, complete, preview), re-exported here."""

from __future__ import annotations

from .checks import check_camera, check_object
from .complete import complete_camera
from .create import new_camera
from .describe import CAPTION_PROP, RANGE_PROP, SCORES_PROP, describe_camera, stored_description
from .engine import FIELD_NAMES, marker_name
from .exchange import ExportJob, camera_markers, export_cameras, gather_shots, import_shots
from .gather import camera_shot
from .generate import FLOORS, FOLLOWING, GenerateJob, GenerateRequest, generate
from .jobs import Job, Result, run
from .keyframes import TRANSFORM_PATHS, keyed_frames
from .preview import render_preview

__all__ = ["Result", "Job", "run", "GenerateRequest", "GenerateJob", "generate", "gather_shots", "ExportJob",
           "export_cameras", "import_shots", "marker_name", "check_object", "check_camera", "camera_shot",
           "describe_camera", "stored_description", "keyed_frames", "complete_camera", "render_preview",
           "FIELD_NAMES", "FOLLOWING", "FLOORS", "new_camera", "camera_markers", "TRANSFORM_PATHS", "CAPTION_PROP",
           "SCORES_PROP", "RANGE_PROP"]
