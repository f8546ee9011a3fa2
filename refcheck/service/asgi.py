"""ASGI entry point for uvicorn workers: the database URL comes from REFCHECK_DB."""
import logging
import os

from .app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = create_app(os.environ.get("REFCHECK_DB", "refcheck.sqlite3"))
