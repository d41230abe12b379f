"""The layered classifier: the embedded score decides, the policy reasoner settles the unsure."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field, model_validator

from tactful.classify._embedded import EmbeddedClassifier
from tactful.classify._reasoner import PolicyReasoner
from tactful.classify._verdict import ClassifyItem, Verdict

__all__ = ["Band", "LayeredClassifier"]


class Band(BaseModel):
    """Embedded unsafe scores in ``[low, high)`` go to the reasoner."""

    low: float = Field(default=0.2, ge=0.0, le=1.0)
    high: float = Field(default=0.8, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.low > self.high:
            raise ValueError(f"band low {self.low} is above high {self.high}")
        return self

    def __contains__(self, score: object) -> bool:
        return isinstance(score, float) and self.low <= score < self.high


class LayeredClassifier:
    """Embedded verdicts for everything; reasoner verdicts for items inside the band."""

    def __init__(
        self, embedded: EmbeddedClassifier, reasoner: PolicyReasoner, band: Band | None = None
    ) -> None:
        self.embedded = embedded
        self.reasoner = reasoner
        self.band = band or Band()
        self.name = f"layered:{reasoner.model.spec}"

    async def classify_batch(
        self, items: Sequence[ClassifyItem], context: str | None = None
    ) -> list[Verdict]:
        """Classify a batch; returns one verdict per item, in order."""
        verdicts = await self.embedded.classify_batch(items, context)
        unsure = [i for i, v in enumerate(verdicts) if v.score in self.band]
        reasoned = await self.reasoner.reason_many([items[i] for i in unsure], context)
        for index, verdict in zip(unsure, reasoned, strict=True):
            if verdict is None:  # the reasoner failed: keep the embedded verdict, say so
                verdicts[index] = verdicts[index].model_copy(
                    update={"rationale": "reasoner gave no usable answer; embedded verdict kept"}
                )
                continue
            merged = verdict.model_copy(update={"score": verdicts[index].score})
            if verdicts[index].response_harmful is not None:
                merged = merged.model_copy(
                    update={
                        "response_harmful": verdicts[index].response_harmful,
                        "response_harm_score": verdicts[index].response_harm_score,
                    }
                )
            verdicts[index] = merged
        return verdicts

    async def aclose(self) -> None:
        """Close the reasoner's backend, if it holds a client."""
        close = getattr(self.reasoner.model, "aclose", None)
        if close is not None:
            await close()
