"""Hypothesis profiles of the property tests.

``ci`` is derandomized and uses no example database, so every run tries the same examples
and a failure in CI reproduces locally. It is loaded unless a profile is chosen on the
command line; ``dev`` explores new examples on each run (``--hypothesis-profile=dev``).
Each test sets its own ``max_examples``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", **_COMMON)


def pytest_configure(config):
    if config.getoption("hypothesis_profile", default=None) is None:
        settings.load_profile("ci")
