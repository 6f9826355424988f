"""Read, check and write case files (TOML). See ``docs/case-format.md`` for every key.

Reading collects *every* problem in a file - each names the file, the table or bid,
the key, the index and what was expected, with the TOML line where it can be found -
and raises one :class:`~cypsxl.errors.CaseError` holding them all.
"""

from ._monitoring import (
    load_monitoring,
    monitoring_from_dict,
    parse_monitoring,
    register_monitoring_driver,
)
from ._read import case_from_dict, load_case, parse_case, reference_case, reference_case_text
from ._sections import CONSISTENCY_TOLERANCE, REFERENCE_CASE_NAME
from ._write import case_to_dict, dump_case

__all__ = [
    "CONSISTENCY_TOLERANCE",
    "REFERENCE_CASE_NAME",
    "case_from_dict",
    "case_to_dict",
    "dump_case",
    "load_case",
    "load_monitoring",
    "monitoring_from_dict",
    "parse_case",
    "parse_monitoring",
    "reference_case",
    "reference_case_text",
    "register_monitoring_driver",
]
