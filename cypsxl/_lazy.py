"""A package's public names, each imported from its module on first use (PEP 562).

``import cypsxl`` then costs only what it imports itself: ``cypsxl run`` never loads the
appraisal (numpy_financial), Monte Carlo or monitoring modules it does not use, while
``from cypsxl.model import npv`` still works and gives the very same object.

>>> import sys, types
>>> pkg = types.ModuleType("pkg")
>>> sys.modules["pkg"] = pkg
>>> pkg.__getattr__, pkg.__dir__ = lazy_names("pkg", {"math": ("pi",), "string": ("digits",)})
>>> import math
>>> pkg.pi is math.pi, "pi" in vars(pkg), pkg.digits
(True, True, '0123456789')
>>> dir(pkg)[-2:]
['digits', 'pi']
>>> pkg.tau
Traceback (most recent call last):
AttributeError: module 'pkg' has no attribute 'tau'
>>> del sys.modules["pkg"]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(
    package: str, modules: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose names live in ``modules``.

    ``modules`` maps a module (absolute, or one of the package's own such as
    ``".appraisal"``) to the public names it defines. A name is imported the first time
    it is asked for, then kept in the package's namespace, so later lookups are plain.
    The import goes through ``__import__``, so ``python -X importtime`` lists the module.
    """
    home = {
        name: package + module if module.startswith(".") else module
        for module, names in modules.items()
        for name in names
    }
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(__import__(module, fromlist=(name,)), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *home})

    return __getattr__, __dir__
