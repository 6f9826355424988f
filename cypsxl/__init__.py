"""cypsxl: children's services MTFS engine for Excel workbooks.

>>> from cypsxl import load_case, run_case
>>> run_case(load_case()).gap.revised.round(3).tolist()
[0.0, 24.13, 7.854, 18.864]
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__
from .errors import CaseError, Problem

if TYPE_CHECKING:
    from .casefile import dump_case, load_case, parse_case, reference_case
    from .model import Case, Results, run_case
else:  # each name is imported from its module when first used
    __getattr__, __dir__ = lazy_names(
        __name__,
        {
            ".casefile": ("dump_case", "load_case", "parse_case", "reference_case"),
            ".model": ("Case", "Results", "run_case"),
        },
    )

__all__ = [
    "Case",
    "CaseError",
    "Problem",
    "Results",
    "__version__",
    "dump_case",
    "load_case",
    "parse_case",
    "reference_case",
    "run_case",
]
