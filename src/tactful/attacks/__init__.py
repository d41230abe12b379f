"""Jailbreak attacks: single-turn transforms of a case, and interactive attacks on the target.

``Attack.apply(case) -> list[Case]`` transforms a case before it is sent;
``InteractiveAttack.run(case, respond, judge) -> AttackTrace`` talks to the (defended) target
through ``respond`` while it runs. Every attack is in the registry with its family, source and
one-line summary (``tactful list attacks``).
"""

from tactful.attacks._artifacts import (
    JBB_ARTIFACTS_URL,
    ArtifactAttack,
    ArtifactError,
    StoredJailbreak,
    load_artifact,
    normalise_goal,
    read_artifact,
)
from tactful.attacks._base import (
    Attack,
    AttackStep,
    AttackTrace,
    InteractiveAttack,
    Respond,
    StopReason,
    is_interactive,
    jailbroken,
    with_last_user_turn,
    with_messages,
)
from tactful.attacks._encodings import ENCODINGS, Encoding, EncodingAttack
from tactful.attacks._interactive import (
    LANGUAGES,
    EscalationAttack,
    LazyModel,
    PairAttack,
    TranslationAttack,
    escalation_turns,
    parse_attacker_prompt,
)
from tactful.attacks._priming import SHOTS, PrimingAttack, priming_turns
from tactful.attacks._registry import (
    build_any_attack,
    build_attack,
    build_interactive_attack,
    interactive_attacks,
    known_attacks,
)
from tactful.attacks._rewrite import (
    PastTenseAttack,
    PayloadSplitAttack,
    past_tense,
    split_payload,
    topic,
)
from tactful.attacks._template_file import (
    PLACEHOLDERS,
    FileTemplateAttack,
    TemplateFileError,
    fill_template,
    load_templates,
)
from tactful.attacks._templates import TEMPLATES, NoAttack, TemplateAttack

__all__ = [
    "ENCODINGS",
    "JBB_ARTIFACTS_URL",
    "LANGUAGES",
    "PLACEHOLDERS",
    "SHOTS",
    "TEMPLATES",
    "ArtifactAttack",
    "ArtifactError",
    "Attack",
    "AttackStep",
    "AttackTrace",
    "Encoding",
    "EncodingAttack",
    "EscalationAttack",
    "FileTemplateAttack",
    "InteractiveAttack",
    "LazyModel",
    "NoAttack",
    "PairAttack",
    "PastTenseAttack",
    "PayloadSplitAttack",
    "PrimingAttack",
    "Respond",
    "StopReason",
    "StoredJailbreak",
    "TemplateAttack",
    "TemplateFileError",
    "TranslationAttack",
    "build_any_attack",
    "build_attack",
    "build_interactive_attack",
    "escalation_turns",
    "fill_template",
    "interactive_attacks",
    "is_interactive",
    "jailbroken",
    "known_attacks",
    "load_artifact",
    "load_templates",
    "normalise_goal",
    "parse_attacker_prompt",
    "past_tense",
    "priming_turns",
    "read_artifact",
    "split_payload",
    "topic",
    "with_last_user_turn",
    "with_messages",
]
