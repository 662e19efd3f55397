"""The policies: one folder each (its rules, its standards with their sources, its cases).

Installed as ``entitlements.policies``; ``entitlements.registry`` finds every module here
that exposes ``POLICY``, so nothing is listed by hand. The typed models are re-exported.
"""

from __future__ import annotations

from .brigade_cadre_living import BrigadeCadre, ServiceSpan
from .two_new_16321 import PartyOrganisation
from .village_cadre_departure import PostSpan, VillageCadre
from .community_worker_pay import CommunityWorker, WorkerPostSpan
from .joint_party_org import JointPartyEntry
from .village_cadre_performance import PerformanceCadre

__all__ = ["BrigadeCadre", "ServiceSpan", "PartyOrganisation", "PostSpan", "VillageCadre"]
__all__ += ["CommunityWorker", "WorkerPostSpan", "JointPartyEntry", "PerformanceCadre"]
