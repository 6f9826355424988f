"""Read, check and write case files (TOML). See ``docs/case-format.md`` for every key.

Reading collects *every* problem in a file - each names the file, the table or bid,
the key, the index and what was expected, with the TOML line where it can be found -
and raises one :class:`~cypsxl.errors.CaseError` holding them all.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._monitoring import (
        load_monitoring,
        monitoring_from_dict,
        parse_monitoring,
        register_monitoring_driver,
    )
    from ._read import case_from_dict, load_case, parse_case, reference_case, reference_case_text
    from ._sections import CONSISTENCY_TOLERANCE, REFERENCE_CASE_NAME
    from ._write import case_to_dict, dump_case
else:  # each name is imported from its module when first used
    __getattr__, __dir__ = lazy_names(
        __name__,
        {
            "._monitoring": (
                "load_monitoring",
                "monitoring_from_dict",
                "parse_monitoring",
                "register_monitoring_driver",
            ),
            "._read": (
                "case_from_dict",
                "load_case",
                "parse_case",
                "reference_case",
                "reference_case_text",
            ),
            "._sections": ("CONSISTENCY_TOLERANCE", "REFERENCE_CASE_NAME"),
            "._write": ("case_to_dict", "dump_case"),
        },
    )

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
