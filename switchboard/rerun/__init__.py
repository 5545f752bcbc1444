"""`switchboard replay --rerun`: a recorded call run again against the current definitions."""

from .compare import Divergence, Observation, first_divergence, observations
from .driver import RerunReport, RerunSettings, print_report, rerun_record
from .errors import NotReplayable, RerunError, RerunMismatch

__all__ = [
    "Divergence",
    "NotReplayable",
    "Observation",
    "RerunError",
    "RerunMismatch",
    "RerunReport",
    "RerunSettings",
    "first_divergence",
    "observations",
    "print_report",
    "rerun_record",
]
