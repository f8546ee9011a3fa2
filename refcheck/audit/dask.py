"""The audit on Dask distributed: the checks run on a cluster's workers.

``refcheck audit INPUT --out DIR --engine dask [--scheduler tcp://HOST:8786 | --dask-workers N]``
keeps the local audit's design — the driver reads the input lazily, writes the
checkpointed CSVs and builds the same ``summary.json``, ``report.html`` and referrer pages —
but each window of records is checked on the workers, a batch per worker task:

- the pipeline is loaded once per worker (:class:`PipelinePlugin`, at worker start-up);
- the pseudonym key never travels in the task graph: workers read it from their own
  environment (``REFCHECK_AUDIT_KEY``, or ``REFCHECK_AUDIT_KEY_HEX`` that a local cluster
  inherits from the driver), and the driver checks a fingerprint so that workers with
  another key fail the run instead of writing other pseudonyms;
- task names are Dask's (function name and a hash): no referral text in names, logs or
  the dashboard (which a local cluster does not even start).

For analysts who already hold a Dask DataFrame of referrals (columns as in JSONL/CSV:
``id``, ``text``, ``age`` …), :func:`check_partitions` maps :func:`check_frame` over its
partitions; ``check_frame`` is one function over a pandas batch, so it also serves Spark's
``mapInPandas``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator

from ..inputs import InputRecord, record_from_mapping
from .rows import Privacy, _rows
from .tables import FINDING_COLUMNS, REFERRAL_COLUMNS

#: Records per worker task.
BATCH = 64
#: Dask settings for a local cluster: no per-worker profiler or GIL sampling.
LEAN_WORKERS = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.gil.enabled": False}


def _key_from_env() -> bytes:
    raw = os.environ.get("REFCHECK_AUDIT_KEY")
    if raw:
        return raw.encode("utf-8")
    hexed = os.environ.get("REFCHECK_AUDIT_KEY_HEX")
    if hexed:
        return bytes.fromhex(hexed)
    raise RuntimeError("no pseudonym key on this worker: set REFCHECK_AUDIT_KEY in the workers' environment")


def fingerprint(key: bytes) -> str:
    """A value that tells whether two processes hold the same key, and nothing about it."""
    return hmac.new(key, b"refcheck-audit-key-fingerprint", hashlib.sha256).hexdigest()[:16]


try:  # the plugin base class, when distributed is installed
    from distributed.diagnostics.plugin import WorkerPlugin as _Base
except ImportError:  # pragma: no cover - dask is optional
    _Base = object


class PipelinePlugin(_Base):
    """Loads the spaCy pipelines once when a worker starts (not per task)."""

    name = "refcheck-pipelines"

    def setup(self, worker=None) -> None:
        from ..nlp import build

        for lang in ("nb", "nn", "da"):
            build(lang)


def _check_batch(items: list[tuple[int, InputRecord]], keep_ids: bool, include_text: bool, guideline: str | None,
                 expected: str) -> list[tuple[dict, list[dict]]]:
    key = b"" if keep_ids else _key_from_env()
    if not keep_ids and fingerprint(key) != expected:
        raise RuntimeError("this worker's REFCHECK_AUDIT_KEY differs from the driver's")
    privacy = Privacy(keep_ids, include_text, key)
    return [_rows(seq, record, privacy, guideline) for seq, record in items]


def _worker_fingerprint(keep_ids: bool) -> str:
    return "" if keep_ids else fingerprint(_key_from_env())


class DaskChecker:
    """Checks windows of (seq, record) on a Dask cluster; ``submit`` sends a window, ``result`` returns its rows in order."""

    def __init__(self, privacy: Privacy, guideline: str | None, scheduler: str | None = None, workers: int = 2):
        from distributed import Client, LocalCluster

        self.keep_ids, self.include_text, self.guideline = privacy.keep_ids, privacy.include_text, guideline
        if not privacy.keep_ids and "REFCHECK_AUDIT_KEY" not in os.environ:
            os.environ["REFCHECK_AUDIT_KEY_HEX"] = privacy.key.hex()  # inherited by a local cluster's workers
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            import dask

            # The workers' statistical profiler and GIL monitor sample the check thread's
            # stack every few milliseconds: off for the cluster refcheck starts itself (an
            # external cluster keeps its own configuration; see the README).
            with dask.config.set(LEAN_WORKERS):
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        self.client.register_plugin(PipelinePlugin())
        self.expected = "" if privacy.keep_ids else fingerprint(privacy.key)
        found = set(self.client.run(_worker_fingerprint, self.keep_ids).values())
        if found and found != {self.expected}:
            self.close()
            raise RuntimeError("the workers' pseudonym key differs from the driver's (set REFCHECK_AUDIT_KEY on both)")

    def submit(self, window: list[tuple[int, InputRecord]]):
        """Send ``window`` to the workers, a task per batch; :meth:`result` gathers it in order.

        The batches are scattered to the workers first, so the task graph holds only their
        keys: referral text never passes through the scheduler, which keeps the graphs of
        its last 100 computations (``distributed.diagnostics.computations.max-history``).
        With the records in the graph, the driver of a local cluster grew by about 2 MB per
        1,000 referrals (244 MB at 20k, 399 MB at 100k)."""
        batches = [window[i:i + BATCH] for i in range(0, len(window), BATCH)]
        data = self.client.scatter(batches, hash=False)
        futures = self.client.map(_check_batch, data, keep_ids=self.keep_ids, include_text=self.include_text,
                                  guideline=self.guideline, expected=self.expected, pure=False)
        return data, futures

    def result(self, handle) -> list[tuple[dict, list[dict]]]:
        _, futures = handle  # the scattered batches are released with the handle
        return [result for batch in self.client.gather(futures) for result in batch]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


# ----------------------------------------------------------------------- DataFrames
def _records(frame) -> Iterator[tuple[int, InputRecord]]:
    seqs = frame["seq"].tolist() if "seq" in frame else list(frame.index)
    for seq, row in zip(seqs, frame.to_dict("records")):
        clean = {k: v for k, v in row.items() if k != "seq" and v is not None and v == v}  # NaN is not a value
        yield int(seq), record_from_mapping(clean, str(seq))


def check_frame(frame, keep_ids: bool = False, include_text: bool = False, guideline: str | None = None):
    """Check a pandas batch of referrals: one row per referral (the audit's referral columns,
    plus ``findings``: its finding rows as JSON). The key comes from the environment."""
    import pandas as pd

    key = b"" if keep_ids else _key_from_env()
    privacy = Privacy(keep_ids, include_text, key)
    rows = []
    for seq, record in _records(frame):
        row, finds = _rows(seq, record, privacy, guideline)
        row["findings"] = json.dumps([{k: f[k] for k in FINDING_COLUMNS} for f in finds], ensure_ascii=False)
        rows.append(row)
    columns = REFERRAL_COLUMNS + (["text"] if include_text else []) + ["findings"]
    return pd.DataFrame(rows, columns=columns).astype({c: "string" for c in columns if c != "seq"} | {"seq": "int64"})


def check_partitions(ddf, keep_ids: bool = False, include_text: bool = False, guideline: str | None = None):
    """A Dask DataFrame of referrals → a Dask DataFrame of checked referral rows (lazy)."""
    import pandas as pd

    columns = REFERRAL_COLUMNS + (["text"] if include_text else []) + ["findings"]
    meta = pd.DataFrame({c: pd.Series(dtype="int64" if c == "seq" else "string") for c in columns})
    return ddf.map_partitions(check_frame, keep_ids=keep_ids, include_text=include_text, guideline=guideline,
                              meta=meta)
