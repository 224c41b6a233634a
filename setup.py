"""Packaging hook: a wheel carries the top-level ``static/`` folder as ``sozialraum/static``
and the handout catalogs compiled (``.mo`` beside each ``.po``; compiled files are not committed).

The repository keeps ``static/`` at its top (the developers' guide; a checkout and an
editable install serve it from there). A non-editable install has no repository, so the
wheel carries the files inside the package, where :func:`sozialraum.web.app.static_folder`
looks first. Everything else is configured in ``setup.cfg``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STATIC = Path(__file__).resolve().parent / "static"


class BuildPyWithStatic(build_py):
    """``build_py`` that also copies ``static/`` (CSS, JS, vendored assets) into the package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves the checkout's static/ folder (and `make setup`)
        self._compile_catalogs(Path(self.build_lib) / "sozialraum")
        target = Path(self.build_lib) / "sozialraum" / "static"
        for path in sorted(STATIC.rglob("*")):
            relative = path.relative_to(STATIC)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                self.copy_file(str(path), str(target / relative))

    @staticmethod
    def _compile_catalogs(package: Path) -> None:
        """``.po`` → ``.mo`` for every handout catalog in the built package (needs Babel)."""
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted((package / "handouts" / "locale").glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=None)
            out = io.BytesIO()
            write_mo(out, catalog, use_fuzzy=False)
            po_path.with_suffix(".mo").write_bytes(out.getvalue())


setup(cmdclass={"build_py": BuildPyWithStatic})
