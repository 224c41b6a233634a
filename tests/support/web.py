"""Logging in and reading forms through the Flask test client."""

from __future__ import annotations

import re

#: Demo logins per role (see sozialraum/accounts/demo.py).
DEMO_LOGINS = {
    "viewer": ("demo-lesend", "demo-lesend-2026"),
    "caseworker": ("demo-fachkraft", "demo-fachkraft-2026"),
    "lead": ("demo-leitung", "demo-leitung-2026"),
    "admin": ("demo-admin", "demo-admin-2026"),
}


def csrf_token(client, path="/anmelden", **kwargs) -> str:
    """The CSRF token of a page (every page has it in <meta name="csrf-token">)."""
    page = client.get(path, follow_redirects=True, **kwargs).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def mapping_fields(page: str) -> dict[str, str]:
    """The mailbox list's column-mapping step: its fields as the browser sends them back
    (the header hash and the preselected column per part; "" where nothing is preselected)."""
    fields = {"kopf": re.search(r'name="kopf" value="([0-9a-f]+)"', page).group(1)}
    for role, body in re.findall(
        r'<select id="spalte-(\w+)" name="spalte_\w+"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="(\d*)" selected>', body)
        fields[f"spalte_{role}"] = chosen.group(1) if chosen else ""
    return fields


def login(client, role="caseworker"):
    """Log ``client`` in through the real form as the demo user of ``role``."""
    name, password = DEMO_LOGINS[role]
    response = client.post(
        "/anmelden", data={"csrf_token": csrf_token(client), "username": name, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
