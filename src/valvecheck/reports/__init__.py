"""Report writers: one module per format, all rendering the same ``ReportData``.

``FORMATS`` maps a format name to its writer, ``write(data, out_dir, progress) -> [paths
written]``; ``progress(n)``, when given, is told each time n more table rows are written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from valvecheck.reports import docx, html, markdown, position, xlsx
from valvecheck.reports.model import ReportData, Tick

Writer = Callable[[ReportData, Path, Tick | None], list[Path]]

FORMATS: dict[str, Writer] = {
    "docx": docx.write,
    "xlsx": xlsx.write,
    "html": html.write,
    "md": markdown.write,
    "position": position.write,
}

# What --format all writes; the position statement joins them when a --since date is given.
ALL = ("docx", "xlsx", "html", "md")
