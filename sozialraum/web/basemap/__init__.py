"""Basemap: the area's own vector tiles (``/tiles/<area>/<z>/<x>/<y>.mvt``) and what the map
pages need to draw them (URL template, bounds, the notice when the basemap is missing)."""
