"""A serving process settles its heap once started: templates compiled, start-up objects frozen, so a full
collection walks only what requests and caches made since. In a process of its own (freezing is global)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, json, sys
from sucai.library import open_library
from sucai.settings import Settings
from sucai.web.app import create_app
from sucai.web.heap import settle_for_serving
settings = Settings(db=sys.argv[1])
app = create_app(settings, open_library(settings=settings), follow=False)
before = len(gc.get_objects())
settle_for_serving(app)
env = app.state.templates.env
print(json.dumps({"before": before, "after": len(gc.get_objects()), "frozen": gc.get_freeze_count(),
                  "threshold": gc.get_threshold(), "compiled": len(env.cache), "templates": len(env.list_templates())}))
"""


def test_start_up_objects_are_frozen_and_templates_compiled(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "lib.db")],
                         capture_output=True, text=True, timeout=120, check=True)
    state = json.loads(run.stdout.strip().splitlines()[-1])
    assert state["before"] > 20_000  # the web framework and the library's modules
    assert state["after"] < state["before"] / 20  # a full collection no longer walks them
    assert state["frozen"] >= state["before"] * 0.9
    assert state["threshold"][0] >= 10_000
    assert state["compiled"] == state["templates"] > 10
