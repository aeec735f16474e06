"""Compile the gettext catalogues (.po -> .mo) whenever the project is built or installed."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):
    """Write messages.mo beside every messages.po under servqual/translations."""

    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        root = Path(self.root) / "servqual" / "translations"
        for po_path in sorted(root.glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file, locale=po_path.parent.parent.name)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalogue, use_fuzzy=False)
