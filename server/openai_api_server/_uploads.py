"""The server's side of the upload rules, which are the client's (``openai_api._validation``: one
implementation of the spec's ``x-`` upload extensions for both): the check of a training record, by jsonschema, in
the words of the real API's answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import best_match

from openai_api._validation import RecordCheck
from openai_api_server._spec import Spec


def record_check(spec: Spec) -> Callable[[str], RecordCheck]:
    """The ``records`` argument of :func:`openai_api._validation.refusal` for ``spec``: a record schema's
    reference -> the check of one record."""

    def check_of(ref: str) -> RecordCheck:
        validator = spec.schema_validator({"$ref": ref})

        def problem(record: Any) -> str | None:
            error = best_match(validator.iter_errors(record))
            while error is not None and error.context:  # an anyOf: the branch the record came closest to
                error = best_match(error.context)
            if error is None:
                return None
            return "".join(f"[{p!r}]" for p in error.path) + f": {error.message}"

        return problem

    return check_of
