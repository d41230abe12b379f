"""Every attack in the registry (name, family, source, summary), and the builders.

Single-turn transforms (``Attack``) build with ``build_attack``; interactive attacks
(``InteractiveAttack``: they talk to the target during the run) with
``build_interactive_attack``; ``build_any_attack`` builds either.
"""

from __future__ import annotations

from typing import Any, cast

from tactful.attacks._artifacts import (
    JBB_ARTIFACTS_URL,
    ArtifactAttack,
    load_artifact,
    read_artifact,
)
from tactful.attacks._base import Attack, InteractiveAttack, is_interactive
from tactful.attacks._encodings import ENCODINGS, EncodingAttack
from tactful.attacks._interactive import (
    EscalationAttack,
    LazyModel,
    PairAttack,
    TranslationAttack,
)
from tactful.attacks._priming import FEW_SHOT, MANY_SHOT, PrimingAttack
from tactful.attacks._rewrite import PastTenseAttack, PayloadSplitAttack
from tactful.attacks._template_file import FileTemplateAttack
from tactful.attacks._templates import NoAttack, TemplateAttack
from tactful.registry import UnknownComponentError, build, entries, known, register

__all__ = [
    "build_any_attack",
    "build_attack",
    "build_interactive_attack",
    "interactive_attacks",
    "known_attacks",
]

_AUTHORED = "authored for tactful"
_WEI = "Wei et al. 2023, Jailbroken (arXiv 2307.02483); wording " + _AUTHORED
_SHEN = "Shen et al. 2024, 'Do Anything Now' (arXiv 2308.03825); wording " + _AUTHORED

_TEMPLATE_INFO: dict[str, tuple[str, str, str]] = {
    # name: (family, source, summary)
    "prefix_injection": ("instruction", _WEI, "asks the model to open with an affirmative prefix"),
    "refusal_suppression": ("instruction", _WEI, "forbids apologies, disclaimers and refusals"),
    "roleplay": ("framing", _AUTHORED, "role-play: a fictional AI without rules answers"),
    "dan": ("template", _SHEN, "DAN-style dual persona with every restriction removed"),
    "novel": ("framing", _AUTHORED, "fiction: a novel chapter where a mentor explains it"),
    "screenplay": ("framing", _AUTHORED, "fiction: a screenplay scene where an expert explains it"),
    "persona": (
        "framing",
        "Shah et al. 2023, persona modulation (arXiv 2311.03348); wording " + _AUTHORED,
        "persona: a world expert who shares everything answers in character",
    ),
}
_ENCODING_SOURCES = {
    "base64": _WEI,
    "rot13": _WEI,
    "leetspeak": _WEI,
    "hex": _AUTHORED,
    "reversed": _AUTHORED,
}
_INTERACTIVE = {"translate", "escalation", "pair"}

register("attack", "none", summary="the case as it is", family="none")(NoAttack)
for _name, (_family, _source, _summary) in _TEMPLATE_INFO.items():
    register("attack", _name, summary=_summary, family=_family, source=_source)(
        lambda _n=_name: TemplateAttack(_n)
    )
for _name, _encoding in ENCODINGS.items():
    register(
        "attack",
        _name,
        summary=f"the request written in {_name}, to be decoded and answered",
        family="encoding",
        source=_ENCODING_SOURCES[_name],
    )(lambda _n=_name: EncodingAttack(_n))


@register(
    "attack",
    "templates",
    summary="a jailbreak template per case (by hash) from a JSON/JSONL/CSV file of templates",
    family="template",
    source="your file, e.g. the in-the-wild set (Shen et al. 2024, arXiv 2308.03825)",
    argument="PATH",
)
def _templates(path: str) -> Attack:
    return FileTemplateAttack(path)


@register(
    "attack",
    "past_tense",
    summary="rule-based rewrite of the request into the past tense ('how did people X?')",
    family="rewrite",
    source="Andriushchenko & Flammarion 2024 (arXiv 2407.11969); rules " + _AUTHORED,
)
def _past_tense() -> Attack:
    return PastTenseAttack()


@register(
    "attack",
    "payload_split",
    summary="the request split into string variables a, b, c the model must join and answer",
    family="splitting",
    source="Kang et al. 2023, programmatic behaviour (arXiv 2302.05733); wording " + _AUTHORED,
)
def _payload_split(*, parts: int = 3) -> Attack:
    return PayloadSplitAttack(parts=parts)


@register(
    "attack",
    "few_shot",
    summary=f"{FEW_SHOT} fabricated turns of the assistant complying with edgy questions first",
    family="priming",
    source="Wei et al. 2023, in-context attack (arXiv 2310.06387); shots " + _AUTHORED,
)
def _few_shot() -> Attack:
    return PrimingAttack("few_shot", FEW_SHOT)


@register(
    "attack",
    "many_shot",
    summary=f"dozens (default {MANY_SHOT}) of fabricated compliant turns before the request",
    family="priming",
    source="Anil et al. 2024, many-shot jailbreaking (Anthropic); shots " + _AUTHORED,
    argument="N",
    optional_argument=True,
)
def _many_shot(shots: str | None = None) -> Attack:
    if shots is None:
        return PrimingAttack("many_shot", MANY_SHOT)
    if not shots.isdigit() or int(shots) < 1:
        raise UnknownComponentError(f"many_shot:N needs a positive whole number, got {shots!r}")
    return PrimingAttack(f"many_shot:{shots}", int(shots))


@register(
    "attack",
    "translate",
    summary="the request translated into LANG by a model (option translator, default smollm2) "
    "and the reply back; quality depends on the translator",
    family="translation",
    source="Yong et al. 2023, low-resource languages (arXiv 2310.02446); prompts " + _AUTHORED,
    argument="LANG",
)
def _translate(
    language: str, *, translator: str = "smollm2", translate_back: bool = True
) -> InteractiveAttack:
    return TranslationAttack(
        f"translate:{language}", language, LazyModel(translator), translate_back=translate_back
    )


@register(
    "attack",
    "escalation",
    summary="multi-turn: a scripted ramp from a benign related question to the request, "
    "with the target's real replies in the conversation",
    family="multi_turn",
    source="Russinovich et al. 2024, Crescendo (arXiv 2404.01833); script " + _AUTHORED,
)
def _escalation(*, turns: int = 4) -> InteractiveAttack:
    return EscalationAttack(turns=turns)


@register(
    "attack",
    "pair",
    summary="PAIR-style: an attacker model (default smollm2) refines the prompt from the "
    "target's replies and the judge's verdicts",
    family="automated",
    source="Chao et al. 2023, PAIR (arXiv 2310.08419); attacker prompt " + _AUTHORED,
    argument="ATTACKER_MODEL",
    optional_argument=True,
)
def _pair(
    attacker: str | None = None, *, max_iterations: int = 3, max_attacker_tokens: int = 2048
) -> InteractiveAttack:
    return PairAttack(
        f"pair:{attacker}" if attacker else "pair",
        LazyModel(attacker or "smollm2"),
        max_iterations=max_iterations,
        max_attacker_tokens=max_attacker_tokens,
    )


@register(
    "attack",
    "jbb",
    summary="stored jailbreak prompts from a JailbreakBench artifact (METHOD/MODEL, "
    "downloaded and cached, or NAME=PATH), matched to cases by goal",
    family="artifact",
    source="JailbreakBench artifacts (Chao et al. 2024), github.com/JailbreakBench/artifacts",
    argument="METHOD/MODEL|NAME=PATH",
)
def _jbb(artifact: str, *, offline: bool = False, base_url: str = JBB_ARTIFACTS_URL) -> Attack:
    name, sep, path = artifact.partition("=")
    if sep:
        if not name or not path:
            raise UnknownComponentError(f"jbb:{artifact}: expected jbb:NAME=PATH")
        return ArtifactAttack(f"jbb:{artifact}", read_artifact(path), source=path)
    location, jailbreaks = load_artifact(artifact, offline=offline, base_url=base_url)
    return ArtifactAttack(f"jbb:{artifact}", jailbreaks, source=str(location))


def known_attacks() -> list[str]:
    """Every attack spec form (``PATH``, ``N`` and the like stand for an argument)."""
    return known("attack")


def interactive_attacks() -> list[str]:
    """The spec forms of the interactive attacks (built with ``build_interactive_attack``)."""
    return [entry.usage for entry in entries("attack") if entry.name in _INTERACTIVE]


def build_any_attack(spec: str, **options: Any) -> Attack | InteractiveAttack:
    """Build the attack ``spec`` names, single-turn or interactive; ``options`` go to it."""
    try:
        return cast(Attack | InteractiveAttack, build("attack", spec, **options))
    except UnknownComponentError as exc:
        raise ValueError(str(exc)) from None


def build_attack(spec: str, **options: Any) -> Attack:
    """Build a single-turn attack (``Attack.apply``); interactive ones are an error here."""
    attack = build_any_attack(spec, **options)
    if is_interactive(attack):
        raise ValueError(
            f"the attack {spec!r} is interactive (it talks to the target while it runs): build "
            "it with build_interactive_attack and run it with InteractiveAttack.run"
        )
    return cast(Attack, attack)


def build_interactive_attack(spec: str, **options: Any) -> InteractiveAttack:
    """Build an interactive attack (``InteractiveAttack.run``)."""
    attack = build_any_attack(spec, **options)
    if not is_interactive(attack):
        raise ValueError(f"the attack {spec!r} is a single-turn transform: use build_attack")
    return attack
