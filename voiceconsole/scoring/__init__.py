"""Call scoring (DESIGN.md §7): features from the transcript's timing, four weighted categories,
the 0–100 score with its breakdown, and the voice metrics stored on each call.

Local mode only here; it never calls out and is fast enough to run on every call as it arrives.
"""

from voiceconsole.scoring.features import CallFeatures, compute_features
from voiceconsole.scoring.scorer import (
    CATEGORIES,
    DEFAULT_WEIGHTS,
    NO_TRANSCRIPT,
    SCORER_VERSION,
    ScoreResult,
    ScoringInput,
    effective_weights,
    range_label,
    score_call,
    validate_weights,
    voice_metrics,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_WEIGHTS",
    "NO_TRANSCRIPT",
    "SCORER_VERSION",
    "CallFeatures",
    "ScoreResult",
    "ScoringInput",
    "compute_features",
    "effective_weights",
    "range_label",
    "score_call",
    "validate_weights",
    "voice_metrics",
]
