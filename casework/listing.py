"""Sorting, paging and "empty or filtered?" of the lists (issue 18.3): one mechanism for every
list page, so that the case list, the task lists, the decisions, the referrals, the
notifications and the audit log sort, page and answer an empty result the same way.

A list declares its sortable columns as SQL expressions (each on an indexed column: the test of
the indexes checks them), the default order and its filters' default values; `read_list` reads
``sort``, ``page`` and the filters from the query string (an unknown value falls back to the
default, never to an error) and `ListState` gives the ``ORDER BY``, the links of the column
headers and of the pages, and whether the user narrowed the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import func, select

#: Rows per page of every list.
PER_PAGE = 50
#: The highest page number a link may ask for (a bigger one is the last page, not an error).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ListSpec:
    """What a list may be sorted by, and its defaults.

    ``sorts`` maps a key of the query string (``?sort=due`` ascending, ``?sort=-due``
    descending) to the SQL expressions it orders by, ascending; ``tiebreak`` keeps the order
    stable between pages; ``defaults`` are the values of the list's filters when the query
    string does not give them (a list that hides closed rows by default says so here).
    """

    endpoint: str
    sorts: Mapping[str, Callable[[], Sequence[Any]]]
    default_sort: str
    tiebreak: Callable[[], Sequence[Any]] = field(default=lambda: ())
    defaults: Mapping[str, Any] = field(default_factory=dict)
    per_page: int = PER_PAGE

    def default_order(self) -> list[Any]:
        """The list's own order, when the request does not choose a column."""
        key, descending = _parse_sort(self.default_sort)
        columns = list(self.sorts[key]())
        if descending:
            columns = [c.desc() for c in columns]
        return columns + list(self.tiebreak())


@dataclass
class ListState:
    """One request's view of a list: its order, page and filters."""

    spec: ListSpec
    sort: str
    descending: bool
    page: int
    filters: dict[str, Any]
    url_args: dict[str, Any] = field(default_factory=dict)

    def order_by(self) -> list[Any]:
        """The ``ORDER BY`` expressions: the chosen column, then the tiebreak."""
        columns = list(self.spec.sorts[self.sort]())
        if self.descending:
            columns = [c.desc() for c in columns]
        return columns + list(self.spec.tiebreak())

    @property
    def filtered(self) -> bool:
        """Whether the user narrowed the list (a search or a filter other than its default)."""
        return any(value not in (None, "", False) and value != self.spec.defaults.get(name)
                   for name, value in self.filters.items())

    def _args(self, **changes) -> dict[str, Any]:
        args = {k: v for k, v in {**self.filters, **self.url_args}.items()
                if v not in (None, "", False) and v != self.spec.defaults.get(k)}
        if (self.sort, self.descending) != _parse_sort(self.spec.default_sort):
            args["sort"] = ("-" if self.descending else "") + self.sort
        args.update(changes)
        return {k: (1 if v is True else v) for k, v in args.items() if v is not None}

    def url(self, **changes) -> str:
        """This list with ``changes`` to its query string (``page=2``, ``sort="-due"``)."""
        return url_for(self.spec.endpoint, **self._args(**changes))

    def sort_url(self, key: str) -> str:
        """The link of a column header: sorts by ``key``, the other way if already sorted."""
        descending = not self.descending if key == self.sort else False
        return self.url(sort=("-" if descending else "") + key, page=None)

    def aria_sort(self, key: str) -> str:
        """``aria-sort`` of a column header."""
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def page_url(self, page: int) -> str:
        return self.url(page=page if page > 1 else None)


def contains_pattern(text: str) -> str:
    """A LIKE pattern (``escape="\\"``) matching values that contain ``text`` literally:
    ``%`` and ``_`` typed by the user are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_text(args: Mapping[str, str], name: str = "q", limit: int = 100) -> str | None:
    """The list's search text: trimmed, at most ``limit`` characters, None when empty."""
    return (str(args.get(name) or "")).strip()[:limit] or None


def _parse_sort(value: str) -> tuple[str, bool]:
    return (value[1:], True) if value.startswith("-") else (value, False)


def read_list(spec: ListSpec, args: Mapping[str, str], filters: Mapping[str, Any],
              **url_args) -> ListState:
    """The list's state from the query string; ``filters`` are the already validated values of
    the list's own filters (None where absent: the spec's default applies)."""
    sort, descending = _parse_sort(str(args.get("sort") or spec.default_sort))
    if sort not in spec.sorts:
        sort, descending = _parse_sort(spec.default_sort)
    try:
        page = int(args.get("page") or 1)
    except (TypeError, ValueError):
        page = 1
    page = min(max(page, 1), MAX_PAGE)
    values = {name: (spec.defaults.get(name) if value is None else value)
              for name, value in filters.items()}
    return ListState(spec, sort, descending, page, values, dict(url_args))


def paginate(db, stmt, state: ListState):
    """A page of ``stmt`` in the list's order (Flask-SQLAlchemy's pagination: one query for the
    rows and one for the count, whatever the size of the list); a page past the end shows the
    last one."""
    ordered = stmt.order_by(None).order_by(*state.order_by())

    def fetch(page: int):
        return db.paginate(ordered, page=page, per_page=state.spec.per_page,
                           max_per_page=state.spec.per_page, error_out=False)

    found = fetch(state.page)
    if not found.items and state.page > 1 and found.total:
        found = fetch(found.pages)  # a page past the end shows the last one
    return found


@dataclass
class Page:
    """A page of rows (the attributes of Flask-SQLAlchemy's pagination that the pages use)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_rows(db, stmt, state: ListState) -> Page:
    """A page of a select of several columns (``(Task, overdue)``): the rows and, by a window
    count, how many there are in all, in one query; a page past the end shows the last one."""
    per_page = state.spec.per_page
    ordered = stmt.order_by(None).order_by(*state.order_by())

    def fetch(page: int):
        return db.session.execute(ordered.add_columns(func.count().over())
                                  .limit(per_page).offset((page - 1) * per_page)).all()

    page, found = state.page, fetch(state.page)
    if not found and page > 1:
        total = db.session.scalar(select(func.count()).select_from(
            stmt.order_by(None).subquery()))
        page = max(1, -(-total // per_page))
        found = fetch(page) if total else []
    total = found[0][-1] if found else 0
    return Page([tuple(row[:-1]) for row in found], page, per_page, total)
