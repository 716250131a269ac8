"""Turn GraphQL inputs into validated identifiers, with errors that name the field."""

from __future__ import annotations

import datetime as dt

from hub.identifiers import IdentifierError, PersonId, Uscc, parse_person_id, parse_uscc
from hub.schema.errors import BadInput, bad_identifier
from hub.schema.types import SubjectInput


def subject_of(value: SubjectInput, field: str = "subject") -> Uscc | PersonId:
    has_person = value.id_type is not None or value.id_number is not None
    if (value.uscc is None) == (not has_person):
        raise BadInput(field, "give either uscc, or idType and idNumber")
    try:
        if value.uscc is not None:
            return parse_uscc(value.uscc, "uscc")
        if value.id_type is None or value.id_number is None:
            raise BadInput(field, "a person needs both idType and idNumber")
        return parse_person_id(value.id_type.value, value.id_number, "idNumber")
    except IdentifierError as err:
        raise bad_identifier(field, err) from None


def as_of_or_today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.date.today()
