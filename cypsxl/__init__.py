"""cypsxl: children's services MTFS engine for Excel workbooks.

>>> from cypsxl import load_case, run_case
>>> run_case(load_case()).gap.revised.round(3).tolist()
[0.0, 24.13, 7.854, 18.864]
"""

from ._version import __version__
from .casefile import dump_case, load_case, parse_case, reference_case
from .errors import CaseError, Problem
from .model import Case, Results, run_case

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
