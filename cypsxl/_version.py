"""The engine version, printed by ``cypsxl --version`` and stamped on every output."""

__version__ = "0.1.0"
