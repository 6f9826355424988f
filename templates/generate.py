"""Regenerate the committed blank bid template: ``python templates/generate.py``.

``tests/test_template.py`` calls :func:`generate` and fails if the result differs from
the committed ``cypsxl_bid_template.xlsx`` (compared part by part).
"""

from __future__ import annotations

from pathlib import Path

from cypsxl.workbook.template import write_blank_template

TEMPLATE = Path(__file__).with_name("cypsxl_bid_template.xlsx")


def generate(path: Path = TEMPLATE) -> Path:
    """Write the blank template (the reference case's years, no reference) to ``path``."""
    return write_blank_template(path)


if __name__ == "__main__":
    print(f"wrote {generate()}")
