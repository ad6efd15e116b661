"""Issue 11: a fuzz test of the headless batch in real Blender (hypothesis, bounded to about a minute). Random jobs
(unknown keys, wrong types, huge numbers, NaN, negative seeds, bad labels, bad paths, other commands) never make the
batch raise; every job gets its numbered line in the log; the exit status is 1 exactly when a job failed; the
generator configuration is the batch's own afterwards.

Frame ranges stay small or out of range (a valid 100,000-frame job is slow, not wrong)."""

from __future__ import annotations

import json
import math
import re
import time

import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BUDGET_S = 50.0  # wall time for all examples together (the rest return at once)

_weird_text = st.sampled_from(["", " ", "Subject", "Missing", "-1", "--help", "\x00", "\ud800", "é", "a" * 300,
                               "nan", "1e400", "../../etc/passwd", "/etc", "/nonexistent/x.blend", "1-12", "12-1",
                               "1-", "x-y",
                               "dolly in", "orbit", "panLeft", "notALabel", "close up", "{}", "[]"])
_number = st.one_of(st.integers(-2 ** 70, 2 ** 70), st.integers(-3, 70),
                    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308, 5e-324, 0.5, -1.5]))
_value = st.one_of(_weird_text, _number, st.booleans(), st.none(), st.lists(st.integers(0, 3), max_size=2),
                   st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=1))
_KEYS = ["command", "subject", "prompt", "movement", "easing", "angle", "shot_type", "view", "frames", "camera",
         "replace", "variations", "seed", "every_frame", "tolerance", "no_focal", "focus", "marker", "floor", "out",
         "overwrite", "preview", "preview_frames", "preview_width", "generator", "model", "device", "subject_size",
         "top_k", "json", "cameras", "format", "file", "help", "version", "bogus", "", "-x", "Frames", "1"]


def _job(draw, tmp):
    job = {}
    if draw(st.booleans()):  # often a mostly valid generate job, so the deep paths run too
        job.update({"subject": "Subject", "frames": draw(st.sampled_from(["1-6", "2-9", "3-3", "1-2000000",
                                                                          "16777217-16777220", "-5-3"])),
                    "movement": draw(st.sampled_from(["panLeft", "orbit left", "dollyIn", "follow", "bogus"])),
                    "generator": "simulator"})
    for key in draw(st.lists(st.sampled_from(_KEYS), max_size=2 if job else 4)):
        value = draw(_value)
        if key in ("out", "json", "preview") and not isinstance(value, bool) and value is not None:
            # outputs stay inside the temp folder (bad ones too: an existing folder, a path under a file)
            value = draw(st.sampled_from([str(tmp / re.sub(r"[^A-Za-z0-9.]", "_", str(value) or "x")), str(tmp),
                                          str(tmp / "afile" / "x.blend"), str(tmp / "sub" / "d.json")]))
        job[key] = value
    return job


@st.composite
def _jobs(draw, tmp):
    jobs = [_job(draw, tmp) for _ in range(draw(st.integers(1, 4)))]
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([{"jobs": jobs}, jobs[0], "not a list", 42]))
    return jobs


def _fresh_scene():
    """What the scene fixture makes: frames 1-48 and a box 'Subject' (a batch may have changed anything)."""
    bpy.ops.wm.read_homefile(use_empty=True)
    sc = bpy.context.scene
    sc.frame_start, sc.frame_end, sc.frame_current = 1, 48, 1
    mesh = bpy.data.meshes.new("Subject")
    mesh.from_pydata([(x * 0.5, y * 0.3, z * 0.9) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], [],
                     [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)])
    obj = bpy.data.objects.new("Subject", mesh)
    obj.location = (1.0, 2.0, 0.9)
    sc.collection.objects.link(obj)


def test_the_batch_never_raises_and_reports_every_job(scene, ext, tmp_path_factory, capsys, monkeypatch):
    tmp = tmp_path_factory.mktemp("fuzz")
    monkeypatch.chdir(tmp)  # whatever relative path a job names lands here
    ext.engine.configure(generator="model", model_path="")
    batch_config = ext.engine.config_state()[0]
    start = time.monotonic()
    stats = {"runs": 0, "jobs": 0, "failed": 0}

    @settings(max_examples=3000, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_jobs(tmp))
    def check(jobs):
        if time.monotonic() - start > BUDGET_S:
            return
        _fresh_scene()
        path = tmp / "jobs.json"
        path.write_text(json.dumps(jobs, allow_nan=True))
        capsys.readouterr()
        code = ext.cli.main(["batch", str(path)])
        out = capsys.readouterr()
        log = out.out + out.err
        stats["runs"] += 1
        assert code in (0, 1), log
        assert "internal error" not in log, log
        if not isinstance(jobs, list) and not (isinstance(jobs, dict) and isinstance(jobs.get("jobs"), list)):
            assert code == 1 and "expected a list of jobs" in log
            return
        listed = jobs if isinstance(jobs, list) else jobs["jobs"]
        n = len(listed)
        lines = [re.match(r"\[(\d+)/(\d+)\] (ok|FAILED)", line) for line in log.splitlines()]
        reported = [(int(m[1]), m[3]) for m in lines if m and int(m[2]) == n]
        assert sorted(k for k, _ in reported) == list(range(1, n + 1)), log  # every job, once (ok lines go to
        # stdout, failures to stderr: their interleaving is lost here)
        failed = [k for k, what in reported if what == "FAILED"]
        stats["jobs"] += n
        stats["failed"] += len(failed)
        assert code == (1 if failed else 0), log
        if failed:
            assert "failed: " + ", ".join(f"job {k}" for k in failed) in log  # the summary numbers the log's
        assert ext.engine.config_state()[0] == batch_config  # no job's --generator/--model outlives it

    (tmp / "afile").write_text("a file, not a folder")
    check()
    print("fuzz:", stats)
    assert stats["runs"] >= 20 and stats["jobs"] > stats["failed"] > 0, stats
