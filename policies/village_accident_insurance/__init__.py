"""村组干部意外伤害保险 (澄江市2024年预算文本，项目10): 为在职村组干部购买意外伤害保险，
按每人每年260元的标准. The premium and its split: standards.toml."""

from __future__ import annotations

from entitlements.declared import DeclaredPolicy
from entitlements.fields import Field
from entitlements.people import ID_FIELDS, UNIT_ALIASES
from entitlements.rules import Component, Count, standard


class VillageAccidentInsurance(DeclaredPolicy):
    id = "village_accident_insurance"
    schedule = "annual"
    key_fields = ("id", "id_number")
    fields = (*ID_FIELDS, Field("unit", "所属单位", "text", "unit", aliases=UNIT_ALIASES, default=""))
    parts = (Component("premium", ("意外伤害保险费", "accident insurance premium"), standard("premium.per_person")),)
    counts = (Count("people", "在职村组干部", ("人数", "村组干部")),)


POLICY = VillageAccidentInsurance()
