"""The API's JSON parser: text the database cannot store is refused as a 400 that says so, before any query.

JSON may escape characters that no column can hold: NUL (PostgreSQL refuses it in text) and unpaired UTF-16
surrogates (which no UTF-8 database can encode). Without this check they reached a query and gave a 500 on
PostgreSQL while SQLite accepted them."""

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class UnstorableText(ValueError):
    pass


def _check(value: Any, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UnstorableText(f"{where} contains a NUL character (\\u0000), which cannot be stored")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise UnstorableText(f"{where} contains an unpaired surrogate, which is not a character") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, f"A key in {where}")
            _check(item, f"{where}.{key}" if where != "The body" else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")


class StorableJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        _check(data, "The body")
        return data
