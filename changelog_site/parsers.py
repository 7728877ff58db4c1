"""The API's JSON parser: DRF's, plus a 400 for documents nested too deep to decode."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """``[[[[...]]]]`` nested past Python's recursion limit makes ``json.loads`` raise
    RecursionError, which DRF does not catch (it became a 500); it is malformed input like any other."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
