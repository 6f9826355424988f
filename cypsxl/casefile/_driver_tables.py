"""The top-level tables of the cost drivers in a case file (read by ``_drivers``).

Kept apart so that the MTFS and monitoring readers know the names without importing
the drivers' readers (and pandas) until a case has such a table.
"""

from __future__ import annotations

__all__ = ["DRIVER_TABLES"]

#: Top-level tables of the cost drivers (see docs/drivers.md).
DRIVER_TABLES = ("register", "placement", "workforce", "post", "demand", "cohort")
