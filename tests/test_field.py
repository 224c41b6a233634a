"""Field mode's distances to the walk's stops and the next stop (sozialraum.services.field)."""

from __future__ import annotations

import pytest

from sozialraum.services.field import ARRIVED_M, next_stop, stop_distances

# three stops about 100 m apart along a parallel in Essen (EPSG:4326)
STOPS = [
    {"lon": 7.0000, "lat": 51.4500},
    {"lon": 7.0014, "lat": 51.4500},
    {"lon": 7.0028, "lat": 51.4500},
]


def test_distances_are_metres_along_the_ground():
    distances = stop_distances(STOPS, 7.0000, 51.4500)
    assert distances[0] == 0.0
    assert 90 < distances[1] < 105 and 185 < distances[2] < 205  # ~97 m per 0.0014° here
    assert stop_distances([], 7.0, 51.45) == []


def test_next_stop_follows_the_last_reached_one():
    far = [500.0, 600.0, 700.0]
    assert next_stop(far) == (1, [])
    assert next_stop(far, [1]) == (2, [1])
    # standing at stop 2: it is reached now (stop 1 was skipped and stays behind)
    assert next_stop([120.0, ARRIVED_M - 1, 90.0]) == (3, [2])
    assert next_stop([120.0, 80.0, 10.0], [1, 2]) == (None, [1, 2, 3])


@pytest.mark.parametrize("junk", [[0], [4], [-1], ["1"], [None]])
def test_unknown_stop_numbers_are_ignored(junk):
    assert next_stop([500.0, 600.0, 700.0], junk) == (1, [])
