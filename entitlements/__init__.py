"""补助测算 entitlements: Chinese grassroots subsidy rules as exact, explained payouts."""

from .calculator import Calculator, Entitlement, EntitlementInputError, RosterResult
from .profiles import ProfileError, resolve_profile
from .roster import InputError
from .standards import LEVELS, StandardsError

__all__ = [
    "Calculator", "Entitlement", "EntitlementInputError", "InputError", "LEVELS", "ProfileError",
    "RosterResult", "StandardsError", "resolve_profile",
]
__version__ = "0.1.0"
