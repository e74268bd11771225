"""The audit log: tamper-evident chain and the data protection officer's view."""

from sqlalchemy import select, update

from casework.audit.models import AuditEvent
from casework.audit.operations import record, verify_chain
from casework.extensions import db


def test_audit_chain_links_every_event_to_the_previous_one(app_ctx, make_user):
    user = make_user("admin")
    first = record("test_one", user=user)
    second = record("test_two", user=user)
    db.session.commit()
    assert second.prev_hash == first.hash
    assert verify_chain() is None


def test_audit_chain_detects_a_changed_event(app_ctx, make_user):
    user = make_user("admin")
    record("test_one", user=user)
    victim = record("test_two", user=user, details={"x": 1})
    record("test_three", user=user)
    db.session.commit()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                       .values(details={"x": 2}))
    db.session.commit()
    assert verify_chain() == victim.id


def test_audit_chain_detects_a_removed_event(app_ctx, make_user):
    user = make_user("admin")
    record("test_one", user=user)
    victim = record("test_two", user=user)
    after = record("test_three", user=user)
    db.session.commit()
    db.session.delete(victim)
    db.session.commit()
    assert verify_chain() == after.id


def test_auditor_sees_only_their_municipalitys_events(client, login_as, make_municipality,
                                                     make_institution, make_user):
    login_as("auditor")
    outsider = make_user("admin", email="svesais@example.lv",
                         institution=make_institution("other", municipality=make_municipality()))
    record("test_foreign_event", user=outsider)
    db.session.commit()
    html = client.get("/audit/").get_data(as_text=True)
    assert "login" in html
    assert "test_foreign_event" not in html


def test_auditor_can_check_the_chain(client, login_as):
    login_as("auditor")
    html = client.get("/audit/verify").get_data(as_text=True)
    assert "ķēde ir nebojāta" in html


def test_audit_verify_command_fails_on_tampering(app_ctx, runner, make_user):
    user = make_user("admin")
    event = record("test_one", user=user)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(action="x"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1


# -- a keyed chain and anchors (an insider cannot rewrite the log unseen) ---------------------
def _three_events(make_user):
    user = make_user("admin")
    events = [record(f"test_{n}", user=user) for n in ("one", "two", "three")]
    db.session.commit()
    return events


def test_audit_hash_is_keyed_so_recomputing_it_without_the_key_is_detected(app_ctx,
                                                                          make_user):
    import hashlib

    from casework.audit.operations import _payload

    events = _three_events(make_user)
    victim = db.session.get(AuditEvent, events[1].id)
    # An insider changes a row and recomputes the chain from there with plain SHA-256.
    victim.details = {"x": 1}
    victim.hash = hashlib.sha256(_payload(victim).encode()).hexdigest()
    last = db.session.get(AuditEvent, events[2].id)
    last.prev_hash = victim.hash
    last.hash = hashlib.sha256(_payload(last).encode()).hexdigest()
    db.session.commit()
    assert verify_chain() == victim.id


def test_audit_hash_changes_with_the_key(app, app_ctx, make_user, monkeypatch):
    from casework.audit.operations import compute_hash

    event = _three_events(make_user)[0]
    monkeypatch.setitem(app.config, "AUDIT_KEY", "another-audit-key-that-is-long-enough-0")
    assert compute_hash(event) != event.hash
    assert verify_chain() == event.id


def test_audit_anchor_detects_truncation_of_the_newest_events(app_ctx, runner, make_user):
    events = _three_events(make_user)
    anchor = runner.invoke(args=["audit", "anchor"]).output.strip()
    newest = events[2].id
    assert anchor == f"{newest}:{events[2].hash}"
    # The chain alone cannot see its newest rows cut off...
    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.id == newest))
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # ...the anchor kept outside the database can.
    result = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 1
    assert f"broken at event {newest}" in result.output
    assert "missing" in result.output


def test_audit_anchor_detects_a_chain_recomputed_with_the_key(app_ctx, runner, make_user,
                                                             tmp_path):
    from casework.audit.operations import compute_hash

    events = _three_events(make_user)
    anchors = tmp_path / "anchors.txt"
    assert runner.invoke(args=["audit", "anchor", "--output", str(anchors)]).exit_code == 0
    record("test_four", user=events[0].user)
    db.session.commit()
    assert runner.invoke(args=["audit", "anchor", "--output", str(anchors)]).exit_code == 0
    assert len(anchors.read_text().splitlines()) == 2
    ok = runner.invoke(args=["audit", "verify", "--anchor", str(anchors)])
    assert ok.exit_code == 0, ok.output
    assert "2 anchor(s)" in ok.output
    # Someone holding the key edits the first event and recomputes every hash after it.
    prev = None
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
        if prev is None:
            event.details = {"rewritten": True}
        else:
            event.prev_hash = prev
        event.hash = compute_hash(event)
        prev = event.hash
        db.session.flush()
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--anchor", str(anchors)])
    assert result.exit_code == 1
    assert f"broken at event {events[2].id}" in result.output
    assert "recomputed" in result.output


def test_audit_verify_refuses_an_argument_without_an_anchor(app_ctx, runner):
    result = runner.invoke(args=["audit", "verify", "--anchor", "nonsense"])
    assert result.exit_code == 2


def test_auditor_page_shows_the_anchor_and_checks_one(client, login_as):
    auditor = login_as("auditor")
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    html = client.get("/audit/verify").get_data(as_text=True)
    assert f"{head.id}:{head.hash}" in html
    html = client.get("/audit/verify", query_string={"anchor": f"{head.id}:{head.hash}"}
                      ).get_data(as_text=True)
    assert "ķēde ir nebojāta" in html
    html = client.get("/audit/verify", query_string={"anchor": f"{head.id + 5}:{'a' * 64}"}
                      ).get_data(as_text=True)
    assert "ķēde ir nebojāta" not in html
    assert auditor.id


# -- the audit log holds no case content ------------------------------------------------------
def test_audit_details_keep_ids_and_codes_and_drop_free_text(app_ctx, make_user, caplog):
    user = make_user("admin")
    event = record("test_details", user=user, details={
        "case_id": 7, "status": "done", "on": "2026-11-02",
        "reason": "Bērns stāstīja par sitieniem",
        "note": "kods", "to": "Jānis Bērziņš", "statuses": {"12": "attended"}})
    db.session.commit()
    assert event.details == {"case_id": 7, "status": "done", "on": "2026-11-02",
                             "statuses": {"12": "attended"},
                             "withheld": ["note", "reason", "to"]}
    assert "sitieniem" not in caplog.text and "Jānis" not in caplog.text
    assert record("login_failed", details={"reason": "wrong_password"}).details == {
        "reason": "wrong_password"}
    db.session.commit()
    assert verify_chain() is None


def test_audit_log_holds_no_case_content(app_ctx, make_case, case_manager, make_user,
                                         social_service):
    from casework.cases import operations as case_ops
    from casework.tasks.models import Task
    from casework.tasks.operations import cancel_task, complete_task

    secrets = ["Tēvs draud ar vardarbību", "Skolotāja redzēja zilumus", "Kārlis",
               "Ozoliņš", "Māte atteicās sadarboties", "Izpildīts, bērns drošībā",
               "Nav vairs aktuāli", "Policija ziņo par bērna pazušanu"]
    case = make_case(risk="yellow")
    case_ops.change_risk(case_manager, case, "raise_to_red", reason=secrets[0])
    case_ops.add_note(case_manager, case, level="group", text=secrets[1])
    case_ops.add_person(case_manager, case, role="parent", given_name=secrets[2],
                        family_name=secrets[3], personal_code=None, birth_date=None)
    case_ops.record_review(case_manager, case, summary=secrets[4])
    tasks = db.session.scalars(select(Task).where(Task.case_id == case.id)).all()
    complete_task(case_manager, tasks[0], secrets[5])
    db.session.commit()
    other = make_case(risk="green")
    for task in db.session.scalars(select(Task).where(Task.case_id == other.id,
                                                      Task.status == "open")):
        cancel_task(case_manager, task, secrets[6])
    head = make_user("head_of_service", institution=social_service)
    case_ops.break_glass(head, case.number, secrets[7])
    db.session.commit()
    rows = db.session.scalars(select(AuditEvent)).all()
    assert {"case_risk_changed", "case_note_added", "case_person_added", "case_reviewed",
            "task_complete", "case_break_glass"} <= {r.action for r in rows}
    stored = " ".join(f"{r.action} {r.object_id} {r.details}" for r in rows)
    for secret in secrets + ["Anna", "Bērziņa"]:
        assert secret not in stored
    assert verify_chain() is None
