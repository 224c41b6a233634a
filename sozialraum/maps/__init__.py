"""Maps built on the server: interactive folium maps and printable SVG maps (no Flask).

The folium maps take GeoJSON in EPSG:4326 (lon/lat degrees); the SVG maps draw metres in
EPSG:25832, north up, with pixels as user units.
"""
