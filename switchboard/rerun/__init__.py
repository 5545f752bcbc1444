"""`switchboard replay --rerun`: a recorded call run again against the current definitions."""

from .compare import Divergence, Observation, first_divergence, observations
from .driver import RerunReport, RerunSettings, print_report, rerun_record
from .errors import NotReplayable, RerunError, RerunMismatch
from .tools import InvokerToolRunner

__all__ = [
    "Divergence",
    "InvokerToolRunner",
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
