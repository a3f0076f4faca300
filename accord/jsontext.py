"""What `json.loads` accepts from a person's file or body but no database can store."""

import json
import re

# An escaped UTF-16 surrogate (\ud800 to \udfff). A pair is one character (how writers that
# escape everything write an emoji); a lone one becomes a string that cannot be encoded as
# UTF-8, and saving it fails with UnicodeEncodeError.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def has_lone_surrogate(raw: bytes, parsed) -> bool:
    """Whether `parsed` (read from `raw`) holds a text no database can store."""
    if not _SURROGATE_ESCAPE.search(raw):
        return False  # the usual case: one scan of the bytes
    try:
        json.dumps(parsed, ensure_ascii=False, default=str).encode()
    except UnicodeEncodeError:
        return True
    return False
