"""Column types shared by the table modules."""

from __future__ import annotations

import json
from typing import Any

import orjson
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

# Dates and dataclasses are refused, as the standard library refuses them: a row holds only
# what its service put there on purpose. Integer keys become text, as json.dumps makes them.
_ORJSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def dumps(value: Any) -> str:
    """Compact JSON text for a column (orjson: a pipeline batch stores hundreds of thousands).

    Read back with the standard library, which keeps integers beyond 64 bits exact (orjson
    would turn them into floats). NaN is written as null, never as the invalid ``NaN``.

    >>> dumps({"items": [1, "é"], 2: None})
    '{"items":[1,"é"],"2":null}'
    """
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        # What orjson will not take (integers beyond 64 bits, say) the standard library may;
        # what neither takes raises json's own error.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JSONText(TypeDecorator[Any]):
    """JSON kept as text on every database, accepting text already serialised.

    The intake workers serialise documents in parallel; the writer then stores their text as it
    is instead of encoding every document again in the one process that holds the write lock.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return dumps(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
