"""``refcheck audit``: quality figures over a batch (run.py), its tables (tables.py) and report (report.py)."""
from .run import AuditResult, run_audit

__all__ = ["AuditResult", "run_audit"]
