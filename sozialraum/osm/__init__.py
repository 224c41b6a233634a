"""OpenStreetMap import: reading an OSM file or an Overpass answer into an area's layers.

Resources, addresses, districts, walk network and streets are stored in EPSG:4326.
"""
