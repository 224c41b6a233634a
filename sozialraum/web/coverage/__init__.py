"""Coverage: the visit-coverage page, its map and CSV."""
