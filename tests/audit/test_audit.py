"""The audit log: tamper-evident chain and the data protection officer's view."""

from sqlalchemy import update

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
