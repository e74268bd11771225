"""The demo strategic group of "Parauga novads" (called at the end of `casework.demo.seed_demo`).

One strategic cooperation group led by the demo coordinator, with members from the social
service, the orphans' court, the police, the education board, the school and health care; two
years of meetings (about every two months, plus a supervision each year) played through the
service layer with explicit times: goals, attendance, approved minutes, decisions and proposals
numbered at approval, tasks issued. Then the decisions' execution is set directly (every state,
with progress entries) and some tasks are closed. The latest past meeting waits for approval;
one meeting is planned within the next two weeks.

Notifications the history would have produced are marked read at their time: nobody's inbox
should fill with two years of demo news. Deterministic (``random.Random(2026)``); dates are
relative to now. Idempotent: nothing happens if the group exists.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from casework.auth.models import Role, User
from casework.cases.models import Case
from casework.db_types import utcnow
from casework.demo import demo_email
from casework.extensions import db
from casework.groups import operations as ops
from casework.groups.models import CooperationGroup, Decision, DecisionProgress, Meeting
from casework.notifications.models import Notification
from casework.orgs.models import InstitutionKind
from casework.tasks.models import Task
from workflows.policy import LATVIA, RIGA, local_date

GROUP_NAME = "Parauga novada stratēģiskās sadarbības grupa"
SEED = 2026

# login (before @), full name, institution kind, role in the group
MEMBERS = (
    ("head_of_service", None, InstitutionKind.SOCIAL_SERVICE, "sociālā dienesta vadītāja"),
    ("orphans_court", "Ieva Bāriņtiesa", InstitutionKind.ORPHANS_COURT,
     "bāriņtiesas priekšsēdētāja"),
    ("specialist2", None, InstitutionKind.STATE_POLICE, "iecirkņa inspektors"),
    ("education_board", "Agris Izglītība", InstitutionKind.EDUCATION_BOARD,
     "izglītības pārvaldes speciālists"),
    ("specialist", None, InstitutionKind.SCHOOL, "skolas sociālais pedagogs"),
    ("health_care", "Dr. Rita Ārste", InstitutionKind.HEALTH_CARE, "ģimenes ārste"),
)
GOALS = (
    "Izvērtēt skolu kavējumu gadījumu dinamiku un vienoties par rīcību.",
    "Pārskatīt iepriekšējās sanāksmes lēmumu izpildes gaitu.",
    "Vienoties par informācijas apmaiņas kārtību starp iestādēm.",
    "Izvērtēt krīzes gadījumu apstrādes laikus un sadarbības šķēršļus.",
    "Sagatavot priekšlikumus pašvaldībai par atbalsta pakalpojumiem ģimenēm.",
    "Analizēt vardarbības ģimenē gadījumus un policijas izsaukumu datus.",
)
SUPERVISION_GOAL = "Supervīzija: grupas sadarbības izvērtēšana ar ārēju supervizoru."
ITEMS = ("Gadījumu pārskats (pseidonimizēti)", "Dažādi jautājumi")
DECISIONS = (
    ("decision", "Izglītības pārvaldei reizi mēnesī apkopot neattaisnotos kavējumus pa skolām "
                 "un iesniegt sociālajam dienestam.", InstitutionKind.EDUCATION_BOARD),
    ("decision", "Sociālajam dienestam izstrādāt vienotu ziņojuma veidlapu iestādēm.",
     InstitutionKind.SOCIAL_SERVICE),
    ("decision", "Policijai informēt sociālo dienestu par izsaukumiem uz ģimenēm ar bērniem "
                 "nākamajā darba dienā.", InstitutionKind.STATE_POLICE),
    ("proposal_municipality", "Ierosināt pašvaldībai finansēt krīzes dzīvokli ģimenēm ar "
                              "bērniem.", InstitutionKind.SOCIAL_SERVICE),
    ("proposal_state", "Ierosināt Labklājības ministrijai noteikt vienotu starpinstitūciju "
                       "informācijas apmaiņas sistēmu.", InstitutionKind.SOCIAL_SERVICE),
    ("decision", "Bāriņtiesai un sociālajam dienestam kopīgi organizēt apmācību skolu "
                 "pedagogiem par vardarbības pazīmēm.", InstitutionKind.ORPHANS_COURT),
    ("decision", "Ģimenes ārstu praksēm informēt sociālo dienestu par neveiktām bērnu "
                 "profilaktiskajām apskatēm.", InstitutionKind.HEALTH_CARE),
    ("proposal_state", "Ierosināt Izglītības un zinātnes ministrijai precizēt kavējumu "
                       "uzskaites kārtību.", InstitutionKind.EDUCATION_BOARD),
)
TASKS = ("Sagatavot informāciju nākamajai sanāksmei",
         "Iesniegt apkopojumu koordinatorei",
         "Sagatavot vēstules projektu")
PROGRESS = ("Uzsākta datu apkopošana; pirmais apkopojums iesniegts.",
            "Sagatavots projekts, nosūtīts saskaņošanai iestādēm.",
            "Saņemti iestāžu komentāri; darbs turpinās.")
NOT_EXECUTED = "Pašvaldības budžetā līdzekļi netika piešķirti."
PLACE = "Parauga novada pašvaldība, sēžu zāle"
MINUTES = ("Sanāksmi vada koordinatore. Izskatīti darba kārtības jautājumi; dalībnieki "
           "informēja par situāciju savās iestādēs. Pieņemti lēmumi, kas norādīti zemāk.")
#: What was discussed and concluded on each agenda item (issue 18.4: minutes per item).
ITEM_MINUTES = {
    GOALS[0]: "Izglītības pārvalde informēja par neattaisnoto kavējumu skaitu pa skolām; "
              "kavējumi visvairāk pieauguši pamatskolas vecākajās klasēs. Vienojās, ka "
              "skolas ziņo sociālajam dienestam pēc piecām neattaisnotām dienām.",
    GOALS[1]: "Koordinatore iepazīstināja ar iepriekšējo lēmumu izpildi; lielākā daļa ir "
              "izpildē, termiņi ievēroti. Nokavētie uzdevumi pārrunāti ar atbildīgajiem.",
    GOALS[2]: "Pārrunāta informācijas apmaiņa starp iestādēm; šķērslis ir ziņojumu "
              "dažādās formas. Vienojās par vienotu ziņojuma veidlapu.",
    GOALS[3]: "Izvērtēti krīzes gadījumi: grupa sasaukta savlaicīgi, bet policijas "
              "informācija sociālo dienestu sasniedz ar kavēšanos.",
    GOALS[4]: "Apspriesta vajadzība pēc krīzes dzīvokļa un ģimenes asistenta "
              "pakalpojuma; priekšlikums sagatavots pašvaldībai.",
    GOALS[5]: "Policija iepazīstināja ar izsaukumu datiem; vardarbības gadījumu skaits "
              "nemainīgs. Vienojās par kopīgām apmācībām skolu pedagogiem.",
    SUPERVISION_GOAL: "Supervizors vadīja grupas darba izvērtēšanu; dalībnieki atzina, ka "
                      "sadarbība uzlabojusies, bet jāprecizē lomas krīzes gadījumos.",
    ITEMS[0]: "Pārskatīti gadījumi pēc numuriem; diviem gadījumiem nepieciešama ātrāka "
              "starpprofesionāļu grupas sasaukšana.",
}


def _ensure_members(by_kind) -> dict[str, User]:
    """The three extra specialists; the password hash is copied from the school specialist."""
    template = db.session.scalar(select(User).where(User.email == demo_email("specialist")))
    users = {}
    for login, full_name, kind, _role in MEMBERS:
        email = demo_email(login)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=full_name, institution=by_kind[kind],
                        password_hash=template.password_hash,
                        password_changed_at=template.password_changed_at)
            user.roles = [Role.SPECIALIST.value]
            db.session.add(user)
        users[login] = user
    db.session.flush()
    return users


def _working_day(d: date) -> date:
    while not LATVIA.is_working_day(d):
        d += timedelta(days=1)
    return d


def _moment(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=RIGA).astimezone(UTC)


def _quiet(meeting: Meeting, at: datetime) -> None:
    """The past meeting's notifications: created and read at their time."""
    keys = [f"meeting_invited:m{meeting.id}:%", f"minutes_approved:m{meeting.id}:%"]
    for key in keys:
        db.session.execute(update(Notification).where(Notification.dedup_key.like(key))
                           .values(created_at=at, read_at=at + timedelta(hours=4),
                                   email_state="logged", emailed_at=at))
    task_ids = select(Task.id).where(Task.meeting_id == meeting.id)
    for task_id in db.session.scalars(task_ids):
        db.session.execute(update(Notification)
                           .where(Notification.dedup_key == f"task_issued:t{task_id}")
                           .values(created_at=at, read_at=at + timedelta(hours=4),
                                   email_state="logged", emailed_at=at))


def seed_demo_groups(muni, by_kind) -> dict[str, int]:
    """Create the demo strategic group and its history unless it exists; counts of new rows."""
    counts = {"strategic_group": 0, "strategic_meeting": 0}
    if db.session.scalar(select(CooperationGroup.id).where(
            CooperationGroup.municipality_id == muni.id, CooperationGroup.name == GROUP_NAME)):
        return counts
    rng = random.Random(SEED)
    now = utcnow()
    today = local_date(now)
    coordinator = db.session.scalar(select(User).where(
        User.email == demo_email(Role.COORDINATOR.value)))
    users = _ensure_members(by_kind)
    group = ops.create_strategic_group(
        coordinator, name=GROUP_NAME, lead=coordinator,
        description="Pašvaldības stratēģiskā sadarbības grupa bērnu tiesību aizsardzībai "
                    "(MK noteikumi Nr. 545).")
    start = today - timedelta(days=740)
    group.created_at = _moment(start, 9)
    for login, _name, _kind, role in MEMBERS:
        member = ops.add_member(coordinator, group, users[login], role_in_group=role,
                                member_from=_moment(start, 9))
        member.member_from = _moment(start, 9)
    counts["strategic_group"] = 1
    member_ids = [users[login].id for login, *_ in MEMBERS]
    institutions = {kind: by_kind[kind].id for kind in by_kind}
    case_numbers = list(db.session.scalars(select(Case.number).where(
        Case.municipality_id == muni.id).order_by(Case.id)))

    # Past meetings: about every two months, plus a supervision each year (in autumn).
    days = []
    d = start + timedelta(days=14)
    while d < today - timedelta(days=10):
        days.append((_working_day(d), "regular"))
        d += timedelta(days=61)
    for years_ago in (1, 0):
        sup = _working_day(date(today.year - years_ago, 10, 15))
        if start < sup < today - timedelta(days=12):
            days.append((sup, "supervision"))
    days.sort()
    meetings = []
    waiting = max(n for n, (_day, kind) in enumerate(days) if kind == "regular")
    for n, (day, kind) in enumerate(days):
        latest = n == waiting
        meetings.append(_past_meeting(rng, coordinator, group, users, member_ids, institutions,
                                      case_numbers, day, kind, n, approve=not latest))
    counts["strategic_meeting"] = len(meetings) + 1
    # One planned meeting within the next two weeks.
    planned_day = _working_day(today + timedelta(days=rng.randint(5, 12)))
    planned = ops.plan_meeting(coordinator, group, starts_at=_moment(planned_day),
                               ends_at=_moment(planned_day, 12), place=PLACE,
                               title="Kārtējā sanāksme", invite_ids=member_ids,
                               minute_taker_id=users["head_of_service"].id)
    ops.add_agenda_item(coordinator, planned, kind="goal", text=GOALS[1])
    ops.add_agenda_item(coordinator, planned, kind="goal", text=GOALS[0])
    _execution(rng, coordinator, group, today)
    db.session.flush()
    return counts


def _past_meeting(rng, coordinator, group, users, member_ids, institutions, case_numbers,
                  day, kind, n, approve) -> Meeting:
    starts = _moment(day)
    planned_at = starts - timedelta(days=14)
    meeting = ops.plan_meeting(coordinator, group, starts_at=starts,
                               ends_at=starts + timedelta(hours=2), kind=kind, place=PLACE,
                               title="Supervīzija" if kind == "supervision" else None,
                               invite_ids=member_ids,
                               minute_taker_id=users["head_of_service"].id)
    meeting.created_at = planned_at
    for row in meeting.attendance:
        row.invited_at = planned_at
    if kind == "supervision":
        ops.add_agenda_item(coordinator, meeting, kind="goal", text=SUPERVISION_GOAL)
    else:
        for goal in rng.sample(GOALS, 2):
            ops.add_agenda_item(coordinator, meeting, kind="goal", text=goal)
        ops.add_agenda_item(coordinator, meeting, kind="item", text=ITEMS[0],
                            case_number=rng.choice(case_numbers) if case_numbers else None)
    statuses = {uid: rng.choice(("attended",) * 5 + ("excused", "absent"))
                for uid in member_ids}
    statuses[member_ids[0]] = "attended"
    ops.record_attendance(coordinator, meeting, statuses)
    held = starts + timedelta(hours=2)
    ops.mark_held(coordinator, meeting, at=held)
    ops.save_minutes(coordinator, meeting, minutes=MINUTES, item_minutes={
        item.id: ITEM_MINUTES.get(item.text) for item in meeting.agenda})
    if kind == "regular":
        goals = [item for item in meeting.agenda if item.kind == "goal"]
        for k in range(rng.randint(1, 2)):
            dkind, text, inst = DECISIONS[(n * 2 + k) % len(DECISIONS)]
            item_id = goals[k % len(goals)].id  # the decision is taken on a goal of the agenda
            decision = ops.add_decision(coordinator, meeting, kind=dkind, text=text,
                                        responsible_institution_id=institutions[inst],
                                        due_date=day + timedelta(days=rng.randint(30, 90)),
                                        agenda_item_id=item_id)
            assignee = rng.choice([users[m[0]] for m in MEMBERS])
            ops.add_task(coordinator, meeting, title=rng.choice(TASKS), assignee=assignee,
                         due_date=day + timedelta(days=rng.randint(14, 45)),
                         decision_id=decision.id, agenda_item_id=item_id)
    if approve:
        approved = held + timedelta(days=1)
        ops.approve_minutes(coordinator, meeting, at=approved)
        _quiet(meeting, approved)
    else:
        _quiet(meeting, planned_at)
    return meeting


def _execution(rng, coordinator, group, today: date) -> None:
    """Give the published decisions every execution state and close some tasks."""
    decisions = list(db.session.scalars(select(Decision).where(
        Decision.group_id == group.id, Decision.published_at.is_not(None))
        .order_by(Decision.id)))
    cycle = ("executed", "in_progress", "executed", "not_executed", "in_progress", "executed")
    for i, decision in enumerate(decisions):
        published = local_date(decision.published_at)
        from_end = len(decisions) - i
        state = "pending" if from_end <= 2 else "in_progress" if from_end <= 4 \
            else cycle[i % len(cycle)]
        if state == "pending":
            continue
        steps = rng.randint(1, 2)
        for s in range(steps):
            on = min(published + timedelta(days=20 * (s + 1)), today)
            db.session.add(DecisionProgress(decision_id=decision.id, on=on,
                                            text=PROGRESS[s % len(PROGRESS)],
                                            status_after="in_progress",
                                            author_id=coordinator.id))
        if state in ("executed", "not_executed"):
            on = min(published + timedelta(days=20 * (steps + 1)), today)
            db.session.add(DecisionProgress(
                decision_id=decision.id, on=on, author_id=coordinator.id, status_after=state,
                text="Izpildīts; rezultāts ziņots grupai." if state == "executed"
                else NOT_EXECUTED))
            if state == "not_executed":
                decision.not_executed_reason = NOT_EXECUTED
        decision.status = state
    tasks = list(db.session.scalars(select(Task).where(
        Task.meeting_id.in_(select(Meeting.id).where(Meeting.group_id == group.id)),
        Task.issued_at.is_not(None)).order_by(Task.id)))
    for i, task in enumerate(tasks):
        if task.due_date >= today or i % 3 == 2:
            continue  # open: in time, or overdue
        task.status = "done"
        task.completion_note = "Izpildīts; informācija iesniegta koordinatorei."
        task.closed_at = _moment(task.due_date - timedelta(days=2), 15)
        task.closed_by_id = task.assignee_id
    if tasks and not any(t.status == "open" and t.due_date >= today for t in tasks):
        last = tasks[-1]
        last.status, last.completion_note, last.closed_at, last.closed_by_id = \
            "open", None, None, None
        last.due_date = today + timedelta(days=10)
    db.session.flush()
