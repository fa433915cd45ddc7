"""The checks of dropout_model_forward, on arrays only: those of a flag that turns
dropout off in evaluation (lessongrader.flags)."""

from lessongrader.flags import dropout_properties as properties

__all__ = ["properties"]
