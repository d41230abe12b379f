"""The written refusal policy: categories, actions, contexts, invariants, style, crisis resources.

Load it with ``load_policy(path)`` (``None``: the packaged ``default.yaml``); check a file with
``check_policy(path)``, which reports every problem with file, line and field.
"""

from tactful.policy._errors import (
    PolicyError,
    PolicyValidationError,
    UnknownCategoryError,
    UnknownContextError,
    format_errors,
)
from tactful.policy._load import (
    check_policy,
    check_policy_text,
    default_policy,
    load_policy,
    parse_policy,
)
from tactful.policy._schema import (
    Calibration,
    Category,
    Context,
    CrisisResource,
    CrisisTexts,
    Invariant,
    LanguageTexts,
    Policy,
    RefusalStyle,
    RefusalTexts,
    StyleRule,
)
from tactful.policy._semantic import DEFAULT_CONTEXT, FALLBACK_LOCALE, STRICTER_CONTEXTS
from tactful.policy._vocab import (
    ACTIONS,
    AILUMINATE_CODES,
    AILUMINATE_NAMES,
    LLAMA_GUARD_CODES,
    LLAMA_GUARD_NAMES,
    STRICTNESS,
    AILuminateCode,
    LlamaGuardCode,
    label_for_action,
    strictness,
)
from tactful.policy._yaml import YamlDocument, YamlSyntaxError, parse_yaml
from tactful.records import Action

__all__ = [
    "ACTIONS",
    "AILUMINATE_CODES",
    "AILUMINATE_NAMES",
    "DEFAULT_CONTEXT",
    "FALLBACK_LOCALE",
    "LLAMA_GUARD_CODES",
    "LLAMA_GUARD_NAMES",
    "STRICTER_CONTEXTS",
    "STRICTNESS",
    "AILuminateCode",
    "Action",
    "Calibration",
    "Category",
    "Context",
    "CrisisResource",
    "CrisisTexts",
    "Invariant",
    "LanguageTexts",
    "LlamaGuardCode",
    "Policy",
    "PolicyError",
    "PolicyValidationError",
    "RefusalStyle",
    "RefusalTexts",
    "StyleRule",
    "UnknownCategoryError",
    "UnknownContextError",
    "YamlDocument",
    "YamlSyntaxError",
    "check_policy",
    "check_policy_text",
    "default_policy",
    "format_errors",
    "label_for_action",
    "load_policy",
    "parse_policy",
    "parse_yaml",
    "strictness",
]
