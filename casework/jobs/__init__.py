"""Scheduled jobs (DESIGN.md §5, STYLE.md 11): idempotent "due and not yet notified" sweeps run
by one scheduler process (``flask --app casework scheduler``) or once by ``run-due-jobs``.
Web workers never start them."""


def init_app(app) -> None:
    """Register the commands and the unread-notification count of the page header."""
    from casework.jobs import cli
    from casework.notifications.queries import unread_count_processor

    cli.init_app(app)
    app.context_processor(unread_count_processor)
