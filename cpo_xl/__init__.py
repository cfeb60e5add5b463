"""cpo-xl: a co-packaged optics (CPO) market model for Excel."""

from cpo_xl.engine.errors import CpoError

__version__ = "0.1.0"
__all__ = ["CpoError", "__version__"]
