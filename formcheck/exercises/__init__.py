"""Exercises as data: one TOML file per exercise, validated on load (:mod:`spec`), the signal names
and units the files may use (:mod:`signal_registry`), and the plain-language explanation of a file."""

from formcheck.exercises.spec import (
    Criterion,
    ExerciseSpec,
    RepsSpec,
    Timing,
    available_exercises,
    load_exercise,
    load_exercise_file,
)

__all__ = [
    "Criterion", "ExerciseSpec", "RepsSpec", "Timing",
    "available_exercises", "load_exercise", "load_exercise_file",
]
