"""``flask --app casework report annual --municipality <ATVK> --year <Y> --format pdf -o FILE``:
the same export as the pages (snapshot once submitted, the draft's live figures before)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from casework.extensions import db
from casework.orgs.models import Municipality
from casework.reports import exports, queries


@click.group("report")
def report_group() -> None:
    """Annual reports."""


@report_group.command("annual")
@click.option("--municipality", "atvk", required=True, help="ATVK code of the municipality.")
@click.option("--year", type=int, required=True, help="The year the report is on.")
@click.option("--format", "fmt", type=click.Choice(sorted(exports.FORMATS)), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def annual_command(atvk: str, year: int, fmt: str, output: str) -> None:
    """Write the municipality's annual report on YEAR to OUTPUT."""
    muni = db.session.scalar(select(Municipality).where(Municipality.atvk_code == atvk))
    if muni is None:
        raise click.UsageError(f"No municipality with ATVK code {atvk}.")
    report = queries.report_for(muni.id, year)
    doc = exports.display(report, muni, year)
    Path(output).write_bytes(exports.export(doc, fmt))
    click.echo(f"{output}: {fmt}, {muni.name} {year}, "
               f"{exports.status_label(doc['status'])}")


def init_app(app) -> None:
    """Register the command group."""
    app.cli.add_command(report_group)
