"""Renderers of reports: JSON lines for machines, text for people."""
from .text import to_json_line, to_text

__all__ = ["to_json_line", "to_text"]
