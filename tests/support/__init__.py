"""Helpers shared by the tests and the benchmarks (plain functions and constants, no fixtures).

Imported as ``support.<topic>``: ``tests/`` is on ``sys.path`` (``pythonpath`` in
pyproject.toml for pytest; ``benchmarks/common.py`` adds it for the benchmarks). Fixtures
and hooks stay in the ``conftest.py`` files, which import from here.
"""
