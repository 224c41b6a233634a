"""Areas: start page, area and district maps, search, place and address cards; JSON API."""
