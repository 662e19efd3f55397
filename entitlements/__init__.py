"""补助测算 entitlements: Chinese grassroots subsidy rules as exact, explained payouts."""

import sys
from importlib.abc import MetaPathFinder
from importlib.util import spec_from_file_location
from pathlib import Path


class _CheckoutFinder(MetaPathFinder):
    """``entitlements.cli`` and ``entitlements.policies`` from the repository's top-level
    ``cli.py`` and ``policies/``, where they are not inside this folder.

    A built install (``pip install .``) copies them into the package, so this finder is not
    installed there. In a checkout (tests run from the repository root find ./entitlements
    first) and in an editable install the package is this source folder, and they sit beside
    it. Exactly these two names are mapped, each to one file, so each is one module object;
    a top-level ``policies`` or ``cli`` is never importable through this package.
    """

    def __init__(self, beside: dict[str, Path]):
        self.beside = beside

    def find_spec(self, fullname, path=None, target=None):
        origin = self.beside.get(fullname)
        if origin is None:
            return None
        if origin.name == "__init__.py":  # a package: its modules and data are found in its folder
            return spec_from_file_location(fullname, origin, submodule_search_locations=[str(origin.parent)])
        return spec_from_file_location(fullname, origin)


def _install_checkout_finder() -> None:
    here = Path(__file__).resolve().parent
    if not (here.parent / "pyproject.toml").is_file():
        return  # not a checkout: never map a stray top-level cli.py or policies/ beside an install
    beside = {f"{__name__}.cli": (here / "cli.py", here.parent / "cli.py"),
              f"{__name__}.policies": (here / "policies", here.parent / "policies" / "__init__.py")}
    missing = {name: outside for name, (inside, outside) in beside.items() if not inside.exists() and outside.is_file()}
    if missing and not any(isinstance(f, _CheckoutFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _CheckoutFinder(missing))


_install_checkout_finder()

from .calculator import Calculator, Entitlement, EntitlementInputError, RosterResult  # noqa: E402
from .profiles import ProfileError, resolve_profile  # noqa: E402
from .roster import InputError  # noqa: E402
from .scenarios import Scenario  # noqa: E402
from .standards import LEVELS, StandardsError  # noqa: E402

__all__ = [
    "Calculator", "Entitlement", "EntitlementInputError", "InputError", "LEVELS", "ProfileError",
    "RosterResult", "Scenario", "StandardsError", "resolve_profile",
]
__version__ = "0.1.0"
