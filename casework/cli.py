"""Command-line commands: ``flask --app casework <command>``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from casework.extensions import db


@click.command("seed-demo")
@click.option("--password", default=None, help="Password of every demo user.")
@with_appcontext
def seed_demo_command(password: str | None) -> None:
    """Create the demo municipality "Parauga novads" and one user per role."""
    from casework.demo import DEFAULT_DEMO_PASSWORD, seed_demo

    created = seed_demo(password or DEFAULT_DEMO_PASSWORD)
    db.session.commit()
    if any(created.values()):
        click.echo("Created: " + ", ".join(f"{k} {v}" for k, v in created.items()))
    else:
        click.echo("Demo data already present; nothing changed.")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="FILE|VALUE",
              help="An anchor printed by 'audit anchor' (<id>:<hash>), or a file of them; "
                   "may be given more than once.")
@with_appcontext
def audit_verify_command(anchors: tuple[str, ...]) -> None:
    """Check the audit log's hash chain (and the anchors); exits 1 if it was tampered with."""
    from pathlib import Path

    from casework.audit.operations import check_chain, parse_anchors

    parsed = []
    for value in anchors:
        path = Path(value)
        found = parse_anchors(path.read_text(encoding="utf-8") if path.is_file() else value)
        if not found:
            raise click.UsageError(f"No anchor (<id>:<hash>) in {value!r}.")
        parsed += found
    problem = check_chain(parsed)
    if problem is None:
        suffix = f" and matches {len(parsed)} anchor(s)" if parsed else ""
        click.echo(f"Audit log intact{suffix}.")
        return
    why = {"changed": "an event was changed or removed",
           "missing": "the anchored event is missing: newer events were removed",
           "rewritten": "the anchored event has another hash: the chain was recomputed"}
    click.echo(f"Audit log broken at event {problem.event_id}: {why[problem.kind]}.", err=True)
    raise SystemExit(1)


@audit_group.command("anchor")
@click.option("--output", type=click.Path(dir_okay=False),
              help="Also append the anchor, with the time, to this file.")
@with_appcontext
def audit_anchor_command(output: str | None) -> None:
    """Print the head of the chain (last id and hash) to keep outside the database."""
    import logging

    from casework.audit.operations import chain_head
    from casework.db_types import utcnow

    head = chain_head()
    if head is None:
        click.echo("The audit log is empty.", err=True)
        raise SystemExit(1)
    logging.getLogger("casework.audit").info("Audit anchor %s", head)
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"{utcnow().isoformat(timespec='seconds')} {head}\n")
    click.echo(str(head))


@click.group("mail")
def mail_group() -> None:
    """E-mail of notifications."""


@mail_group.command("requeue")
@click.option("--all", "everything", is_flag=True, help="Every e-mail given up.")
@click.option("--id", "ids", type=int, multiple=True, help="A notification id (repeatable).")
@with_appcontext
def mail_requeue_command(everything: bool, ids: tuple[int, ...]) -> None:
    """Queue e-mails given up after the last retry to be sent again (lists them without
    options)."""
    from casework.audit.operations import record
    from casework.notifications.mail import failed_emails, requeue_failed

    if everything and ids:
        raise click.UsageError("Give --all or --id, not both.")
    if not everything and not ids:
        rows = db.session.scalars(failed_emails()).all()
        for n in rows:
            click.echo(f"{n.id}\tuser {n.user_id}\t{n.created_at:%Y-%m-%d %H:%M}\t"
                       f"attempts {n.email_attempts}")
        click.echo(f"{len(rows)} e-mail(s) given up; requeue with --all or --id.")
        return
    count = requeue_failed(notification_ids=ids or None)
    if count:
        record("emails_requeued", details={"count": count, "ids": list(ids) or None,
                                           "by": "command_line"})
    db.session.commit()
    click.echo(f"{count} e-mail(s) queued to be sent again.")


@click.command("create-admin")
@click.option("--atvk", required=True, help="ATVK code of the municipality (7 digits).")
@click.option("--municipality", "municipality_name", help="Name, when the municipality is new.")
@click.option("--institution", "institution_name", required=True,
              help="The administrator's institution (created as kind 'other' when missing).")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@with_appcontext
def create_admin_command(atvk, municipality_name, institution_name, email, full_name) -> None:
    """Create a municipality's first administrator; prints a temporary password."""
    from casework.auth.operations import bootstrap_user

    try:
        user, password = bootstrap_user(
            email=email, full_name=full_name, roles=["admin"], atvk=atvk,
            municipality_name=municipality_name, institution_name=institution_name)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email}; temporary password (change at first login): {password}")


@click.command("create-inspector")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@with_appcontext
def create_inspector_command(email, full_name) -> None:
    """Create an inspector of the national authority; prints a temporary password."""
    from casework.auth.operations import bootstrap_user

    try:
        user, password = bootstrap_user(email=email, full_name=full_name, roles=["inspector"])
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email}; temporary password (change at first login): {password}")


@click.group("import")
def import_group() -> None:
    """Import a municipality's existing registers (case register, decision table)."""


def _municipality(atvk: str | None):
    from sqlalchemy import select

    from casework.orgs.models import Municipality

    rows = db.session.scalars(select(Municipality).order_by(Municipality.id)).all()
    if atvk:
        rows = [m for m in rows if m.atvk_code == atvk.strip()]
        if not rows:
            raise click.UsageError(f"There is no municipality with ATVK code {atvk}.")
    if len(rows) != 1:
        raise click.UsageError("Name the municipality with --municipality ATVK.")
    return rows[0]


def _report_import(result, dry_run: bool) -> None:
    from flask_babel import force_locale

    from casework.imports.registers import error_lines

    with force_locale("lv"):
        for column in result.ignored_columns:
            click.echo(f"Neatpazīta kolonna (netiek importēta): {column}")
        for line in error_lines(result):
            click.echo(line, err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} kļūdas(-u) {result.rows} rindās; nekas netika "
                   "ierakstīts.", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo(f"Pārbaude: {result.rows} rindas bez kļūdām; nekas netika ierakstīts "
                   "(--dry-run).")
    else:
        if result.kind == "cases":
            click.echo(f"Importētas lietas: {result.created}, personas: {result.persons}.")
        else:
            click.echo(f"Importēti lēmumi: {result.created}.")


@import_group.command("cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--municipality", "atvk", default=None, help="ATVK code of the municipality.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@with_appcontext
def import_cases_command(file: str, atvk: str | None, dry_run: bool) -> None:
    """Import a case register (FILE.xlsx or FILE.csv); on any error nothing is written."""
    from pathlib import Path

    from flask_babel import force_locale

    from casework.imports.registers import import_cases

    municipality = _municipality(atvk)
    with force_locale("lv"):
        result = import_cases(None, municipality.id, Path(file).name, Path(file).read_bytes(),
                              dry_run=dry_run)
    if result.written:
        db.session.commit()
    else:
        db.session.rollback()
    _report_import(result, dry_run)


@import_group.command("decisions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--municipality", "atvk", default=None, help="ATVK code of the municipality.")
@click.option("--group", "group_id", type=int, default=None,
              help="The strategic group (needed when the municipality has more than one).")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@with_appcontext
def import_decisions_command(file: str, atvk: str | None, group_id: int | None,
                             dry_run: bool) -> None:
    """Import a decision table (Nr., Tēma, Vienošanās, Izpildes gaita, …) into a strategic
    group; on any error nothing is written."""
    from pathlib import Path

    from flask_babel import force_locale

    from casework.imports.registers import import_decisions, strategic_group_of

    municipality = _municipality(atvk)
    group = strategic_group_of(municipality.id, group_id)
    if group is None:
        raise click.UsageError("Name the municipality's strategic group with --group ID.")
    with force_locale("lv"):
        result = import_decisions(None, group, Path(file).name, Path(file).read_bytes(),
                                  dry_run=dry_run)
    if result.written:
        db.session.commit()
    else:
        db.session.rollback()
    _report_import(result, dry_run)


@click.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor_command(email: str) -> None:
    """Remove a user's second factor (a lost phone); they set it up again at the next login."""
    from casework.auth.operations import find_user_by_email
    from casework.auth.twofactor import reset

    user = find_user_by_email(email)
    if user is None:
        raise click.UsageError(f"No user with the e-mail address {email!r}.")
    reset(None, user)
    db.session.commit()
    click.echo(f"The second factor of {user.email} has been reset; every session of the user "
               "has ended.")


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(create_inspector_command)
    app.cli.add_command(import_group)
    app.cli.add_command(reset_second_factor_command)
