"""Compile the handout catalogs (.po → .mo) in place or into another package folder.

`make setup` runs it for the checkout; setup.py's build_py runs the same for a wheel.
Usage: python scripts/compile_catalogs.py [PACKAGE_ROOT]  (default: the checkout's sozialraum/)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sozialraum.handouts.catalogs import DOMAIN, compile_catalog  # noqa: E402


def compile_all(package: Path) -> int:
    count = 0
    for po_path in sorted((package / "handouts" / "locale").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        po_path.with_suffix(".mo").write_bytes(compile_catalog(po_path))
        count += 1
    return count


def main(argv: list[str]) -> int:
    package = Path(argv[1]) if len(argv) > 1 else ROOT / "sozialraum"
    count = compile_all(package)
    if not count:
        print(f"error: no catalogs under {package}", file=sys.stderr)
        return 1
    print(f"catalogs: {count} compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
