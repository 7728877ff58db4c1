"""Serializer fields that refuse what DRF's own would quietly coerce.

DRF turns ``{"title": 123}`` into ``"123"`` and treats ``?status=`` as if the parameter were
absent; the API's contract is a 400 for both (the OpenAPI schema says ``string`` and ``enum``).
"""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that accepts JSON strings only: numbers and booleans are a 400, not coerced."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class BlankIsInvalidMixin:
    """A query parameter sent empty (``?status=``) is validated as ``""`` (a 400), not skipped."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class StrictChoiceField(BlankIsInvalidMixin, serializers.ChoiceField):
    pass


class StrictIntegerField(BlankIsInvalidMixin, serializers.IntegerField):
    pass


class StrictRegexField(BlankIsInvalidMixin, serializers.RegexField):
    pass
