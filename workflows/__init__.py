"""Shared machinery of the casework state machines (DESIGN §4, STYLE point 4).

Each workflow module (`case_lifecycle`, `risk_profile`, `task`, `meeting`, `decision`,
`annual_report`) declares its machine once, as data:

* a `StrEnum` of states,
* ``TRANSITIONS``: a list of ``{"trigger", "source", "dest", "conditions"}`` dicts whose
  conditions are *codes* looked up in the module's ``CONDITIONS``,
* ``CONDITIONS``: each code maps to a `Condition`, a function ``(facts, kwargs) -> bool`` with a
  refusal message from the Babel catalog (``L_("refusal", "...")``, see `workflows.labels`),

and exposes ``bind(obj, facts=None)``, which returns a `WorkflowMachine`: a real
`transitions.Machine` with ``model=obj``, ``auto_transitions=False``, ``send_event=True`` and the
state kept as a plain string in the object's own column (``model_attribute``). The conditions are
installed as real transitions conditions; `WorkflowMachine.fire` runs the same conditions first
so that a refusal raises `WorkflowError` naming the first unmet one instead of returning False.

"facts" are a small dataclass computed by the service layer from the database (for example
``CaseFacts``); "inputs" are the trigger's keyword arguments typed by the user (``reason``,
``closure_reason``, ``decision_ref``...). A condition that checks an input declares it in
``Condition.input``; `WorkflowMachine.allowed_triggers` skips those, because the page asks for
the input only after the button is pressed.

Machines are bound per operation. transitions puts helper methods (``may_<trigger>``,
``is_<attribute>_<state>``, the trigger methods) on the model object, so `bind` first removes the
helpers a previous binding of the same column left there; otherwise they would keep pointing at
the old machine and its stale facts. Service code should call ``machine.fire(...)``, which never
goes through those helpers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from functools import partial
from typing import Any

from transitions import Event, Machine, MachineError

from workflows.errors import WorkflowError, placeholders
from workflows.labels import L_, Label, language

__all__ = [
    "Condition",
    "Outcome",
    "Spec",
    "WorkflowError",
    "WorkflowMachine",
    "fact_condition",
    "input_condition",
    "pick_label",
    "required_text",
]

Test = Callable[[Any, Mapping[str, Any]], bool]
#: A side effect run when a state is entered: ``(obj, kwargs) -> {attribute: (old, new)}``.
Effect = Callable[[Any, Mapping[str, Any]], dict[str, tuple[Any, Any]]]


@dataclass(frozen=True)
class Condition:
    """A named guard of a transition with its refusal message, a catalog text.

    `input` names the trigger keyword argument the condition checks (None when it reads only
    facts); `needs_facts` says the test reads the facts object. A message may contain
    ``{field}`` placeholders, filled from the facts and the trigger's keyword arguments after
    the message is translated (so every language formats them).
    """

    code: str
    message: Label
    test: Test
    input: str | None = None
    needs_facts: bool = False

    def holds(self, facts: Any, kwargs: Mapping[str, Any]) -> bool:
        """Evaluate the condition; a missing facts object is a programming error, not a no."""
        if self.needs_facts and facts is None:
            raise TypeError(f"condition {self.code!r} needs facts; pass them to bind(obj, facts)")
        return bool(self.test(facts, kwargs))

    def error(
        self, facts: Any, kwargs: Mapping[str, Any], trigger: str, state: str
    ) -> WorkflowError:
        """The `WorkflowError` reporting that this condition is unmet."""
        context: dict[str, Any] = {}
        if is_dataclass(facts):
            context.update({f.name: getattr(facts, f.name) for f in fields(facts)})
        context.update(kwargs)
        # Keep only what the message shows; a translation may use no other placeholder.
        params = {k: v for k, v in context.items() if k in placeholders(self.message.msgid)}
        return WorkflowError(self.code, self.message, params=params, trigger=trigger, state=state)


def required_text(value: Any) -> bool:
    """True when `value` is a non-blank text (a reason, note or comment)."""
    return value is not None and bool(str(value).strip())


def input_condition(name: str, code: str, message: Label) -> Condition:
    """A condition that the trigger's keyword argument `name` is a non-blank text."""
    return Condition(code, message, lambda _facts, kw: required_text(kw.get(name)), input=name)


def fact_condition(code: str, message: Label, test: Test) -> Condition:
    """A condition on the facts only; it also decides which buttons a page shows."""
    return Condition(code, message, test, needs_facts=True)


@dataclass(frozen=True)
class Spec:
    """Everything a workflow module declares; `WorkflowMachine` is built from it alone."""

    name: str
    states: type[enum.StrEnum]
    initial: str
    attribute: str
    transitions: Sequence[Mapping[str, Any]]
    conditions: Mapping[str, Condition]
    state_labels: Mapping[str, Mapping[str, str]]
    trigger_labels: Mapping[str, Mapping[str, str]]
    on_enter: Mapping[str, Effect] = field(default_factory=dict)

    def triggers(self) -> list[str]:
        """Trigger names in table order, each once."""
        return list(dict.fromkeys(row["trigger"] for row in self.transitions))

    def inputs(self) -> dict[str, tuple[str, ...]]:
        """For each trigger, the keyword arguments the user must be asked for."""
        result: dict[str, tuple[str, ...]] = {}
        for row in self.transitions:
            known = list(result.get(row["trigger"], ()))
            for code in row.get("conditions", ()):
                name = self.conditions[code].input
                if name and name not in known:
                    known.append(name)
            result[row["trigger"]] = tuple(known)
        return result


@dataclass(frozen=True)
class Outcome:
    """What an accepted transition did, for the history row (`CaseEvent`) and notifications.

    `changes` maps each attribute of the object that changed to ``(old, new)``: the state column
    itself and whatever the entered state's declared side effect changed (for example entering
    ``crisis`` changes ``risk`` and ``crisis_started_at``).
    """

    trigger: str
    source: str
    dest: str
    changes: dict[str, tuple[Any, Any]]
    kwargs: dict[str, Any]


class _Guard:
    """The callable installed as a transitions condition; keeps its `Condition` inspectable."""

    def __init__(self, machine: WorkflowMachine, condition: Condition) -> None:
        self.machine = machine
        self.condition = condition

    def __call__(self, event: Any) -> bool:
        return self.condition.holds(self.machine.facts, event.kwargs)


def _listify(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value]
    return list(value)


def _forget_bindings(obj: Any, attribute: str) -> None:
    """Remove helpers that an earlier machine for the same column put on `obj`.

    transitions never overwrites an existing attribute, so without this a second `bind` of the
    same object would leave ``obj.close`` and ``obj.may_close`` bound to the first machine.
    ``trigger``/``may_trigger`` are shared by all machines; the latest binding takes them.
    """
    for name, value in list(getattr(obj, "__dict__", {}).items()):
        if not isinstance(value, partial):
            continue
        owner = getattr(value.func, "__self__", None)
        machine = owner.machine if isinstance(owner, Event) else owner
        if not isinstance(machine, Machine):
            continue
        if machine.model_attribute == attribute or name in ("trigger", "may_trigger"):
            delattr(obj, name)


class WorkflowMachine(Machine):
    """A `transitions.Machine` bound to one object for one operation, with domain refusals."""

    def __init__(self, spec: Spec, obj: Any, facts: Any = None) -> None:
        self.spec = spec
        self.obj = obj
        self.facts = facts
        self._effect_changes: dict[str, tuple[Any, Any]] = {}
        _forget_bindings(obj, spec.attribute)
        current = getattr(obj, spec.attribute, None)
        # str() turns a StrEnum member into its value; transitions would otherwise use its name.
        initial = str(current) if current not in (None, "") else str(spec.initial)
        if initial not in {str(s) for s in spec.states}:
            raise ValueError(f"{spec.name}: {spec.attribute}={initial!r} is not a known state")
        states: list[Any] = []
        for state in spec.states:
            effect = spec.on_enter.get(state)
            if effect is None:
                states.append(str(state))
            else:
                states.append({"name": str(state), "on_enter": [partial(self._run_effect, effect)]})
        super().__init__(
            model=obj,
            states=states,
            transitions=[self._compile(row) for row in spec.transitions],
            initial=initial,
            auto_transitions=False,
            model_attribute=spec.attribute,
            send_event=True,
            ignore_invalid_triggers=False,
            name=spec.name,
        )

    def _compile(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "trigger": row["trigger"],
            "source": [str(s) for s in _listify(row["source"])],
            "dest": str(row["dest"]),
            "conditions": [
                _Guard(self, self.spec.conditions[c]) for c in row.get("conditions", ())
            ],
        }

    def _run_effect(self, effect: Effect, event: Any) -> None:
        self._effect_changes.update(effect(self.obj, event.kwargs))

    @property
    def current(self) -> str:
        """The object's current state, as the plain string stored in its column."""
        return str(getattr(self.obj, self.spec.attribute))

    def label(self, locale: str = "lv", state: str | None = None) -> str:
        """The label of `state` (default: the current one) in `locale`."""
        return pick_label(self.spec.state_labels[state or self.current], locale)

    def check(self, trigger: str, **kwargs: Any) -> WorkflowError | None:
        """Return why `trigger` with these inputs is refused now, or None; changes nothing."""
        return self._check(trigger, kwargs, with_inputs=True)

    def _check(
        self, trigger: str, kwargs: Mapping[str, Any], *, with_inputs: bool
    ) -> WorkflowError | None:
        state = self.current
        if trigger not in self.events:
            return WorkflowError(
                "unknown_trigger",
                L_("refusal", "Unknown action “{trigger}”."),
                params={"trigger": trigger},
                trigger=trigger,
                state=state,
            )
        candidates = self.events[trigger].transitions.get(state, [])
        if not candidates:
            return self._not_allowed(trigger, state)
        first_failure: Condition | None = None  # set below: candidates is not empty
        for transition in candidates:
            failing = None
            for guard in transition.conditions:
                condition = guard.func.condition
                if condition.input is not None and not with_inputs:
                    continue
                if not condition.holds(self.facts, kwargs):
                    failing = condition
                    break
            if failing is None:
                return None
            first_failure = first_failure or failing
        return first_failure.error(self.facts, kwargs, trigger, state)  # type: ignore[union-attr]

    def _not_allowed(self, trigger: str, state: str) -> WorkflowError:
        """The refusal of a trigger that has no transition out of `state`."""
        return WorkflowError(
            "not_allowed_in_state",
            L_("refusal", "“{action}” is not possible while the status is “{status}”."),
            params={
                "action": self.spec.trigger_labels[trigger],
                "status": self.spec.state_labels[state],
            },
            trigger=trigger,
            state=state,
        )

    def fire(self, trigger: str, **kwargs: Any) -> Outcome:
        """Run `trigger` with its inputs; raise `WorkflowError` naming the first unmet condition."""
        error = self.check(trigger, **kwargs)
        if error is not None:
            raise error
        source = self.current
        self._effect_changes = {}
        try:
            accepted = self.events[trigger].trigger(self.obj, **kwargs)
        except MachineError as exc:  # check() rules this out; keep the contract regardless
            raise self._not_allowed(trigger, source) from exc
        if not accepted:
            raise WorkflowError(
                "refused",
                L_("refusal", "The action cannot be taken now."),
                trigger=trigger,
                state=source,
            )
        changes = {self.spec.attribute: (source, self.current), **self._effect_changes}
        return Outcome(trigger, source, self.current, changes, dict(kwargs))

    def allowed_triggers(self) -> list[str]:
        """Triggers possible now from the current state and facts, in table order.

        Conditions on inputs (a reason, a decision reference) are not evaluated: the page shows
        the button and asks for the input, and `fire` checks it.
        """
        state = self.current
        return [
            t for t in self.get_triggers(state) if self._check(t, {}, with_inputs=False) is None
        ]

    def unmet(self, trigger: str) -> list[WorkflowError]:
        """Every condition on the facts that keeps ``trigger`` from its first transition out of
        the current state, not only the first: a page lists all the missing steps at once.
        Conditions on inputs are left to `fire`; an empty list means the facts allow it."""
        candidates = self.events[trigger].transitions.get(self.current, []) \
            if trigger in self.events else []
        if not candidates:
            error = self._check(trigger, {}, with_inputs=False)
            return [error] if error is not None else []
        found = []
        for guard in candidates[0].conditions:
            condition = guard.func.condition
            if condition.input is None and not condition.holds(self.facts, {}):
                found.append(condition.error(self.facts, {}, trigger, self.current))
        return found

    def refusals(self) -> dict[str, WorkflowError]:
        """Triggers valid from the current state but blocked by the facts, with the reason;
        for showing a disabled button with an explanation."""
        result: dict[str, WorkflowError] = {}
        for trigger in self.get_triggers(self.current):
            error = self._check(trigger, {}, with_inputs=False)
            if error is not None:
                result[trigger] = error
        return result


def pick_label(label: Label | str, locale: str | None) -> str:
    """``label`` in the language of ``locale`` when it is a catalog `Label` (any language the
    catalog has); a plain text, the fallback that shows an unknown code as it is, unchanged."""
    if isinstance(label, Label):
        return label[language(locale)]
    return str(label)
