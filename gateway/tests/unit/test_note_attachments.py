"""A refused attachment is said in the page's language, from the cases service's field code."""

from __future__ import annotations

import io

import pytest
from gateway.portal.api import ApiProblem, FieldProblem
from gateway.portal.i18n import Translator
from gateway.portal.note_attachments import chosen_files, refusal
from starlette.datastructures import FormData, UploadFile

CODES = ("file_infected", "file_too_large", "file_type_not_allowed", "file_empty", "too_many_files")


@pytest.mark.parametrize("code", CODES)
def test_every_field_code_has_its_words_in_both_languages(code: str) -> None:
    problem = ApiProblem(422, errors=[FieldProblem("file", code)])
    norwegian, english = refusal(problem, Translator("nb")), refusal(problem, Translator("en"))
    assert norwegian != english
    assert code not in norwegian
    assert code not in english


def test_an_unknown_code_is_a_sentence_not_the_code() -> None:
    problem = ApiProblem(422, errors=[FieldProblem("file", "something_new")])
    assert refusal(problem, Translator("nb")) == Translator("nb")("attachment.error.unknown")


def test_the_empty_file_part_a_browser_sends_is_no_file() -> None:
    empty = UploadFile(io.BytesIO(b""), filename="")
    chosen = UploadFile(io.BytesIO(b"%PDF-"), filename="a.pdf")
    form = FormData([("vedlegg", empty), ("vedlegg", chosen), ("body", "hei")])
    assert chosen_files(form) == [chosen]
