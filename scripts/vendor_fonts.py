"""Copy the handouts' fonts from Debian's packages to static/fonts/ (served by the app).

Run by `make setup` after it installed fonts-dejavu-core and fonts-noto-core when missing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sozialraum.handouts.fonts import FONT_FILES, LICENCES, fonts_folder  # noqa: E402


def main() -> int:
    target = fonts_folder(ROOT / "static")
    target.mkdir(parents=True, exist_ok=True)
    missing = sorted(
        {package for source, package in FONT_FILES.values() if not Path(source).exists()}
    )
    if missing:
        print(
            f"error: fonts missing, install: apt-get install {' '.join(missing)}", file=sys.stderr
        )
        return 1
    for name, (source, _package) in FONT_FILES.items():
        shutil.copyfile(source, target / name)
    for name, source in LICENCES.items():
        if Path(source).exists():
            shutil.copyfile(source, target / name)
    print(f"fonts: {len(FONT_FILES)} files in {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
