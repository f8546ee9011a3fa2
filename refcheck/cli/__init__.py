"""The ``refcheck`` command line. Commands stay thin: they check arguments and call the library.

``base`` holds the app and what the commands share; ``commands`` the main commands
(check, audit, train, evaluate, serve, token); ``catalogue`` the rule catalogue and the
electronic-message replies (rules, rule, errors, reply).
"""
from . import catalogue, commands  # noqa: F401  (register their commands on ``app``)
from .base import app

__all__ = ["app"]
