"""The text encodings accepted in uploaded text files, for every path that reads one (uploads,
the bulk import, the loading of rows): UTF-8, with or without a byte-order mark, else GB18030
(a superset of GBK and GB2312)."""

import codecs
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

# Tried in order; UTF-8 first, since GB18030 would also decode much UTF-8 text wrongly.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
NOT_TEXT = _("The file is neither UTF-8 nor GB18030 (GBK) text.")


def text_encoding(chunks: Iterable[Iterable[bytes]]) -> str | None:
    """The first of ``TEXT_ENCODINGS`` that decodes the whole of a file, or ``None``.

    ``chunks`` yields, once per encoding tried, the file's bytes in pieces (so a large file is
    decoded piece by piece and never held whole)."""
    for encoding, pieces in zip(TEXT_ENCODINGS, chunks, strict=False):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for piece in pieces:
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            # Let the source rewind now, also after a failed attempt.
            if hasattr(pieces, "close"):
                pieces.close()
        return encoding
    return None


def decode_text(data: bytes) -> str | None:
    """``data`` decoded with the first of ``TEXT_ENCODINGS`` that fits, or ``None``."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
