"""The checks of train_eval_forward, on arrays only: those of a flag that turns
added noise off in evaluation (lessongrader.flags)."""

from lessongrader.flags import noise_properties as properties

__all__ = ["properties"]
