"""Shipping documents: waybill labels (面单, 隐私面单) as PDF and ZPL, packing slips, pick lists.

Pure renderers: they take the plain dataclasses of `models` and return bytes or
text, with no database and no I/O. Chinese text is set in an embedded TrueType
CJK font (see `fonts`).
"""

from orderflow.documents.label_pdf import render_labels, write_labels
from orderflow.documents.models import (
    Address,
    Amount,
    Contact,
    DocumentDataError,
    LabelData,
    PackingSlipData,
    PickItem,
    PickListData,
    SlipLine,
)
from orderflow.documents.packing_slip import render_packing_slip
from orderflow.documents.pick_list import render_pick_list
from orderflow.documents.zpl import render_zpl

__all__ = [
    "Address",
    "Amount",
    "Contact",
    "DocumentDataError",
    "LabelData",
    "PackingSlipData",
    "PickItem",
    "PickListData",
    "SlipLine",
    "render_labels",
    "render_packing_slip",
    "render_pick_list",
    "render_zpl",
    "write_labels",
]
