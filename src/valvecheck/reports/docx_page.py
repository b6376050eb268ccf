"""The page around a Word report: a running header and "Page X of Y" footer on every page, and
headings, intros, captions and pictures kept on the page of what follows them."""

from __future__ import annotations

import re

from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # no XML can hold these


def field_xml(instruction: str) -> str:
    """A simple field (PAGE, NUMPAGES) the reader's word processor fills in; '1' until it does."""
    return f'<w:fldSimple w:instr=" {instruction} "><w:r>{SMALL}<w:t>1</w:t></w:r></w:fldSimple>'


SMALL = '<w:rPr><w:sz w:val="16"/></w:rPr>'  # 8 pt: the running header and footer


def add_running_text(doc: DocumentType, head: str) -> None:
    """A header on every page with ``head`` (title, council, date), and a footer "Page X of
    Y": a printed page says what it belongs to, and a reader can cite its number."""
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = NOT_XML.sub("", head)
    header.runs[0].font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    parts = [
        f'<w:r>{SMALL}<w:t xml:space="preserve">Page </w:t></w:r>',
        field_xml("PAGE"),
        f'<w:r>{SMALL}<w:t xml:space="preserve"> of </w:t></w:r>',
        field_xml("NUMPAGES"),
    ]
    for part in parts:
        footer._p.append(etree.fromstring(f'<w:x xmlns:w="{W_NS}">{part}</w:x>')[0])


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def keep_with_next(doc: DocumentType) -> None:
    """Keep every heading, every paragraph just before a table (an intro or a caption) and
    every picture (with its caption) on the page of what follows it, so none is left at the
    foot of a page with its table on the next."""
    body = doc.element.body
    children = list(body)
    for element, after in zip(children, [*children[1:], None], strict=True):
        if element.tag != qn("w:p"):
            continue
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        heading = style is not None and (style.get(qn("w:val")) or "").startswith(
            ("Heading", "Title")
        )
        before_table = after is not None and after.tag == qn("w:tbl")
        picture = element.find(f".//{qn('w:drawing')}") is not None
        if heading or before_table or picture:
            element.get_or_add_pPr().keepNext_val = True  # in the schema's place among its kin
