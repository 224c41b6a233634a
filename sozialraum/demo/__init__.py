"""The fictional demo area Musterstadt-Nord: its OSM file, notes, walk and offers.

:mod:`~sozialraum.demo.geometry` holds the local metre grid shared by the builders,
:mod:`~sozialraum.demo.area` the map, notes, walk and :func:`~sozialraum.demo.area.install_demo`,
:mod:`~sozialraum.demo.offers` the support offers.
"""
