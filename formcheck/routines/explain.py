"""Plain-language description of a routine file, for ``formcheck explain-routine``."""

from __future__ import annotations

from formcheck.routines.spec import Plan, RoutineSpec, RoutineStep


def plan_words(plan: Plan) -> str:
    """E.g. '1 to 2 sessions a day, 5 days a week'."""
    per_day = (f"{plan.sessions_per_day_min}" if plan.sessions_per_day_min == plan.sessions_per_day_max
               else f"{plan.sessions_per_day_min} to {plan.sessions_per_day_max}")
    unit = "session" if per_day == "1" else "sessions"
    days = f"{plan.days_per_week} day{'s' if plan.days_per_week > 1 else ''} a week"
    return f"{per_day} {unit} a day, {days}"


def target_words(step: RoutineStep) -> str:
    """E.g. 'hold 30 s of good form' or '10 reps, 2 s at the top of each'."""
    if step.target_reps is not None:
        return f"{step.target_reps} reps, {step.exercise.target_s:g} s at the top of each"
    return f"hold {step.target_s:g} s of good form"


def explain_routine(spec: RoutineSpec) -> str:
    """Multi-line text: title, plan, notes, then each step (exercise, side, target, rest, source)."""
    lines = [f"{spec.title}  [{spec.name}]", "", f"Plan: {plan_words(spec.plan)}."]
    if spec.notes:
        lines += ["", spec.notes]
    lines += ["", "Steps, in order:"]
    for i, step in enumerate(spec.steps, 1):
        side = "" if step.side == "both" else f", {step.side} side"
        lines.append(f"  {i}. {step.exercise.title} [{step.exercise.name}]{side}: {target_words(step)}.")
        if step.rest_s > 0 and i < len(spec.steps):
            lines.append(f"     Then rest {step.rest_s:g} s.")
        if step.why:
            lines.append(f"     Why: {step.why}")
    lines += ["", "See each exercise's form checks with `formcheck explain NAME`."]
    return "\n".join(lines)
