"""A workflow's refusal is a Babel catalog text, like its states and actions: one translation
mechanism, so a third language is only a catalog (issue 18.6)."""

from __future__ import annotations

import ast
import re
import string

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from casework import ROOT
from casework.cases.personal_code import InvalidPersonalCode
from tests.workflows.test_case_lifecycle import Case, facts
from workflows import (
    WorkflowError,
    annual_report,
    case_lifecycle,
    decision,
    labels,
    meeting,
    risk_profile,
    support_plan,
    task,
)
from workflows.labels import Label
from workflows.meeting import validate_meeting_times

MODULES = [case_lifecycle, risk_profile, task, meeting, decision, annual_report, support_plan]
IDS = [m.__name__.rsplit(".", 1)[1] for m in MODULES]
PO = ROOT / "casework" / "translations" / "lv" / "LC_MESSAGES" / "messages.po"


def _latvian_catalog() -> dict[tuple[str | None, str], str]:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="lv")
    return {(m.context, m.id): m.string for m in catalog if m.id and isinstance(m.id, str)}


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_condition_message_is_a_catalog_entry_with_its_own_latvian_text(module):
    catalog = _latvian_catalog()
    for condition in module.CONDITIONS.values():
        message = condition.message
        assert isinstance(message, Label), condition.code
        latvian = catalog.get((message.context, message.msgid))
        assert latvian, f"{condition.code}: {message!r} has no Latvian translation"
        assert latvian != message.msgid, condition.code
        assert _placeholders(latvian) == _placeholders(message.msgid), condition.code


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_refusal_is_formatted_after_translation_in_both_languages(module):
    for condition in module.CONDITIONS.values():
        values = {name: 7 for name in _placeholders(condition.message.msgid)}
        error = condition.error(None, values, "some_trigger", "some_state")
        for locale in ("lv", "en"):
            text = error.message(locale)
            assert "{" not in text and "}" not in text, (condition.code, locale, text)
            if values:
                assert "7" in text


def test_a_placeholder_is_filled_from_the_facts_in_each_language():
    error = case_lifecycle.bind(Case("intervention"), facts(open_task_count=3)).check(
        "close", closure_reason="goals_achieved"
    )
    assert error.message("lv") == (
        "Pirms lietas slēgšanas visi atvērtie uzdevumi jāizpilda vai jāatceļ (atvērti: 3)."
    )
    assert error.message("en") == (
        "Every open task must be done or cancelled before the case is closed (open: 3)."
    )


def test_the_machine_s_own_refusals_name_the_action_and_status_in_the_same_language():
    m = case_lifecycle.bind(Case("crisis", risk="red"), facts())
    unknown = m.check("fly_away")
    assert unknown.code == "unknown_trigger"
    assert unknown.message("lv") == "Nezināma darbība “fly_away”."
    assert unknown.message("en") == "Unknown action “fly_away”."
    err = m.check("close", closure_reason="goals_achieved")
    assert err.message("en_GB") == "“Close the case” is not possible while the status is “crisis”."


def test_latvian_is_the_default_and_a_language_without_a_catalog_gets_the_message_id():
    error = case_lifecycle.bind(Case("intervention"), facts(open_task_count=1)).check(
        "close", closure_reason="goals_achieved"
    )
    assert error.message() == error.message(None) == str(error) == error.message("lv")
    # As for the workflows' labels: the catalog decides, and without one the id is shown.
    assert error.message("et") == error.message("en")


@pytest.fixture
def lithuanian_catalog(tmp_path, monkeypatch):
    """A third language added as nothing but a compiled catalog next to the Latvian one."""
    catalog = Catalog(locale="lt", domain="messages")
    catalog.add(
        "Every open task must be done or cancelled before the case is closed "
        "(open: {open_task_count}).",
        "Prieš uždarant bylą visos atviros užduotys turi būti atliktos (atviros: "
        "{open_task_count}).",
        context="refusal",
    )
    catalog.add("“{action}” is not possible while the status is “{status}”.",
                "„{action}“ negalima, kai būsena yra „{status}“.", context="refusal")
    catalog.add("Close the case", "Uždaryti bylą", context="case action")
    catalog.add("crisis", "krizė", context="case status")
    folder = tmp_path / "lt" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    latvian = tmp_path / "lv" / "LC_MESSAGES"  # the real Latvian catalog stays in use
    latvian.mkdir(parents=True)
    real = labels.CATALOG_DIR / "lv" / "LC_MESSAGES" / "messages.mo"
    (latvian / "messages.mo").write_bytes(real.read_bytes())
    monkeypatch.setattr(labels, "CATALOG_DIR", tmp_path)
    labels.translations.cache_clear()
    yield
    labels.translations.cache_clear()


@pytest.mark.usefixtures("lithuanian_catalog")
def test_a_third_language_is_only_a_catalog():
    m = case_lifecycle.bind(Case("intervention"), facts(open_task_count=2))
    error = m.check("close", closure_reason="goals_achieved")
    assert error.message("lt") == (
        "Prieš uždarant bylą visos atviros užduotys turi būti atliktos (atviros: 2)."
    )
    assert error.message("lv").endswith("(atvērti: 2).")
    crisis = case_lifecycle.bind(Case("crisis", risk="red"), facts()).check(
        "close", closure_reason="goals_achieved"
    )
    assert crisis.message("lt") == "„Uždaryti bylą“ negalima, kai būsena yra „krizė“."


def test_a_meeting_time_refusal_is_a_catalog_text():
    from datetime import UTC, datetime

    start = datetime(2025, 5, 6, 10, 0, tzinfo=UTC)
    with pytest.raises(WorkflowError) as refused:
        validate_meeting_times(start, start)
    assert refused.value.message("lv") == "Sanāksmes beigu laikam jābūt pēc tās sākuma laika."
    assert refused.value.message("en") == "The meeting must end after it starts."


@pytest.mark.parametrize(
    ("code", "latvian"),
    [("checksum", "kontrolcipars"), ("company_code", "juridiskas personas")],
)
def test_a_personal_code_refusal_is_a_catalog_text(code, latvian):
    error = InvalidPersonalCode(code)
    assert latvian in error.message("lv") == str(error)
    assert error.message("en") != error.message("lv")


#: Calls whose message must be a catalog text, with the position of that message.
_MESSAGE_ARGUMENT = {"WorkflowError": 1, "Condition": 1, "fact_condition": 1,
                     "input_condition": 2}


def test_no_workflow_refusal_is_hand_written_prose():
    """No refusal passes a literal text (in any language) where the catalog message goes."""
    prose = []
    for path in sorted((ROOT / "workflows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = _MESSAGE_ARGUMENT.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant | ast.JoinedStr):
                prose.append(f"{path.name}:{node.lineno}")
    assert prose == []


def test_the_latvian_catalog_keeps_the_placeholders_of_each_refusal():
    for (context, msgid), latvian in _latvian_catalog().items():
        if context == "refusal":
            assert _placeholders(latvian) == _placeholders(msgid), msgid
            assert not re.search(r"%\(|%s", latvian), msgid
