"""How wide a Word table's column must be for its words never to break mid-word.

LibreOffice lays Word files out in DejaVu Sans (its stand-in for Calibri, and wider), and
breaks a word that does not fit its column wherever the column ends ("Recommendati / on",
"Thames/Richmon / d"). A column is therefore made as wide as its longest word in DejaVu Sans
(bold for a header or a total row, regular for body text), and its cell's margins.
"""

from __future__ import annotations

from collections.abc import Iterable

from docx.shared import Emu, Length, Mm, Pt

# Advance widths of DejaVu Sans in ems by character, read from the fonts' metrics and rounded
# up; a character not listed is taken as wide as 'M', which errs wide.
_REGULAR = {
    0.28: "'ijl",
    0.30: "IJ",
    0.32: " ,.’‘",
    0.34: "/:;\\|",
    0.36: "f",
    0.37: "-",
    0.40: "()[]t",
    0.41: "!",
    0.42: "r",
    0.46: '"',
    0.51: "*_`–",
    0.53: "sz",
    0.54: "?",
    0.55: "c",
    0.56: "L",
    0.58: "Fk",
    0.60: "vxy",
    0.61: "P",
    0.62: "TYaeo",
    0.64: "$0123456789ESbdghnpqu{}£",
    0.66: "K",
    0.69: "ABVXZ",
    0.70: "CR",
    0.74: "U",
    0.75: "N",
    0.76: "H",
    0.78: "&DG",
    0.79: "OQ",
    0.82: "w",
    0.84: "#+<=>^~",
    0.87: "M",
    0.96: "%",
    0.98: "m",
    0.99: "W",
    1.00: "@—…",
}
_BOLD = {
    0.31: "'",
    0.35: " ijl",
    0.37: "/\\|",
    0.38: ",.IJ’‘",
    0.40: ":;",
    0.42: "-",
    0.44: "f",
    0.46: "!()[]",
    0.48: "t",
    0.50: "r",
    0.51: "_`–",
    0.53: '"*',
    0.59: "?z",
    0.60: "cs",
    0.64: "L",
    0.65: "x",
    0.66: "vy",
    0.67: "k",
    0.68: "ae",
    0.69: "EFTo",
    0.70: "$0123456789£",
    0.72: "bdghnpqu{}",
    0.73: "SYZ",
    0.74: "CP",
    0.77: "B",
    0.78: "AKRVX",
    0.82: "U",
    0.83: "G",
    0.84: "#+<=>DHN^~",
    0.86: "OQ",
    0.88: "&",
    0.93: "w",
    1.00: "@M—…",
    1.01: "%",
    1.05: "m",
    1.11: "W",
}
EMS = {c: ems for ems, chars in _REGULAR.items() for c in chars}
BOLD_EMS = {c: ems for ems, chars in _BOLD.items() for c in chars}
# Table Grid's left and right cell margins (3.8 mm), and a little to spare
CELL_MARGINS = Mm(4.3)


def ems(text: str, bold: bool = True) -> float:
    """The width of ``text`` in ems of DejaVu Sans (bold unless told)."""
    widths = BOLD_EMS if bold else EMS
    return sum(widths.get(c, widths["M"]) for c in text)


def word_width(word: str, size: float = 10, bold: bool = True) -> Length:
    """How wide a cell must be to hold ``word`` (``size`` points) on one line."""
    return Emu(int(ems(word, bold) * Pt(size)) + CELL_MARGINS)


def longest_word(texts: Iterable[str], size: float = 10, bold: bool = True) -> Length:
    """The width the longest word of ``texts`` needs on a line of its own. A word is what lies
    between spaces: a measure's id ("hammersmith-fulham-3") is one, never broken at its
    hyphens when its column is as wide as this."""
    words = {w for t in texts for w in t.split()}
    return max((word_width(w, size, bold) for w in words), default=Emu(0))
