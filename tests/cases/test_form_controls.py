"""Form controls and errors where the field is (issues 18.1, 18.2): radios and checkboxes in a
fieldset with a legend and their label beside them, no text-format hint beside a native date
picker, every error next to its field and an error summary at the top that links to it."""

from datetime import date

import lxml.html
import pytest

from casework.cases import operations as ops
from casework.extensions import db


@pytest.fixture
def school_user(make_user, make_institution):
    return make_user("specialist", institution=make_institution("school", name="Skola"))


@pytest.fixture
def referral(school_user):
    found = ops.file_referral(school_user, child_given_name="Marta", child_family_name="Liepiņa",
                              child_personal_code=None, child_birth_date=date(2016, 2, 10),
                              categories=["neglect"], description="Bērns bieži paliek viens.",
                              proposed_urgency="yellow")
    db.session.commit()
    return found


def _tree(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def _pages(client, case_manager, make_case, referral):
    client.login(case_manager.email)
    case = make_case()
    return {path: _tree(client.get(path)) for path in (
        "/referrals/new", f"/referrals/{referral.id}/triage", f"/cases/{case.id}",
        "/notifications/settings", "/account/api-tokens")}


def test_every_radio_and_checkbox_group_is_a_fieldset_with_a_legend(client, case_manager,
                                                                     make_case, referral):
    for path, tree in _pages(client, case_manager, make_case, referral).items():
        choices = tree.xpath("//main//input[@type='radio' or @type='checkbox']")
        assert choices, path
        for choice in choices:
            if choice.get("type") == "checkbox" and not choice.xpath("ancestor::fieldset"):
                # A single yes/no checkbox: its own label beside it is its name.
                assert choice.getparent().xpath(f"label[@for='{choice.get('id')}']"), path
                continue
            fieldset = choice.xpath("ancestor::fieldset[1]")
            assert fieldset, (path, choice.get("name"))
            assert fieldset[0].xpath("legend[normalize-space()]"), (path, choice.get("name"))


def test_each_choice_has_its_label_on_the_same_line(client, case_manager, make_case, referral):
    for path, tree in _pages(client, case_manager, make_case, referral).items():
        for choice in tree.xpath("//main//input[@type='radio' or @type='checkbox']"):
            row = choice.getparent()
            assert "check" in row.get("class", "").split(), (path, choice.get("name"))
            assert row.xpath(f"label[@for='{choice.get('id')}']"), (path, choice.get("id"))


@pytest.mark.parametrize("group", ["outcome", "proposed_urgency", "level"])
def test_named_radio_groups_are_fieldsets(client, case_manager, make_case, referral, group):
    pages = _pages(client, case_manager, make_case, referral)
    found = [tree.xpath(f"//fieldset[.//input[@type='radio'][@name='{group}']]/legend")
             for tree in pages.values()]
    assert any(found), group


def test_no_text_format_hint_beside_a_native_date_picker(client, case_manager, make_case,
                                                         referral):
    for path, tree in _pages(client, case_manager, make_case, referral).items():
        for date_input in tree.xpath("//input[@type='date']"):
            block = date_input.getparent().text_content()
            assert "GGGG-MM-DD" not in block and "YYYY-MM-DD" not in block, path


def test_an_invalid_form_answers_400_with_a_summary_linking_to_each_field(client, school_user):
    client.login(school_user.email)
    response = client.post_form("/referrals/new", {"description": ""}, token_from="/")
    assert response.status_code == 400
    tree = _tree(response)
    (summary,) = tree.xpath("//*[@data-error-summary]")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    assert summary.xpath(".//h2[@id=$id]", id=summary.get("aria-labelledby"))
    links = summary.xpath(".//a/@href")
    assert "#child_given_name" in links and "#description" in links
    assert "#proposed_urgency-0" in links  # a radio group: its first choice
    for href in links:
        assert tree.xpath("//*[@id=$id]", id=href[1:]), href


def test_every_error_is_next_to_its_field_and_named_by_the_input(client, school_user):
    client.login(school_user.email)
    tree = _tree(client.post_form("/referrals/new", {"description": ""}, token_from="/"))
    field = tree.xpath("//input[@id='child_given_name']")[0]
    block = field.getparent()
    assert "field-error" in block.get("class")
    assert block.xpath(".//*[@id='child_given_name-error' and normalize-space()]")
    assert "child_given_name-error" in field.get("aria-describedby").split()
    assert field.get("aria-invalid") == "true"
    radios = tree.xpath("//fieldset[.//input[@name='proposed_urgency']]")[0]
    assert radios.xpath(".//*[@id='proposed_urgency-error']")
    assert "proposed_urgency-error" in radios.get("aria-describedby")


def test_triage_fields_follow_the_outcome_and_the_server_still_validates(client, case_manager,
                                                                        referral):
    client.login(case_manager.email)
    tree = _tree(client.get(f"/referrals/{referral.id}/triage"))
    shown = {el.xpath(".//*[@name]/@name")[0]: el.get("data-show-when")
             for el in tree.xpath("//*[@data-show-when]") if el.xpath(".//*[@name]")}
    assert shown["risk"] == "outcome=new_case attached"
    assert shown["reason"] == "outcome=no_action"
    assert shown["case_number"] == "outcome=attached"
    # Hidden in the browser or not, the rule is the server's: a new case needs a colour.
    response = client.post_form(f"/referrals/{referral.id}/triage", {"outcome": "new_case"},
                                token_from="/")
    assert response.status_code == 400
    assert _tree(response).xpath("//*[@data-error-summary]//a[@href='#risk']")
