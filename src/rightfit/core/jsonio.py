"""Reading JSON that users and models write.

Python's parser gives up on valid JSON nested a few thousand levels deep with a RecursionError, which no
caller expects; here it is the JSONDecodeError every reader already handles, naming the cause.
"""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        doc = text if isinstance(text, str) else text.decode("utf-8", errors="replace")
        raise json.JSONDecodeError("nested too deeply to read", doc[:200], 0) from None
