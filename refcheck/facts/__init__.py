"""Facts: what one referral states, read from its processed Doc (:func:`extract`)."""
from .extract import extract
from .model import FACT_NAMES, Facts

__all__ = ["FACT_NAMES", "Facts", "extract"]
