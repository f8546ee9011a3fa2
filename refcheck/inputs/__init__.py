"""Reading referrals: records (one referral before checking), files and batches, FHIR."""
from .files import SUPPORTED_SUFFIXES, decode_bytes, iter_records
from .records import InputRecord, clean_meta, record_from_mapping

__all__ = ["InputRecord", "SUPPORTED_SUFFIXES", "clean_meta", "decode_bytes", "iter_records", "record_from_mapping"]
