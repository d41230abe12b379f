"""Ways of answering a case: no defense, baselines, and (later) the layered guard."""

from tactful.defenses._base import Defense, DefenseResponse
from tactful.defenses._common import write_refusal
from tactful.defenses._filters import InputFilter, OutputFilter
from tactful.defenses._guard import Guard, GuardedStream
from tactful.defenses._perplexity import (
    BENIGN_CALIBRATION,
    PerplexityFilter,
    PerplexityScore,
    PerplexityScorer,
    embedded_scorer,
)
from tactful.defenses._r2d_prompt import R2D_INSTRUCTIONS, PivotReading, R2DPrompt, read_pivots
from tactful.defenses._registry import build_defense, known_defenses
from tactful.defenses._simple import SELF_REMINDER, NoDefense, SelfReminder
from tactful.defenses._smoothllm import SmoothLLM, perturb

__all__ = [
    "BENIGN_CALIBRATION",
    "R2D_INSTRUCTIONS",
    "SELF_REMINDER",
    "Defense",
    "DefenseResponse",
    "Guard",
    "GuardedStream",
    "InputFilter",
    "NoDefense",
    "OutputFilter",
    "PerplexityFilter",
    "PerplexityScore",
    "PerplexityScorer",
    "PivotReading",
    "R2DPrompt",
    "SelfReminder",
    "SmoothLLM",
    "build_defense",
    "embedded_scorer",
    "known_defenses",
    "perturb",
    "read_pivots",
    "write_refusal",
]
