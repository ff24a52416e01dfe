"""Routines as data: one TOML file per routine (ordered steps of bundled or user exercises, a weekly
plan), validated on load (:mod:`spec`), and explained in plain words (:mod:`explain`)."""

from formcheck.routines.spec import (
    Plan,
    RoutineSpec,
    RoutineStep,
    available_routines,
    load_routine,
    load_routine_file,
)

__all__ = ["Plan", "RoutineSpec", "RoutineStep", "available_routines", "load_routine", "load_routine_file"]
