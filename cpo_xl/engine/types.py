"""The engine's shared type names: arrays over the timeline and the parameter objects its functions take.

The engine computes on plain frozen parameters (:mod:`cpo_xl.engine.params`), dataclasses generated at
runtime from the pydantic schema (:mod:`cpo_xl.engine.assumptions`) with exactly its fields. mypy cannot see
a class made at runtime, so for the type checker each ``...Params`` name *is* its schema class: every field
access (``a.racks.growth_fade``) is then checked against the schema. At runtime the same names are the
generated classes themselves. What the static view does not say:

* under Monte Carlo a numeric field holds a (draws, 1) array, not a float: the schema's ``float`` is the
  scalar case, and the engine's functions broadcast over either;
* the parameter objects have the fields only, none of the schema's methods or properties (``fingerprint``);
* ``companies`` is a read-only mapping, not a dict.

A validated schema object has the same fields, so it may be passed where these names are asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

if TYPE_CHECKING:
    from cpo_xl.engine.assumptions import Accelerators as AcceleratorsParams
    from cpo_xl.engine.assumptions import Assumptions as AssumptionsParams
    from cpo_xl.engine.assumptions import Company as CompanyParams
    from cpo_xl.engine.assumptions import Curve as CurveParams
    from cpo_xl.engine.assumptions import Demand as DemandParams
    from cpo_xl.engine.assumptions import Envelopes as EnvelopesParams
    from cpo_xl.engine.assumptions import Equipment as EquipmentParams
    from cpo_xl.engine.assumptions import Pricing as PricingParams
    from cpo_xl.engine.assumptions import Racks as RacksParams
    from cpo_xl.engine.assumptions import Supply as SupplyParams
else:
    from cpo_xl.engine import assumptions as _schema
    from cpo_xl.engine.params import params_class

    AcceleratorsParams = params_class(_schema.Accelerators)
    AssumptionsParams = params_class(_schema.Assumptions)
    CompanyParams = params_class(_schema.Company)
    CurveParams = params_class(_schema.Curve)
    DemandParams = params_class(_schema.Demand)
    EnvelopesParams = params_class(_schema.Envelopes)
    EquipmentParams = params_class(_schema.Equipment)
    PricingParams = params_class(_schema.Pricing)
    RacksParams = params_class(_schema.Racks)
    SupplyParams = params_class(_schema.Supply)
