"""The app of one `sucai serve --workers N` process: uvicorn starts N of these, each from the environment.

Each worker opens the library itself (its own pool of database connections) and its own follower; the
workers of one node share its index folder: the first to take the index writer applies a batch, the others
see the new commit and reload (search/engine.py sync). `sucai serve` prepares the folder before they start.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from sucai.library import open_library
from sucai.settings import Settings

SHARED_PAGES_ENV = "SUCAI_SHARED_PAGES"  # set by `sucai serve` for its workers: see web/shared_pages.py


def create() -> FastAPI:
    """uvicorn's factory (`sucai.web.worker:create`): settings from the environment serve names."""
    from sucai.web.app import create_app
    from sucai.web.heap import settle_for_serving

    settings = Settings.from_env()
    shared = os.environ.get(SHARED_PAGES_ENV)
    app = create_app(settings, open_library(settings=settings), shared_pages=Path(shared) if shared else None)
    settle_for_serving(app)
    return app
