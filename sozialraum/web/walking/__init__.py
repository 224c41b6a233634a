"""Walking (distances, isochrones, Wegweiser): guide, district profile; JSON API."""
