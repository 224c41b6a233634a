"""Field notes: list, create, view, edit, delete; the notes JSON API and OpenAPI part."""
