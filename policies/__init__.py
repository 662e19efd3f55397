"""The policies: one module each, with its data file beside it (``<id>.toml``)."""

from __future__ import annotations

from entitlements.policy import Policy

from .brigade_cadre_living import POLICY as BRIGADE_CADRE_LIVING
from .brigade_cadre_living import BrigadeCadre, ServiceSpan
from .two_new_16321 import POLICY as TWO_NEW_16321
from .two_new_16321 import PartyOrganisation
from .village_cadre_departure import POLICY as VILLAGE_CADRE_DEPARTURE
from .village_cadre_departure import PostSpan, VillageCadre
from .village_accident_insurance import POLICY as VILLAGE_ACCIDENT_INSURANCE

REGISTRY: dict[str, Policy] = {p.id: p for p in (TWO_NEW_16321, BRIGADE_CADRE_LIVING, VILLAGE_CADRE_DEPARTURE,
                                                  VILLAGE_ACCIDENT_INSURANCE)}


def get_policy(policy_id: str) -> Policy:
    try:
        return REGISTRY[policy_id.strip()]
    except KeyError:
        raise LookupError(f"未知政策 unknown policy '{policy_id}'. 可用 known: {', '.join(REGISTRY)}") from None


__all__ = ["REGISTRY", "get_policy", "BrigadeCadre", "ServiceSpan", "PartyOrganisation", "PostSpan", "VillageCadre"]
