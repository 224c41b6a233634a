"""Basemap: the area's own vector tiles (``/tiles/<area>/<z>/<x>/<y>.mvt``) for the map pages.

Also what the pages need to draw them: URL template, bounds, the notice when it is missing.
"""
