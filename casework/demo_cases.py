"""Demo cases of "Parauga novads" (called at the end of `casework.demo.seed_demo`).

About sixty fictional cases in every lifecycle status and risk colour, with referrals, persons,
notes, meetings, decisions, tasks and two years of dated history, so that every page has
something to show. Everything the service layer offers goes through it with an explicit ``at=``
time, so the history obeys the rules of real use; meetings, decisions and free tasks are written
directly because their operations do not exist yet.

Deterministic: one ``random.Random(2026)`` makes every choice; dates are relative to now. A case
story is a list of steps placed on working days between the case's opening and its last event:
absolute delays (in working days) for things that follow closely (triage, a meeting after a
crisis), relative weights for the long phases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from stdnum.lv import pvn

from casework.auth.models import Role, User
from casework.cases import operations as ops
from casework.cases.models import Case, CasePerson, Note, Referral
from casework.cases.personal_code import validate_personal_code
from casework.db_types import utcnow
from casework.demo import demo_email
from casework.extensions import db
from casework.groups.models import AgendaItem, Attendance, Decision, Meeting
from casework.orgs.models import Institution, InstitutionKind
from casework.plans import operations as plan_ops
from casework.plans import queries as plan_queries
from casework.tasks.models import Task
from casework.tasks.operations import cancel_task, complete_task
from workflows.case_lifecycle import ClosureReason
from workflows.policy import LATVIA, RIGA, local_date
from workflows.support_plan import AREAS, GOAL_CLOSED

SEED = 2026
#: Active cases of the first case manager: over the caseload warning (25), so it shows.
FIRST_MANAGER_ACTIVE = 27
HISTORY_WORKING_DAYS = 520  # a little over two years

# login (before @), full name, role, institution kind
EXTRA_USERS = (
    ("case_manager2", "Mārtiņš Gadījumu vadītājs", Role.CASE_MANAGER,
     InstitutionKind.SOCIAL_SERVICE),
    ("specialist2", "Pēteris Policists", Role.SPECIALIST, InstitutionKind.STATE_POLICE),
    # Also a member of the strategic group (casework.demo_groups finds her by e-mail).
    ("orphans_court", "Ieva Bāriņtiesa", Role.SPECIALIST, InstitutionKind.ORPHANS_COURT),
)
#: How many case groups each institution's specialist joins; every other group that works on
#: its case gets one of them too, so that the groups are multi-agency as the regulation means.
MEMBER_SPREAD = (("school", 30), ("police", 14), ("court", 16))

# Final risk colours of the cases in each final status, one letter per case (60 in all).
PLAN = {
    "registered": "ggyyrr", "assessment": "gggyyyrr", "intervention": "gggggyyyyyyrrrr",
    "crisis": "rrrr", "monitoring": "gggggyyyy", "inactive": "gggyy",
    "closed": "gggggggggyyyy",
}
# Working days ago: (earliest opening, latest opening, last event at least, at most).
AGES = {
    "registered": (1, 9, 1, 9), "assessment": (8, 40, 1, 6), "intervention": (40, 495, 1, 25),
    "crisis": (30, 350, 1, 8), "monitoring": (140, 495, 5, 80), "inactive": (60, 450, 5, 60),
    "closed": (150, 495, 15, 400),
}
CLOSED_VARIANTS = (0, 1, 2, 0, 3, 0, 4, 0, 1, 2, 3, 0, 0)
CLOSURES = {0: ClosureReason.GOALS_ACHIEVED, 1: ClosureReason.MOVED_MUNICIPALITY,
            2: ClosureReason.CLIENT_REFUSED_NO_RISK, 3: ClosureReason.PASSED_TO_INSTITUTION,
            4: ClosureReason.OTHER}
RANK = {"green": 0, "yellow": 1, "red": 2}

FAMILIES = (  # (masculine, feminine) forms
    ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozols", "Ozola"), ("Jansons", "Jansone"),
    ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"), ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"), ("Vītols", "Vītola"), ("Eglītis", "Eglīte"),
    ("Balodis", "Balode"), ("Kļaviņš", "Kļaviņa"), ("Lapiņš", "Lapiņa"), ("Siliņš", "Siliņa"),
    ("Ozoliņš", "Ozoliņa"), ("Strazdiņš", "Strazdiņa"), ("Gailis", "Gaile"),
    ("Vanags", "Vanaga"), ("Ābols", "Ābola"), ("Dzenis", "Dzene"), ("Kārkliņš", "Kārkliņa"),
    ("Šmits", "Šmite"), ("Ķēniņš", "Ķēniņa"), ("Lūsis", "Lūse"), ("Rozītis", "Rozīte"),
    ("Sproģis", "Sproģe"), ("Žagars", "Žagare"), ("Kalējs", "Kalēja"), ("Mednis", "Medne"),
    ("Krastiņš", "Krastiņa"), ("Sīlis", "Sīle"), ("Avotiņš", "Avotiņa"), ("Dūmiņš", "Dūmiņa"),
    ("Puriņš", "Puriņa"), ("Grundmanis", "Grundmane"), ("Vilciņš", "Vilciņa"),
    ("Circenis", "Circene"), ("Auziņš", "Auziņa"), ("Mežulis", "Mežule"),
    ("Freimanis", "Freimane"), ("Ķuzis", "Ķuze"), ("Čakste", "Čakste"),
)
BOYS = ("Jānis", "Roberts", "Markuss", "Kārlis", "Emīls", "Artūrs", "Gustavs", "Ralfs",
        "Daniels", "Mārcis", "Ēriks", "Oskars", "Rihards", "Matīss", "Tomass", "Dāvis",
        "Kristers", "Miķelis", "Ričards", "Niklāvs")
GIRLS = ("Anna", "Sofija", "Alise", "Marta", "Emīlija", "Elīza", "Paula", "Līva", "Estere",
         "Keita", "Katrīna", "Laura", "Elza", "Amēlija", "Evelīna", "Madara", "Sāra", "Ance",
         "Luīze", "Dārta")
MEN = ("Andris", "Māris", "Aivars", "Edgars", "Raimonds", "Guntis", "Valdis", "Kaspars",
       "Ainārs", "Juris", "Normunds", "Artis", "Uldis", "Ģirts")
WOMEN = ("Inese", "Ilze", "Linda", "Santa", "Kristīne", "Evija", "Zane", "Liene", "Anita",
         "Sanita", "Baiba", "Agnese", "Inga", "Ligita", "Žanete")
GRANDMOTHERS = ("Velta", "Skaidrīte", "Mirdza", "Aina", "Biruta", "Rasma")

# reporter, categories, proposed urgency, child's age at the referral (years), description
REFERRALS = (
    ("school", ("school_absence",), "yellow", (7, 15),
     "Skolēns kopš mēneša sākuma nav apmeklējis skolu deviņas dienas; vecāki uz klases "
     "audzinātājas zvaniem neatbild."),
    ("school", ("behaviour",), "green", (8, 15),
     "Skolēns atkārtoti iesaistās kautiņos starpbrīžos un stundās ir agresīvs pret "
     "klasesbiedriem."),
    ("school", ("school_absence", "neglect"), "yellow", (6, 12),
     "Bērns skolā ierodas bez pusdienām un laikapstākļiem neatbilstošā apģērbā, bieži kavē "
     "pirmās stundas."),
    ("school", ("behaviour", "addiction"), "yellow", (13, 16),
     "Pusaudzis skolas teritorijā pieķerts smēķējam elektroniskās cigaretes; klasesbiedri "
     "stāsta par alkohola lietošanu ballītēs."),
    ("police", ("violence",), "red", (2, 15),
     "Izsaukums uz dzīvesvietu: ģimenē konflikts, tēvs alkohola reibumā, bērns bija mājās un "
     "redzēja notikušo."),
    ("police", ("violence", "addiction"), "red", (0, 10),
     "Patruļa dzīvoklī konstatēja abus vecākus alkohola reibumā; mazgadīgais bērns bija bez "
     "pieskatīšanas."),
    ("police", ("behaviour",), "yellow", (12, 16),
     "Nepilngadīgais aizturēts veikalā par sīku zādzību; vecāki ieradās tikai pēc vairākām "
     "stundām."),
    ("social", ("neglect",), "yellow", (1, 6),
     "Pirmsskolas iestāde „Saulīte” telefoniski informē, ka bērnu vairākas dienas pēc kārtas "
     "neviens nav izņēmis laikā."),
    ("social", ("neglect",), "green", (0, 2),
     "Ģimenes ārsta prakse informē, ka zīdainim nav veiktas profilaktiskās apskates un "
     "vakcinācijas; māte uz uzaicinājumiem neierodas."),
    ("social", ("addiction", "neglect"), "red", (1, 8),
     "Kaimiņi ziņo, ka māte regulāri lieto alkoholu un bērni vakaros ilgstoši paliek mājās "
     "vieni."),
    ("social", ("other",), "green", (3, 14),
     "Ģimene zaudējusi mājokli ugunsgrēkā; bērniem nepieciešams pagaidu patvērums un atbalsts."),
    ("social", ("violence",), "yellow", (4, 14),
     "Bāriņtiesa pārsūta informāciju par iespējamu emocionālu vardarbību pret bērnu pēc vecāku "
     "šķiršanās."),
)
NO_ACTION_REASONS = (
    "Pārbaudot informāciju, apdraudējums netika konstatēts; ģimenei sniegta konsultācija.",
    "Ģimene jau saņem atbalstu citā pašvaldībā, kur deklarēta dzīvesvieta; informācija "
    "pārsūtīta.",
    "Kavējumi attaisnoti ar ārsta zīmi; turpmāka rīcība nav nepieciešama.",
    "Ziņojums dublē jau izskatītu informāciju; bērna situācija ir stabila.",
)
ESCALATE_REASONS = (
    "Bērns atrasts mājās viens bez pieskatīšanas; māte nav sasniedzama.",
    "Atkārtots vardarbības gadījums ģimenē; uz adresi izsaukta policija.",
    "Pusaudzis divas diennaktis nav atgriezies mājās; izsludināta meklēšana.",
    "Māte ievietota slimnīcā; bērniem steidzami jānodrošina aprūpe.",
)
DEACTIVATE_REASONS = (
    "Ģimene neatbild uz zvaniem un vēstulēm, divas reizes nav ieradusies uz norunātajām "
    "tikšanām.",
    "Ģimene uz laiku izbraukusi uz ārzemēm un nav sasniedzama.",
    "Māte atsakās no sociālā darbinieka apmeklējumiem, līdz tiks atrisināts mājokļa jautājums.",
)
RAISE_REASONS = {
    "yellow": ("Skola informē par atkārtotiem neattaisnotiem kavējumiem.",
               "Ģimene pārtraukusi apmeklēt norunātās konsultācijas."),
    "red": ("Policija informē par jaunu vardarbības gadījumu ģimenē.",
            "Bērns stāsta par draudiem no mātes partnera puses."),
}
LOWER_REASONS = {
    "yellow": ("Tūlītēja apdraudējuma vairs nav; grupa vienojās turpināt intervenci.",),
    "green": ("Ģimene sadarbojas, bērns regulāri apmeklē skolu; risks mazinājies.",
              "Vecāki pabeiguši vecāku prasmju programmu; situācija ir stabila."),
}
REOPEN_REASON = "Saņemts jauns ziņojums no skolas par atkārtotiem kavējumiem."
CLOSE_OTHER_TEXT = "Lieta apvienota ar bērna brāļa lietu; turpmāk darbs notiek tajā."
DECISIONS = {
    "convene": ("Izvērtēt ģimenes situāciju; gadījuma vadītājam sagatavot individuālo sociālās "
                "rehabilitācijas plānu.",
                "Skolai katru nedēļu informēt gadījuma vadītāju par bērna apmeklējumu; ģimenei "
                "piedāvāt psihologa konsultācijas.",
                "Ģimenei piesaistīt ģimenes asistentu; bāriņtiesai izvērtēt bērna aprūpes "
                "apstākļus."),
    "crisis": ("Nodrošināt bērnam drošu vidi pie vecmāmiņas; policijai pārbaudīt situāciju "
               "dzīvesvietā.",
               "Bāriņtiesai lemt par bērna īslaicīgu ievietošanu krīzes centrā; sociālajam "
               "dienestam nodrošināt māti ar atbalsta personu."),
    "lower": ("Samazināt riska profilu uz dzeltenu; turpināt intervenci, ģimenes asistents "
              "divas reizes nedēļā.",),
    "plan": ("Saskaņot bērna individuālo atbalsta plānu; iestādēm īstenot plānā noteiktos "
             "pasākumus līdz norādītajiem termiņiem.",),
}
NOTES = {
    "manager": {
        "group": ("Ģimene apsekota dzīvesvietā; mājoklis sakārtots, bērnam ir sava gulta un "
                  "vieta mācībām.",
                  "Sanāksmē vienojāmies par nākamo tikšanos pēc mēneša; iestādes informētas.",
                  "Māte piekrita apmeklēt vecāku prasmju nodarbības biedrībā „Drošā osta”.",
                  "Bērns uzsācis konsultācijas pie psihologa, apmeklējis trīs nodarbības."),
        "institution": ("Ģimenei piešķirts trūcīgas ģimenes statuss līdz gada beigām.",
                        "Izmaksāts vienreizējs pabalsts mācību piederumu iegādei.",
                        "Ģimenei piesaistīts ģimenes asistents uz sešiem mēnešiem."),
        "restricted": ("Māte sarunā minēja, ka partneris lieto alkoholu; lūdza to neizpaust "
                       "citām iestādēm.",
                       "Bērns sarunā atklāja, ka mājās bieži notiek skaļi strīdi; pārrunāts ar "
                       "psihologu.",
                       "Tēvam ir parādsaistības; ģimene baidās zaudēt mājokli."),
    },
    "school": {
        "group": ("Šajā mēnesī bērns neattaisnoti kavējis divas mācību dienas.",
                  "Sekmes uzlabojušās; bērns regulāri apmeklē pagarinātās dienas grupu."),
        "institution": ("Klases audzinātāja novērojusi, ka bērns stundās ir noguris un nav "
                        "paēdis.",),
        "restricted": ("Bērns klases audzinātājai uzticējās, ka baidās iet mājās piektdienās.",),
    },
    "police": {
        "group": ("Pēdējo trīs mēnešu laikā uz adresi nav bijis izsaukumu.",),
        "institution": ("Par tēva rīcību uzsākts administratīvā pārkāpuma process.",),
        "restricted": ("Kaimiņi ziņojuši par skaļiem strīdiem naktīs; pārbaude turpinās.",),
    },
    "court": {
        "group": ("Bāriņtiesa apsekoja ģimeni; bērna aprūpes apstākļi ir pietiekami.",),
        "institution": ("Bāriņtiesā saņemts tēva iesniegums par saskarsmes tiesību "
                        "noteikšanu.",),
        "restricted": ("Bāriņtiesa izvērtē aizgādības tiesību pārtraukšanas nepieciešamību.",),
    },
}
TASKS = {
    "manager": ("Apsekot ģimeni dzīvesvietā",
                "Sagatavot individuālo sociālās rehabilitācijas plānu",
                "Organizēt psihologa konsultācijas bērnam"),
    "school": ("Sniegt informāciju par bērna sekmēm un skolas apmeklējumu",),
    "police": ("Sniegt informāciju par izsaukumiem uz ģimenes dzīvesvietu",),
    "court": ("Apsekot bērna aprūpes apstākļus un sniegt atzinumu",),
    "next": ("Pārskatīt lietu un riska profilu", "Sagatavot informāciju bāriņtiesai",
             "Pārrunāt ar vecākiem atbalsta plāna izpildi", "Apsekot ģimeni dzīvesvietā"),
}
OPINIONS = ("Māte piekrīt lēmumam un apņemas sadarboties.",
            "Bērns vēlas turpināt nodarbības pie psihologa.",
            "Tēvs lēmumam nepiekrīt, uzskata, ka palīdzība nav vajadzīga.")
METHODS = ("in_person", "phone", "letter", "e_mail")
PLACE = "Parauga novada Sociālais dienests, 2. kabinets"
CHILD_OPINIONS = ("Bērns vēlas dzīvot kopā ar māti.", "Bērns grib turpināt mācības savā skolā.",
                  "Bērns jūtas droši pie vecmāmiņas.")
MEETING_GOALS = {
    "convene": "Izvērtēt bērna situāciju un vienoties par atbalsta plānu.",
    "crisis": "Nodrošināt bērna drošību krīzes situācijā.",
    "lower": "Izvērtēt, vai riska profilu var samazināt.",
    "plan": "Saskaņot bērna individuālo atbalsta plānu.",
}
#: The general part of a case meeting's minutes; what was concluded is in its goal's minutes.
MEETING_GENERAL_MINUTES = ("Sanāksmi vada gadījuma vadītāja; dalībnieki iepazīstināti ar darba "
                           "kārtību un konfidencialitātes noteikumiem.")
#: The minutes of the meeting's goal (issue 18.4: minutes per agenda item).
MEETING_MINUTES = {
    "convene": "Gadījuma vadītāja iepazīstināja ar situāciju; iestādes sniedza informāciju. "
               "Vienojāmies par atbalsta pasākumiem un atbildīgajiem.",
    "crisis": "Krīzes sanāksme. Izvērtēts tūlītējais apdraudējums; vienojāmies par bērna "
              "drošības nodrošināšanu un iestāžu rīcību.",
    "lower": "Izvērtēta atbalsta plāna izpilde; situācija uzlabojusies. Grupa vienojās "
             "samazināt riska profilu.",
    "plan": "Gadījuma vadītāja iepazīstināja ar izvērtējumu un atbalsta plāna projektu; "
            "iestādes vienojās par mērķiem, atbildīgajiem un termiņiem.",
}
ASSESSMENT_TEXTS = {
    "needs": ("Bērnam nepieciešams atbalsts mācībās un regulārs dienas režīms.",
              "Bērna veselības aprūpe nav nodrošināta; nav veiktas profilaktiskās apskates."),
    "family": ("Māte audzina bērnus viena; ierobežoti ienākumi, vecāku prasmes jāstiprina.",
               "Vecāku savstarpējie konflikti; tēvs lieto alkoholu."),
    "environment": ("Ģimene dzīvo īrētā dzīvoklī; mājoklis pārapdzīvots.",
                    "Tuvumā nav pieejamu ārpusskolas nodarbību."),
    "risk_factors": ("Neattaisnoti skolas kavējumi; bērns bieži bez uzraudzības.",
                     "Policijas izsaukumi uz dzīvesvietu saistībā ar strīdiem ģimenē."),
    "strengths": ("Vecmāmiņa ir atbalsts ģimenei; māte ir motivēta sadarboties.",
                  "Bērnam ir laba saikne ar klases audzinātāju."),
}
# (goal, services or actions, member responsible: manager, school, police or court)
PLAN_GOALS = (
    ("Bērns regulāri apmeklē skolu (bez neattaisnotiem kavējumiem).",
     "Skolas sociālā pedagoga konsultācijas reizi nedēļā; kavējumu uzskaite.", "school"),
    ("Māte apgūst vecāku prasmes.",
     "Vecāku prasmju programma biedrībā „Drošā osta”, 10 nodarbības.", "manager"),
    ("Bērns ir drošībā dzīvesvietā.",
     "Iecirkņa inspektora apsekošana reizi mēnesī; informācijas apmaiņa.", "police"),
    ("Bērna aprūpes apstākļi atbilst vajadzībām.",
     "Bāriņtiesas apsekošana un atzinums; ģimenes asistents.", "court"),
    ("Bērns saņem psihologa atbalstu.",
     "Psihologa konsultācijas, 8 reizes.", "manager"),
)


@dataclass
class _Step:
    """One event of a case story, placed on the working-day axis."""

    kind: str
    delay: float  # working days after the previous step
    weight: float  # share of the rest of the case's time span
    data: dict


@dataclass(eq=False)
class _Spec:
    """What one demo case will become: final status and colour, dates, people, members."""

    status: str
    risk: str
    open_ago: int
    end_ago: int
    variant: int = 0
    manager: User | None = None
    template: tuple = ()
    child: dict = field(default_factory=dict)
    relatives: list = field(default_factory=list)
    school: bool = False
    police: bool = False
    court: bool = False


def _ensure_users(by_kind, password: str) -> int:
    """The second case manager and the police specialist; the password is hashed only once."""
    created, password_hash = 0, None
    for login, full_name, role, kind in EXTRA_USERS:
        email = demo_email(login)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = User(email=email, full_name=full_name, institution=by_kind[kind])
        user.roles = [role.value]
        if password_hash is None:
            user.set_password(password)
            password_hash = user.password_hash
        else:
            user.password_hash, user.password_changed_at = password_hash, utcnow()
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


COUNTED = {"referral": Referral, "case": Case, "person": CasePerson, "note": Note,
           "meeting": Meeting, "decision": Decision, "task": Task}


def seed_demo_cases(muni, by_kind, password: str) -> dict[str, int]:
    """Create the demo cases unless the municipality has cases already; counts of new rows."""
    counts = {"user": _ensure_users(by_kind, password)} | dict.fromkeys(COUNTED, 0)
    if db.session.scalar(select(func.count()).select_from(Case)
                         .where(Case.municipality_id == muni.id)):
        return counts
    before = {k: db.session.scalar(select(func.count()).select_from(m))
              for k, m in COUNTED.items()}
    _Seeder(muni).run()
    for key, model in COUNTED.items():
        counts[key] = db.session.scalar(select(func.count()).select_from(model)) - before[key]
    return counts


class _Seeder:
    """Plans the demo cases and their stories; `_CaseRun` plays each story."""

    def __init__(self, muni):
        self.rng = random.Random(SEED)
        self.muni = muni
        self.now = utcnow()
        self.today = local_date(self.now)
        days, d = [], self.today - timedelta(days=1)
        while len(days) < HISTORY_WORKING_DAYS:
            if LATVIA.is_working_day(d):
                days.append(d)
            d -= timedelta(days=1)
        self.days = days[::-1]  # oldest first; the last one is before today
        self.codes: set[str] = set()
        self.families = list(FAMILIES)
        self.rng.shuffle(self.families)
        user = {u.email.split("@")[0]: u for u in db.session.scalars(
            select(User).join(Institution).where(Institution.municipality_id == muni.id))}
        self.cm1, self.cm2 = user["case_manager"], user["case_manager2"]
        self.head = user["head_of_service"]
        self.school, self.police = user["specialist"], user["specialist2"]
        self.court = user["orphans_court"]
        self.social_id = self.cm1.institution_id

    # -- time and people ------------------------------------------------------------------
    def moment(self, p: float) -> datetime:
        """Position `p` on the working-day axis as a time between 8:00 and 17:00 in Riga."""
        i = max(0, min(int(p), len(self.days) - 1))
        frac = min(max(p - i, 0.0), 0.999)
        local = datetime.combine(self.days[i], time(8), tzinfo=RIGA) + timedelta(hours=9 * frac)
        return local.astimezone(UTC)

    def code(self, birth: date) -> str:
        """A valid, unused personal code: old form, or new form for some born since July 2017."""
        while True:
            if birth >= date(2017, 7, 1) and self.rng.random() < 0.5:
                body = "32" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            else:
                century = birth.year // 100 - 18
                body = f"{birth:%d%m%y}{century}{self.rng.randint(0, 999):03d}"
            code = f"{body[:6]}-{body[6:]}{pvn.calc_check_digit_pers(body)}"
            if code not in self.codes:
                self.codes.add(code)
                return validate_personal_code(code, today=self.today).code

    def child(self, family, on: date, ages) -> dict:
        """A child aged `ages` (years) on `on` and still under 18 today; most have a code."""
        female = self.rng.random() < 0.5
        birth = on - timedelta(days=self.rng.randint(max(40, ages[0] * 365), ages[1] * 365 + 300))
        oldest = self.today - timedelta(days=18 * 365 - 30)  # still 17 today
        if birth < oldest:
            birth = oldest + timedelta(days=self.rng.randint(0, 200))
        return {"given_name": self.rng.choice(GIRLS if female else BOYS),
                "family_name": family[1] if female else family[0],
                "personal_code": self.code(birth) if self.rng.random() < 0.7 else None,
                "birth_date": birth}

    def adult(self, role, given, family_name, birth) -> dict:
        """A parent or guardian; most have a personal code."""
        return {"role": role, "given_name": given, "family_name": family_name, "birth_date": birth,
                "personal_code": self.code(birth) if self.rng.random() < 0.7 else None}

    def relatives(self, family, child: dict, on: date) -> list[dict]:
        """The mother, and sometimes the father, a sibling or a grandmother as guardian."""
        rng, born = self.rng, child["birth_date"]
        mother_born = born - timedelta(days=rng.randint(19 * 365, 38 * 365))
        people = [self.adult("parent", rng.choice(WOMEN), family[1], mother_born)]
        if rng.random() < 0.5:
            people.append(self.adult("parent", rng.choice(MEN), family[0],
                                     mother_born - timedelta(days=rng.randint(300, 3000))))
        if rng.random() < 0.25:
            sibling = self.child(family, on, (0, 12))
            people.append({"role": "child", **sibling})
        if rng.random() < 0.12:
            people.append(self.adult("guardian", rng.choice(GRANDMOTHERS), family[1],
                                     mother_born - timedelta(days=rng.randint(20, 28) * 365)))
        return people

    # -- plan -----------------------------------------------------------------------------
    def specs(self) -> list[_Spec]:
        """Every case's plan, oldest first so that case numbers follow the dates."""
        rng, specs = self.rng, []
        for status, colours in PLAN.items():
            lo, hi, end_lo, end_hi = AGES[status]
            for n, letter in enumerate(colours):
                risk = {"g": "green", "y": "yellow", "r": "red"}[letter]
                open_ago = rng.randint(lo, hi)
                end_ago = rng.randint(min(end_lo, open_ago), min(end_hi, open_ago))
                variant = CLOSED_VARIANTS[n] if status == "closed" else n % 4
                specs.append(_Spec(status, risk, open_ago, end_ago, variant))
        reopened = next(s for s in specs if s.status == "assessment" and s.risk == "green")
        reopened.variant, reopened.open_ago, reopened.end_ago = 9, 470, 4
        # Two children come back after their first case was closed: same personal code.
        firsts = [s for s in specs if s.status == "closed" and s.variant in (1, 2)][:2]
        seconds = [next(s for s in specs if s.status == "intervention" and s.risk == "yellow"),
                   next(s for s in specs if s.status == "monitoring" and s.risk == "green")]
        for first, second, (o1, e1, o2, e2) in zip(
                firsts, seconds, ((480, 330, 250, 12), (430, 300, 220, 30)), strict=True):
            first.open_ago, first.end_ago, second.open_ago, second.end_ago = o1, e1, o2, e2
        for n, spec in enumerate(specs):
            group_work = spec.status != "registered"
            pool = [t for t in REFERRALS if t[2] == spec.risk] if rng.random() < 0.7 else REFERRALS
            spec.template = rng.choice(pool)
            family = self.families[n % len(self.families)]
            opened = self.days[len(self.days) - spec.open_ago]
            spec.child = self.child(family, opened, spec.template[3])
            spec.relatives = self.relatives(family, spec.child, opened)
            if spec.child["personal_code"] is None and spec in firsts:
                spec.child["personal_code"] = self.code(spec.child["birth_date"])
            spec.school = group_work and spec.template[0] == "school"
            spec.police = group_work and spec.template[0] == "police"
        for first, second in zip(firsts, seconds, strict=True):
            second.child, second.relatives = first.child, first.relatives
        self._spread_members(specs)
        active = [s for s in specs if s.status != "closed"]
        rng.shuffle(active)
        for i, spec in enumerate(active):
            spec.manager = self.cm1 if i < FIRST_MANAGER_ACTIVE else self.cm2
        for i, spec in enumerate(s for s in specs if s.status == "closed"):
            spec.manager = self.cm1 if i % 2 else self.cm2
        return sorted(specs, key=lambda s: -s.open_ago)

    def _spread_members(self, specs) -> None:
        """The school, police and orphans' court specialists in several cases' groups each
        (``MEMBER_SPREAD``); every group that works on its case has at least one of them."""
        eligible = [s for s in specs if s.status != "registered"]
        for flag, wanted in MEMBER_SPREAD:
            chosen = [s for s in eligible if getattr(s, flag)]
            self.rng.shuffle(chosen)
            for spec in chosen[wanted:]:
                setattr(spec, flag, False)
            others = [s for s in eligible if not getattr(s, flag)]
            for spec in self.rng.sample(others, max(0, wanted - len(chosen))):
                setattr(spec, flag, True)
        for spec in eligible:
            if not (spec.school or spec.police or spec.court):
                setattr(spec, self.rng.choice(("school", "court")), True)

    # -- stories --------------------------------------------------------------------------
    def story(self, spec: _Spec) -> list[_Step]:
        """The steps that take a case from its referral to its final status and colour."""
        rng, steps = self.rng, []
        state = {"risk": self.initial_risk(spec)}

        def add(kind, delay=0.002, weight=0.0, **data):
            steps.append(_Step(kind, delay, weight, data))

        def meeting(decision="convene", delay=None):
            add("meeting", delay if delay is not None else rng.uniform(1, 4), decision=decision)

        def risk_to(target, weight=0.6, meet=True):
            while state["risk"] != target:
                if RANK[target] > RANK[state["risk"]]:
                    add("risk", weight=weight, trigger=f"raise_to_{target}",
                        reason=rng.choice(RAISE_REASONS[target]))
                    state["risk"] = target
                    if target == "red" and meet:
                        meeting(delay=rng.uniform(0.5, 2))
                elif state["risk"] == "red":
                    add("meeting", weight=weight, decision="lower")
                    add("risk", delay=0.05, trigger="lower_to_yellow",
                        reason=LOWER_REASONS["yellow"][0], decision=True)
                    add("participation", delay=rng.uniform(0.5, 3), decision=True)
                    state["risk"] = "yellow"
                else:
                    add("risk", weight=weight, trigger="lower_to_green",
                        reason=rng.choice(LOWER_REASONS["green"]))
                    state["risk"] = "green"

        def lc(trigger, weight=1.0, delay=0.002, **inputs):
            add("lc", delay, weight, trigger=trigger, inputs=inputs)
            if trigger == "escalate_crisis":
                state["risk"] = "red"

        def crisis_episode():
            lc("escalate_crisis", reason=rng.choice(ESCALATE_REASONS))
            meeting("crisis", delay=rng.uniform(0.5, 2))
            lc("resolve_crisis", weight=0, delay=rng.uniform(1, 5))

        def attach(risk):
            template = rng.choice(REFERRALS)
            add("attach", weight=0.5, template=template, risk=risk)
            if RANK[risk] > RANK[state["risk"]]:
                state["risk"] = risk
                if risk == "red":
                    meeting(delay=rng.uniform(0.5, 2))

        add("referral", delay=0)
        add("triage", delay=rng.uniform(0.05, 0.3) if state["risk"] == "red"
            else rng.uniform(0.2, 1.0), risk=state["risk"])
        add("persons")
        status, v = spec.status, spec.variant
        if status == "registered":
            return self.extras(spec, steps)
        lc("start_assessment", weight=0.3)
        for flag in ("school", "police", "court"):
            if getattr(spec, flag):
                add("member", user=flag)
        add("assessment", delay=rng.uniform(1, 4), risk=state["risk"])
        if state["risk"] != "green" and not (status == "assessment" and v == 1):
            meeting(delay=rng.uniform(1, 2) if state["risk"] == "red" else rng.uniform(3, 9))
        if status == "assessment":
            if v == 9:  # closed once, reopened after a new referral
                lc("start_intervention", weight=1)
                risk_to("green")
                lc("start_monitoring", weight=2)
                lc("close", weight=3, closure_reason=ClosureReason.GOALS_ACHIEVED.value)
                lc("reopen", weight=4, reason=REOPEN_REASON)
                attach("yellow")
            risk_to(spec.risk, meet=v != 1)
        elif status == "closed" and v == 1:
            risk_to(spec.risk)
            lc("close", weight=2, closure_reason=CLOSURES[v].value)
        else:
            lc("start_intervention", weight=1.5)
            meeting("plan", delay=rng.uniform(2, 6))
            add("plan", delay=0.01)
            if status in ("intervention", "monitoring", "closed") and v in (1, 3) \
                    or status == "crisis" and v == 0:
                crisis_episode()
            if status in ("intervention", "monitoring", "crisis") and v == 2:
                attach(rng.choice(("yellow", "red")))
            if status == "crisis":
                if v in (1, 3):
                    risk_to("yellow")
                lc("escalate_crisis", weight=2, reason=rng.choice(ESCALATE_REASONS))
                if v < 2:
                    meeting("crisis", delay=rng.uniform(0.2, 1))
                else:
                    add("planned_meeting")
            elif status == "intervention":
                risk_to(spec.risk)
            elif status == "monitoring":
                risk_to(spec.risk)
                if v == 0:
                    lc("deactivate", weight=1, reason=rng.choice(DEACTIVATE_REASONS))
                    lc("resume_monitoring", weight=1)
                else:
                    lc("start_monitoring", weight=2)
            elif status == "inactive":
                risk_to(spec.risk)
                if v % 2:
                    lc("start_monitoring", weight=2)
                lc("deactivate", weight=2, reason=rng.choice(DEACTIVATE_REASONS))
            else:  # closed
                risk_to(spec.risk)
                if v in (0, 4):
                    lc("start_monitoring", weight=3)
                elif v == 2:
                    lc("deactivate", weight=1, reason=rng.choice(DEACTIVATE_REASONS))
                lc("close", weight=2, closure_reason=CLOSURES[v].value,
                   closure_reason_text=CLOSE_OTHER_TEXT if v == 4 else None)
        return self.extras(spec, steps)

    def initial_risk(self, spec: _Spec) -> str:
        """The colour given at triage (the story then moves it to the final one)."""
        if spec.status in ("registered", "crisis"):
            return spec.risk if spec.status == "registered" else self.rng.choice(("yellow", "red"))
        return self.rng.choice(("green", "yellow", "yellow", "red"))

    def extras(self, spec: _Spec, steps: list[_Step]) -> list[_Step]:
        """Notes, participation and tasks between the story's events (before a closing)."""
        rng = self.rng
        closing = steps[-1].kind == "lc" and steps[-1].data["trigger"] == "close"

        def after(who: str) -> int:
            """The first index after the step that lets `who` act in the case."""
            for i, step in enumerate(steps):
                if step.kind == "member" and step.data["user"] == who:
                    return i + 1
            return 3  # after the referral, the triage and the persons

        def insert(kind, lo, weight=0.3, **data) -> int:
            last = len(steps) - 1 if closing else len(steps)
            # Nothing happens to a case while it is closed (between a close and a reopen).
            shut = [i for i, step in enumerate(steps) if step.kind == "lc"
                    and step.data["trigger"] in ("close", "reopen")]
            allowed = [i for i in range(min(lo, last), last + 1)
                       if not (len(shut) == 2 and shut[0] < i <= shut[1])]
            index = rng.choice(allowed)
            steps.insert(index, _Step(kind, 0.002, weight, data))
            return index

        members = [s.data["user"] for s in steps if s.kind == "member"]
        authors = ["manager"] * (1 if spec.status == "registered" else rng.randint(2, 3))
        for author in authors + members:
            level = rng.choice(("group", "group", "institution", "restricted"))
            insert("note", after(author), author=author, level=level,
                   text=rng.choice(NOTES[author][level]))
        if spec.status == "registered":
            return steps
        if rng.random() < 0.4:
            insert("participation", 4, decision=False)
        for key, assignee in enumerate(["manager", *members]):
            if assignee == "manager" and rng.random() < 0.4:
                continue
            index = insert("task", after(assignee), key=key, assignee=assignee,
                           title=rng.choice(TASKS[assignee]), due_in=rng.randint(7, 21))
            outcome = rng.choice(("done", "done", "open", "cancelled"))
            if outcome != "open":
                insert(f"task_{outcome}", index + 1, weight=0.2, key=key)
        # Progress of the plan's goals at one or two case reviews; sometimes a new version of
        # the assessment. Each goes after the plan (the index is looked up again each time).
        if any(step.kind == "plan" for step in steps):
            for kind in ["goal_review"] * rng.randint(1, 2) + ["assessment"] * (
                    rng.random() < 0.4):
                plan_at = next(i for i, step in enumerate(steps) if step.kind == "plan")
                insert(kind, plan_at + 1, weight=0.4)
        if spec.status in ("intervention", "monitoring", "crisis") and rng.random() < 0.5:
            steps.append(_Step("task", 0.002, 0, {"key": "future", "assignee": "manager",
                                                  "title": rng.choice(TASKS["next"]),
                                                  "due_in": rng.randint(3, 20), "future": True}))
        return steps

    def times(self, spec: _Spec, steps: list[_Step]) -> list[datetime]:
        """When each step happens: delays first, the rest of the span shared by weight."""
        n = len(self.days)
        start, end = n - spec.open_ago, n - spec.end_ago + self.rng.uniform(0.5, 0.95)
        span = end - start
        total_delay = sum(s.delay for s in steps)
        total_weight = sum(s.weight for s in steps) or 1.0
        squeeze = min(1.0, span / total_delay) if total_delay else 1.0
        rest = max(0.0, span - total_delay * squeeze)
        out, p = [], float(start)
        for step in steps:
            p += step.delay * squeeze + step.weight / total_weight * rest
            out.append(self.moment(p))
        return out

    # -- running --------------------------------------------------------------------------
    def run(self) -> None:
        """Play every case's story, then leave some referrals waiting for triage."""
        specs = self.specs()
        self.loose_referrals(before=True)
        for spec in specs:
            steps = self.story(spec)
            _CaseRun(self, spec).play(steps, self.times(spec, steps))
        self.loose_referrals(before=False)

    def reporter(self, template, manager=None) -> User:
        """Who files a referral of this kind (the social service files phoned-in ones)."""
        if template[0] == "school":
            return self.school
        if template[0] == "police":
            return self.police
        return manager if manager is not None and self.rng.random() < 0.6 else self.head

    def file(self, template, child: dict, at: datetime, manager=None) -> Referral:
        """File a referral about `child` through the service layer."""
        _key, categories, urgency, _ages, description = template
        return ops.file_referral(
            self.reporter(template, manager), child_given_name=child["given_name"],
            child_family_name=child["family_name"], child_personal_code=child["personal_code"],
            child_birth_date=child["birth_date"], categories=categories,
            description=description, proposed_urgency=urgency, at=at)

    def loose_referrals(self, before: bool) -> None:
        """Referrals closed with no further action (over two years) or still waiting (now)."""
        rng = self.rng
        if before:
            for n, reason in enumerate(NO_ACTION_REASONS):
                template, ago = rng.choice(REFERRALS), 60 + n * 110 + rng.randint(0, 60)
                p = len(self.days) - ago + rng.random() * 0.5
                family = self.families[-1 - n]
                child = self.child(family, self.days[-ago], template[3])
                referral = self.file(template, child, self.moment(p), self.cm1)
                ops.triage_referral(self.cm1 if n % 2 else self.cm2, referral,
                                    outcome="no_action", reason=reason,
                                    at=self.moment(p + rng.uniform(0.2, 0.9)))
            return
        # A red one from the police an hour ago, a yellow one overdue, two green ones.
        n = len(self.days)
        waiting = ((4, self.now - timedelta(minutes=50)), (0, self.moment(n - 3.6)),
                   (8, self.moment(n - 1.7)), (1, self.moment(n - 0.4)))
        for k, (index, at) in enumerate(waiting):
            child = self.child(self.families[-6 - k], self.today, REFERRALS[index][3])
            self.file(REFERRALS[index], child, at, self.cm2)


class _CaseRun:
    """Plays one case's story through the service layer."""

    def __init__(self, seeder: _Seeder, spec: _Spec):
        self.s, self.spec, self.rng = seeder, spec, seeder.rng
        self.manager = spec.manager
        self.case: Case | None = None
        self.decision: Decision | None = None
        self.persons: list[CasePerson] = []
        self.tasks: dict = {}
        self.referral: Referral | None = None
        self.group = None
        self.decisions_in: dict[int, int] = {}
        self.users = {"manager": self.manager, "school": seeder.school, "police": seeder.police,
                      "court": seeder.court}

    def play(self, steps: list[_Step], times: list[datetime]) -> None:
        previous = times[0]
        for step, at in zip(steps, times, strict=True):
            getattr(self, f"do_{step.kind}")(at, previous, **step.data)
            previous = at

    def open_tasks(self, title: str | None = None) -> list[Task]:
        stmt = select(Task).where(Task.case_id == self.case.id, Task.status == "open")
        if title:
            stmt = stmt.where(Task.title == title)
        return list(db.session.scalars(stmt.order_by(Task.id)))

    def do_referral(self, at, _previous) -> None:
        self.referral = self.s.file(self.spec.template, self.spec.child, at, self.manager)

    def do_triage(self, at, _previous, risk) -> None:
        self.case = ops.triage_referral(self.manager, self.referral, outcome="new_case",
                                        risk=risk, at=at)
        self.group = ops.case_group(self.case)
        for member in self.group.members:  # the service dates it now; the case began earlier
            member.member_from = at

    def do_persons(self, at, _previous) -> None:
        for person in self.spec.relatives:
            row = ops.add_person(self.manager, self.case, today=local_date(at), **person)
            row.created_at = at
            self.persons.append(row)

    def do_member(self, at, _previous, user) -> None:
        member = ops.add_group_member(self.manager, self.case, self.users[user],
                                      role_in_group=None)
        member.member_from = at
        # The group's member list was loaded at triage; the new member must be in it for the
        # meetings' invitations and the plan's responsible persons.
        db.session.expire(self.group, ["members"])

    def do_lc(self, at, _previous, trigger, inputs) -> None:
        if trigger == "close":
            for task in self.open_tasks():
                if task.title == ops.CONVENE_TASK_TITLE:
                    cancel_task(self.manager, task, "Lieta tiek slēgta; uzdevums vairs nav "
                                                    "aktuāls.", at=at)
                else:
                    complete_task(self.manager, task, "Izpildīts pirms lietas slēgšanas.",
                                  at=at)
        ops.transition_case(self.manager, self.case, trigger, at=at, **inputs)

    def do_risk(self, at, _previous, trigger, reason, decision=False) -> None:
        ops.change_risk(self.manager, self.case, trigger, reason=reason, at=at,
                        decision_id=self.decision.id if decision else None)

    def do_meeting(self, at, previous, decision) -> None:
        """A structured meeting of the case's group: a goal, attendance, approved minutes with
        the client's and the child's part, and one published decision."""
        rng = self.rng
        client_informed = rng.random() < 0.8
        meeting = Meeting(group_id=self.group.id, starts_at=at - timedelta(minutes=60),
                          ends_at=at, place=PLACE, status="minutes_approved", held_at=at,
                          chair_id=self.manager.id, minute_taker_id=self.manager.id,
                          minutes=MEETING_GENERAL_MINUTES, minutes_approved_at=at,
                          minutes_approved_by_id=self.manager.id,
                          client_took_part=rng.random() < 0.6, client_informed=client_informed,
                          client_opinion=rng.choice(OPINIONS) if client_informed else None,
                          child_took_part=rng.random() < 0.3,
                          child_informed=rng.random() < 0.5,
                          child_opinion=rng.choice(CHILD_OPINIONS) if rng.random() < 0.5
                          else None,
                          created_by_id=self.manager.id, created_at=previous)
        db.session.add(meeting)
        db.session.flush()
        db.session.add(AgendaItem(meeting_id=meeting.id, position=1, kind="goal",
                                  text=MEETING_GOALS[decision],
                                  minutes=MEETING_MINUTES[decision]))
        others = []
        for member in self.group.members:
            if member.member_to is None or member.member_to > at:
                row = Attendance(
                    meeting_id=meeting.id, user_id=member.user_id,
                    institution_id=member.institution_id, invited_at=previous,
                    status="attended" if member.user_id == self.manager.id or rng.random() < 0.8
                    else "excused")
                db.session.add(row)
                if member.user_id != self.manager.id:
                    others.append(row)
        # A meeting of the group is multi-agency: at least one other institution took part.
        if others and not any(row.status == "attended" for row in others):
            others[0].status = "attended"
        for task in self.open_tasks(ops.CONVENE_TASK_TITLE):
            complete_task(self.manager, task, f"Grupa sasaukta; sanāksme notika "
                                              f"{local_date(at):%d.%m.%Y}.", at=at)
        year = local_date(at).year
        self.decisions_in[year] = self.decisions_in.get(year, 0) + 1
        due = local_date(at) + timedelta(days=30)
        self.decision = Decision(
            group_id=self.group.id, meeting_id=meeting.id, year=year,
            seq=self.decisions_in[year], published_at=at,
            number=f"SPG-{year}/{self.decisions_in[year]:02d}",
            text=rng.choice(DECISIONS[decision]),
            responsible_institution_id=self.s.social_id, due_date=due,
            status="executed" if due < self.s.today else "in_progress", created_at=at)
        db.session.add(self.decision)
        db.session.flush()

    def do_assessment(self, at, _previous, risk=None) -> None:
        """A version of the assessment whose ratings fit the colour (the proposal shows)."""
        rng, risk = self.rng, risk or self.case.risk
        low, high = {"green": (0, 1), "yellow": (1, 2), "red": (1, 3)}[risk]
        ratings = {area: rng.randint(low, high) for area in AREAS}
        ratings["risk_factors"] = {"green": min(ratings["risk_factors"], 1), "yellow": 2,
                                   "red": 3}[risk]
        ratings["strengths"] = rng.randint(0, 2)
        texts = {area: rng.choice(ASSESSMENT_TEXTS[area]) for area in AREAS}
        plan_ops.save_assessment(self.manager, self.case, ratings=ratings, texts=texts, at=at)

    def do_plan(self, at, _previous) -> None:
        """The support plan agreed at the group's meeting just held: two or three goals, each
        with a member's institution responsible, linked to the meeting's decision."""
        rng, on = self.rng, local_date(at)
        members = {m.user_id for m in self.group.members if m.member_to is None}
        picks = [g for g in PLAN_GOALS if self.users[g[2]].id in members]
        rng.shuffle(picks)
        for goal, actions, who in picks[:rng.randint(2, 3)]:
            user = self.users[who]
            tasks = [t.id for t in self.tasks.values() if t.assignee_id == user.id][:1]
            plan_ops.add_goal(
                self.manager, self.case, goal=goal, actions=actions,
                responsible_institution_id=user.institution_id, responsible_user_id=user.id,
                deadline=on + timedelta(days=rng.randint(60, 180)),
                review_on=on + timedelta(days=rng.randint(30, 55)),
                decision_id=self.decision.id, task_ids=tasks, at=at)
        plan_ops.agree_plan(self.manager, self.case, decision_id=self.decision.id, at=at)

    def do_goal_review(self, at, _previous) -> None:
        """A case review that records each open goal's progress."""
        plan = plan_queries.plan_with_goals(self.case)
        statuses = {}
        for goal in plan.goals if plan else ():
            if goal.status in GOAL_CLOSED:
                continue
            due = goal.deadline <= local_date(at)
            statuses[goal.id] = self.rng.choice(("reached", "reached", "not_reached") if due
                                                else ("in_progress", "in_progress", "reached"))
        if statuses:
            ops.record_review(self.manager, self.case, at=at, goal_statuses=statuses,
                              summary="Pārskatīta atbalsta plāna izpilde ar grupas iestādēm.")

    def do_planned_meeting(self, at, _previous) -> None:
        starts = datetime.combine(self.s.today + timedelta(days=self.rng.randint(1, 4)),
                                  time(10), tzinfo=RIGA).astimezone(UTC)
        db.session.add(Meeting(group_id=self.group.id, starts_at=starts,
                               ends_at=starts + timedelta(hours=1), place=PLACE,
                               status="planned", created_at=at))

    def do_attach(self, at, previous, template, risk) -> None:
        received = max(previous + timedelta(minutes=1), at - timedelta(hours=20))
        referral = self.s.file(template, self.spec.child, received, self.manager)
        reason = f"Jauns ziņojums par to pašu bērnu ({referral.reporting_institution.name})."
        ops.triage_referral(self.manager, referral, outcome="attached", risk=risk,
                            case=self.case, reason=reason, at=at)

    def do_note(self, at, _previous, author, level, text) -> None:
        note = ops.add_note(self.users[author], self.case, level=level, text=text)
        note.created_at = at

    def do_participation(self, at, _previous, decision) -> None:
        informed = decision or self.rng.random() < 0.6
        person = self.rng.choice(self.persons) if self.persons else None
        subject = self.decision.text if decision else \
            "Individuālais sociālās rehabilitācijas plāns"
        row = ops.add_participation(
            self.manager, self.case, subject=subject[:300],
            person_id=person.id if person else None,
            decision_id=self.decision.id if decision else None, informed=informed,
            informed_on=local_date(at) if informed else None,
            method=self.rng.choice(METHODS) if informed else None,
            opinion=self.rng.choice(OPINIONS) if informed else None,
            attended=self.rng.random() < 0.5, today=local_date(at))
        row.created_at = at

    def do_task(self, at, _previous, key, assignee, title, due_in, future=False) -> None:
        user = self.users[assignee]
        start = self.s.today if future else local_date(at)
        self.tasks[key] = task = Task(
            municipality_id=self.case.municipality_id, title=title, assignee_id=user.id,
            assignee_institution_id=user.institution_id, due_date=start + timedelta(days=due_in),
            case_id=self.case.id, created_by_id=self.manager.id, created_at=at, issued_at=at)
        db.session.add(task)
        db.session.flush()

    def do_task_done(self, at, _previous, key) -> None:
        if self.tasks[key].status == "open":
            complete_task(self.manager, self.tasks[key], "Izpildīts; informācija pievienota "
                                                         "lietai.", at=at)

    def do_task_cancelled(self, at, _previous, key) -> None:
        if self.tasks[key].status == "open":
            cancel_task(self.manager, self.tasks[key], "Vairs nav aktuāls: ģimene mainījusi "
                                                       "dzīvesvietu.", at=at)
