"""Exercise specifications: one TOML file per exercise, validated on load."""

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
