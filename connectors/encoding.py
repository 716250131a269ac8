"""Text encoding of an agency export, decided from its bytes, never from its file name.

Government systems still export GBK (Excel's default "CSV" on a Chinese Windows), some
UTF-8 with a BOM, some plain UTF-8. A BOM decides at once; otherwise the file is scanned
in chunks as UTF-8 and the first invalid sequence means GB18030 (a superset of GBK).
"""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20


def detect(path: Path) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8' or 'gb18030'; streams, never reads the file whole."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"
