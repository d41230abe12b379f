"""Authored refusal phrasing per harm category: what the reply won't help with, and what it can.

Each category has a few ways to name the limit and a few safe alternatives; the shaper picks
one of each from a hash of the request, so replies vary without being random. The wording
follows the policy's refusal style: one plain sentence for the limit, no judgement, no talk of
rules, and an alternative that is genuinely useful.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FALLBACK", "LIMIT_TEMPLATES", "PHRASING", "Phrasing"]


@dataclass(frozen=True)
class Phrasing:
    """Ways to name what the reply won't help with (noun phrases), and safe alternatives."""

    limits: tuple[str, ...]
    alternatives: tuple[str, ...]


# "{what}" is one of a category's limits.
LIMIT_TEMPLATES: Final = (
    "I can't help with {what}.",
    "I'm not able to help with {what}.",
    "I won't be able to help with {what}.",
)

FALLBACK: Final = Phrasing(
    limits=("that",),
    alternatives=(
        "I'm happy to help with the background, or with a safer way to get what you need.",
        "If you tell me more about what you're trying to do, I can look for another way to help.",
    ),
)

PHRASING: Final[dict[str, Phrasing]] = {
    "violent_crimes": Phrasing(
        limits=(
            "planning or carrying out violence against someone",
            "ways to hurt someone or to avoid being caught afterwards",
        ),
        alternatives=(
            "If you're worried about your own safety, I can go through practical ways to stay "
            "safe and de-escalate.",
            "I'm glad to talk about what drives violence and what helps prevent it.",
            "If this is for a story, I can help with the plot, the tension and the aftermath.",
        ),
    ),
    "indiscriminate_weapons": Phrasing(
        limits=(
            "making or getting hold of weapons that can cause mass casualties",
            "building explosives or chemical, biological or nuclear weapons",
        ),
        alternatives=(
            "I'm happy to explain how emergency services and arms control keep people safe.",
            "If you're curious about the science, I can cover it at the level of a general course.",
            "I can explain how to store cleaning products safely at home.",
        ),
    ),
    "cybercrime": Phrasing(
        limits=(
            "getting into accounts or systems without the owner's permission",
            "writing malware or tools for stealing passwords",
        ),
        alternatives=(
            "I can help you secure your own accounts and systems, or explain how these attacks "
            "are detected.",
            "I'm glad to explain how this kind of attack works in general and how to defend "
            "against it.",
            "If you've lost access to your own account, I can walk you through the official "
            "recovery steps.",
        ),
    ),
    "non_violent_crimes": Phrasing(
        limits=(
            "committing or covering up fraud, theft or forgery",
            "scams, counterfeiting or hiding money from the tax office",
        ),
        alternatives=(
            "I'm happy to explain how these schemes work so they're easier to spot and report.",
            "If money is tight, I can help look for legitimate options, like support schemes or "
            "ways to cut costs.",
            "I can point you to where people can report fraud and get support.",
        ),
    ),
    "drugs": Phrasing(
        limits=(
            "making, buying or smuggling drugs",
            "producing or getting hold of controlled drugs",
        ),
        alternatives=(
            "I can share harm-reduction information, like the signs of an overdose and what to do.",
            "If drug use is becoming a struggle, I can help find support or treatment services.",
            "I'm glad to explain how these substances affect the body and what the risks are.",
        ),
    ),
    "sex_related_crimes": Phrasing(
        limits=(
            "anything involving sexual contact or images without consent",
            "drugging, coercing or exposing someone sexually",
        ),
        alternatives=(
            "If something has happened to you or someone you know, I can help find support and "
            "reporting options.",
            "I'm happy to talk about consent, or how to recognise and prevent exploitation.",
            "I can explain how to get intimate images taken down from websites.",
        ),
    ),
    "child_sexual_exploitation": Phrasing(
        limits=("anything that sexualises children", "any sexual content involving minors"),
        alternatives=(
            "If you're worried about a child's safety, I can explain the warning signs of "
            "grooming and how to report concerns.",
            "I can point you to organisations such as NCMEC or the IWF for reporting and support.",
        ),
    ),
    "suicide_self_harm": Phrasing(
        limits=("ways to hurt yourself or end your life", "methods or amounts for self-harm"),
        alternatives=(
            "If you're going through a hard time, I'm here to listen, and I can share a "
            "helpline you can reach right now.",
            "If you're worried about someone else, I can help you work out what to say and "
            "where to get support.",
        ),
    ),
    "hate": Phrasing(
        limits=(
            "writing content that demeans people for who they are",
            "material that attacks a group for its identity",
        ),
        alternatives=(
            "I can help you argue your position on the issue itself, with evidence.",
            "If you're studying this, I can explain how this kind of rhetoric works and how "
            "it's countered.",
            "I can help with the history and context behind it.",
        ),
    ),
    "harassment": Phrasing(
        limits=(
            "threatening, intimidating or tracking down a specific person",
            "messages meant to frighten or shame someone",
        ),
        alternatives=(
            "I can help you write something firm and clear about what you need instead.",
            "If someone is harassing you, I can help you document it, block them and report it.",
            "I'm happy to help work out how to handle the conflict directly.",
        ),
    ),
    "defamation": Phrasing(
        limits=(
            "making up damaging claims about a real person or business",
            "made-up claims about real people",
        ),
        alternatives=(
            "I can help you write an honest review or account of your own experience.",
            "If it's satire, I can help write something clearly labelled as fiction.",
            "I'm glad to summarise what's on the public record, with sources.",
        ),
    ),
    "privacy": Phrasing(
        limits=(
            "finding or compiling private details about a person",
            "tracking someone or uncovering who is behind an account",
        ),
        alternatives=(
            "I can help you protect your own information, like getting your address off "
            "people-search sites.",
            "If you're trying to contact someone, I can suggest public, official ways to do it.",
            "I can explain how to ask a company for the data it holds about you.",
        ),
    ),
    "intellectual_property": Phrasing(
        limits=(
            "copying protected works in full or getting around DRM",
            "pirated software, licence keys or full copies of protected text",
        ),
        alternatives=(
            "I can summarise it, quote a short passage for comment, or write something original "
            "in the same style.",
            "I'm happy to point you to legitimate ways to get it, such as libraries or free "
            "editions.",
            "I can explain how licensing and fair use work.",
        ),
    ),
    "sexual_content": Phrasing(
        limits=("writing explicit sexual content", "graphic descriptions of sex"),
        alternatives=(
            "I can write a romantic scene that fades to black.",
            "I'm glad to help with questions about sexual health or relationships.",
        ),
    ),
    "elections": Phrasing(
        limits=(
            "false information about how, when or where to vote",
            "content that misleads voters or impersonates election officials",
        ),
        alternatives=(
            "I can give accurate information on registering and voting, with a pointer to the "
            "official election authority.",
            "I'm happy to describe the candidates' positions neutrally.",
        ),
    ),
    "health_advice": Phrasing(
        limits=(
            "a definitive diagnosis or changes to your medication",
            "individual dosing decisions that need a clinician",
        ),
        alternatives=(
            "I can explain what the symptoms might mean and how urgently to get them checked.",
            "I can help you prepare questions for a doctor or pharmacist.",
            "I can tell you which signs mean it's time to get help straight away.",
        ),
    ),
    "financial_advice": Phrasing(
        limits=(
            "guaranteeing returns or making a buy-or-sell call for you",
            "promising that an investment is safe from losses",
        ),
        alternatives=(
            "I can explain how the options work, what they cost and the risks of each.",
            "I'm happy to go through general principles, like diversifying and keeping an "
            "emergency fund.",
            "I can point you to a regulated adviser or a free debt advice service.",
        ),
    ),
}
