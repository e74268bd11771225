"""Small-count suppression: the one rule every figure that leaves casework follows.

The rule protects children and nothing else. It applies to counts of children, cases and the
referrals and support-plan goals that stand for them; counts of groups, members, meetings,
decisions, tasks and institutions are shown as they are (a municipality whose group met twice
must be visible as such).

``protect`` is the rule, in one function:

1. a protected count of 1 or 2 is shown as ``"<3"`` (``SMALL``); 0 stays 0;
2. complementary suppression: in a group of counts that add up to a total which is shown (the
   total is one of the cells) or can be derived from another table, a suppressed cell could be
   given back by subtraction. So whenever such a group has a ``"<3"``, its smallest count of 3
   or more is hidden too, as ``"x"`` (``HIDDEN``); where the group has no such count, the
   largest of its small cells is hidden instead. The hidden cells' sum is then never the sum of
   known values, and no ``"<3"`` can be worked out.

A percentage or a median drawn from a suppressed count is hidden as well (``HIDDEN``), since a
percentage next to its base, or the median of one or two values, gives the count or the child's
own figure back.

The annual report (pages, PDF, XLSX, JSON), the national aggregate (page and CSV) and the
coordinators' case overview all go through this module.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

SMALL = "<3"
HIDDEN = "x"
THRESHOLD = 3

#: Figures of the national aggregate that count cases (protected); the rest are shown.
NATIONAL_PROTECTED = ("cases_new", "cases_carried_over", "cases_examined", "cases_closed",
                      "escalations_to_red", "red_at_year_end")


def is_small(n) -> bool:
    """A count that may not be shown: 1 or 2."""
    return isinstance(n, int) and not isinstance(n, bool) and 0 < n < THRESHOLD


def is_withheld(value) -> bool:
    """A cell shown as "<3" or "x"."""
    return value in (SMALL, HIDDEN)


def protect(cells: Mapping, *, additive: bool = False) -> dict:
    """The cells of a group of protected counts as they may be shown (see the module).

    ``additive``: the cells add up to a total that is one of them or is shown elsewhere, so a
    single suppressed cell would be given back by subtraction (complementary suppression).
    Values that are not counts (None, text already suppressed) are kept as they are.
    """
    shown = {key: SMALL if is_small(n) else n for key, n in cells.items()}
    if not additive or SMALL not in shown.values():
        return shown
    larger = [(n, i, key) for i, (key, n) in enumerate(cells.items())
              if isinstance(n, int) and n >= THRESHOLD]
    if larger:
        shown[min(larger)[2]] = HIDDEN
        return shown
    small = [(n, i, key) for i, (key, n) in enumerate(cells.items()) if is_small(n)]
    if len(small) >= 2:
        shown[max(small)[2]] = HIDDEN
    return shown


def count(n):
    """One protected count that is not part of a total."""
    return protect({"n": n})["n"]


def ratio(value: dict | None) -> dict | None:
    """``{"count", "base", "percent"}`` of protected counts: the percentage is hidden when the
    count or the base is."""
    if value is None:
        return None
    shown = protect({"count": value.get("count"), "base": value.get("base")})
    percent = value.get("percent")
    if any(is_withheld(v) for v in shown.values()):
        percent = HIDDEN
    return {**shown, "percent": percent}


def median(value, base) -> object:
    """A median of ``base`` values: hidden when the base is 1 or 2 (it is a child's own figure)."""
    return HIDDEN if is_small(base) else value


def _counts(group: dict | None, *, additive: bool = False, total=None) -> tuple[dict, object]:
    cells = dict(group or {})
    if total is None:
        return protect(cells, additive=additive), None
    shown = protect({**cells, "__total__": total}, additive=True)
    total_shown = shown.pop("__total__")
    return shown, total_shown


def protect_report(document: dict) -> dict:
    """The annual report's document (``casework.reports.exports.build_document``) with the
    rule applied to section C, the only section that counts children and cases."""
    doc = copy.deepcopy(document)
    c = (doc.get("sections") or {}).get("C")
    if not c:
        return doc
    if "cases" in c:
        c["cases"] = protect(c["cases"], additive=True)  # examined = new + carried + reopened
    if "closed" in c:
        by_reason, total = _counts(c["closed"].get("by_reason"), total=c["closed"].get("total"))
        c["closed"] = {"total": total, "by_reason": by_reason}
    if "by_category" in c:  # a case may have several categories: no total
        c["by_category"] = protect(c["by_category"])
    if "referrals" in c:
        refs = c["referrals"]
        kinds, received = _counts(refs.get("by_institution_kind"), total=refs.get("received"))
        c["referrals"] = {"received": received, "by_institution_kind": kinds}
    if "risk_at_year_end" in c:
        c["risk_at_year_end"] = protect(c["risk_at_year_end"])
    if "risk_by_quarter" in c:
        c["risk_by_quarter"] = [{**protect({k: v for k, v in q.items() if k != "quarter"}),
                                 "quarter": q.get("quarter")} for q in c["risk_by_quarter"]]
    if "escalations_to_red" in c:
        c["escalations_to_red"] = protect(c["escalations_to_red"])
    if "triage" in c:
        tri = c["triage"]
        c["triage"] = {"triaged": count(tri.get("triaged")),
                       "median_working_days": median(tri.get("median_working_days"),
                                                     tri.get("triaged")),
                       "within_policy": ratio(tri.get("within_policy"))}
    if "red_to_meeting" in c:
        red = c["red_to_meeting"]
        c["red_to_meeting"] = {
            **protect({"red_starts": red.get("red_starts"), "met": red.get("met")}),
            "median_working_days": median(red.get("median_working_days"), red.get("met")),
            "within_policy": ratio(red.get("within_policy"))}
    if "children_by_age" in c:
        c["children_by_age"] = protect(c["children_by_age"])
    if c.get("plan_goals"):
        goals = c["plan_goals"]
        c["plan_goals"] = {"due_or_closed": count(goals.get("due_or_closed")),
                           "reached": ratio(goals.get("reached"))}
    return doc


def protect_national(per: list, totals: dict) -> tuple[list, dict]:
    """The national aggregate as it may be shown: each protected column (municipalities and
    the national total, which adds them up) under the rule; the other columns as they are."""
    shown_per = [(muni, dict(figs)) for muni, figs in per]
    shown_totals = dict(totals)
    for key in NATIONAL_PROTECTED:
        if key not in shown_totals:
            continue
        column = {i: figs[key] for i, (_muni, figs) in enumerate(per)}
        shown = protect({**column, "total": totals[key]}, additive=True)
        for i, (_muni, figs) in enumerate(shown_per):
            figs[key] = shown[i]
        shown_totals[key] = shown["total"]
    return shown_per, shown_totals
