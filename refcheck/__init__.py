"""refcheck: check imaging referrals against clinical guidelines (refcheck.report/1).

>>> import refcheck
>>> report = refcheck.check("MR LS-columna. Mann 38 år, korsryggsmerter i 10 dager.")
>>> report.appropriateness
'low_value'
"""
from .api import check, check_record
from .report import Report

__all__ = ["check", "check_record", "Report", "__version__"]
__version__ = "0.1.0"
