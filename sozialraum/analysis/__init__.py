"""Analysis on the store's data: search, distances, counts (metric CRS EPSG:25832)."""
