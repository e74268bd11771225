"""Every list sorts by its columns, pages, and says whether it is empty or only filtered
(issue 18.3); the mechanism is casework/listing.py."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from casework.extensions import db


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/cases/\d+">(\d{4}/\d{4})</a>', html)


def test_case_list_sorts_by_a_column_and_the_other_way_on_a_second_click(client, case_manager,
                                                                          make_case):
    for risk in ("green", "red", "yellow"):
        make_case(risk=risk)
    client.login(case_manager.email)
    ascending = _numbers(client.get("/cases?sort=number").get_data(as_text=True))
    assert ascending == sorted(ascending) and len(ascending) == 3
    html = client.get("/cases?sort=number").get_data(as_text=True)
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)"', html)
    assert header and "sort=-number" in header.group(1)
    descending = _numbers(client.get(header.group(1).replace("&amp;", "&")).get_data(
        as_text=True))
    assert descending == ascending[::-1]


@pytest.mark.parametrize("sort", ["nonsense", "-", "--number", "risk;drop", "%00"])
def test_an_unknown_sort_falls_back_to_the_lists_own_order(client, case_manager, make_case,
                                                           sort):
    make_case(risk="green")
    client.login(case_manager.email)
    response = client.get("/cases", query_string={"sort": sort})
    assert response.status_code == 200
    assert 'aria-sort="ascending"' in response.get_data(as_text=True)  # risk, the default


def test_an_empty_list_says_whether_it_is_empty_or_filtered(client, case_manager, make_case):
    client.login(case_manager.email)
    empty = client.get("/cases").get_data(as_text=True)
    assert "Vēl nav nevienas lietas" in empty and "Rādīt sarakstu bez filtriem" not in empty
    make_case(risk="green")
    filtered = client.get("/cases?risk=red").get_data(as_text=True)
    assert "neatbilst neviens ieraksts" in filtered
    assert 'href="/cases">Rādīt sarakstu bez filtriem' in filtered


def test_the_page_links_keep_the_filters_and_the_sort(client, case_manager, make_case):
    for _ in range(27):
        make_case(risk="green")
    client.login(case_manager.email)
    html = client.get("/cases?risk=green&sort=-number").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "risk=green" in link and "sort=-number" in link and "page=2" in link
    assert client.get("/cases?page=999999999").status_code == 200


def test_task_lists_search_the_titles_sort_and_page(client, case_manager, make_case):
    from casework.tasks import operations as task_ops

    case = make_case(risk="yellow")
    for n in range(3):
        task_ops.create_task(case_manager, case=case, title=f"Apmeklēt ģimeni {n}",
                             description=None, assignee=case_manager,
                             due_date=date.today() + timedelta(days=10 + n))
    task_ops.create_task(case_manager, case=case, title="Sagatavot 50%_ atskaiti",
                         description=None, assignee=case_manager,
                         due_date=date.today() + timedelta(days=20))
    db.session.commit()
    client.login(case_manager.email)
    found = client.get("/tasks?q=ĢIMENI").get_data(as_text=True)
    assert found.count("Apmeklēt ģimeni") == 3 and "Sagatavot" not in found
    # "%" and "_" are searched as typed, not as wildcards.
    assert "Sagatavot" in client.get("/tasks?q=50%25_").get_data(as_text=True)
    assert "Apmeklēt" not in client.get("/tasks?q=%25").get_data(as_text=True)
    newest_first = client.get("/tasks?sort=-deadline").get_data(as_text=True)
    assert newest_first.index("Sagatavot") < newest_first.index("Apmeklēt ģimeni 2") \
        < newest_first.index("Apmeklēt ģimeni 0")
    assert "neatbilst neviens ieraksts" in client.get("/tasks?q=nekas").get_data(as_text=True)


@pytest.fixture
def school_user(make_user, make_institution):
    return make_user("specialist", institution=make_institution("school", name="Skola"))


def test_my_referrals_filter_by_triage_search_the_child_and_sort(client, school_user):
    from casework.cases import operations as case_ops

    for given, family, urgency in (("Anna", "Ozola", "green"), ("Jānis", "Bērziņš", "red")):
        case_ops.file_referral(school_user, child_given_name=given, child_family_name=family,
                               child_personal_code=None, child_birth_date=None,
                               description="Bērns neapmeklē skolu.", proposed_urgency=urgency,
                               categories=["school_absence"])
    db.session.commit()
    client.login(school_user.email)
    assert "Ozola" not in client.get("/referrals/mine?q=bērziņš").get_data(as_text=True)
    assert "Ozola" in client.get("/referrals/mine?state=waiting").get_data(as_text=True)
    triaged = client.get("/referrals/mine?state=triaged").get_data(as_text=True)
    assert "Ozola" not in triaged and "neatbilst neviens ieraksts" in triaged
    by_urgency = client.get("/referrals/mine?sort=urgency").get_data(as_text=True)
    assert by_urgency.index("Bērziņš") < by_urgency.index("Ozola")


def test_notifications_filter_unread_and_page(client, case_manager):
    from casework.notifications.models import Notification
    from casework.notifications.queries import PAGE_SIZE

    for n in range(PAGE_SIZE + 2):
        db.session.add(Notification(user_id=case_manager.id, kind="task_assigned",
                                    text=f"Paziņojums {n:03d}", dedup_key=f"k{n}",
                                    created_at=datetime(2026, 1, 1, tzinfo=UTC)
                                    + timedelta(minutes=n)))
    db.session.commit()
    client.login(case_manager.email)
    first = client.get("/notifications").get_data(as_text=True)
    assert 'rel="next"' in first and f"Paziņojums {PAGE_SIZE + 1:03d}" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Paziņojums 000" in second and f"Paziņojums {PAGE_SIZE + 1:03d}" not in second
    read = client.get("/notifications?state=read").get_data(as_text=True)
    assert "Paziņojums" not in read and "neatbilst neviens ieraksts" in read
