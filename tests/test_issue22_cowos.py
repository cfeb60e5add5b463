"""Issue 22: NVIDIA's GPU packages use its CoWoS allocation, every scenario and year 2025-2030.

Identity: (racks x 72 + non-rack packages) / (NVIDIA GPU CoWoS wafers x packages per wafer) within
[1 / crosscheck.cowos_band, 1] = [0.8, 1]: 1 where the CoWoS envelope binds the racks, below it where power,
spend or demand does, never above (the envelope). Below 0.8 would leave a fifth of a booked, "fully booked"
allocation idle.

Worked example (base, 2027; spend binds the racks):
- NVIDIA GPU wafers = CoWoS-class wafers x (1 - 0.28 OSAT CoWoS-like) x 0.6 NVIDIA share:
  2026 1.3M -> 561,600; 2027 1.3M x 1.24 = 1.612M -> 696,384.
- Feeding 2027's shipments (a quarter's lead): 0.75 x 696,384 + 0.25 x 561,600 = 662,688 wafers.
- Wafers per NVL72-eq (mix 10% GB300 / 80% VR200 / 10% Kyber at 14 / 9 / 4.5 packages per wafer):
  72 x (0.1/14 + 0.8/9 + 0.1/4.5) = 8.514, so 72 / 8.514 = 8.456 packages per wafer and the allocation makes
  662,688 x 8.456 = 5.604M packages.
- Used: 51,013 racks x 72 = 3.673M in racks + 3.673M x (1/0.8 - 1) = 0.918M outside them = 4.591M.
- Use = 4.591 / 5.604 = 0.819, inside [0.8, 1].
"""

import numpy as np
import pytest

from cpo_xl.engine import envelopes as ev
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import year_index

WINDOW = slice(year_index(2025), year_index(2030) + 1)
COWOS = 2.0  # rack_binding code


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nvidia_packages_use_its_cowos_allocation_within_the_band_every_year(scenario):
    case = Case(scenario)
    r, band = run(case), case.assumptions().crosscheck.cowos_band
    use = r.cowos_use[WINDOW]
    assert np.all(use >= 1.0 / band - 1e-12), use
    assert np.all(use <= 1.0 + 1e-12), use  # the CoWoS envelope


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_use_is_one_exactly_where_cowos_binds_the_racks(scenario):
    r = run(Case(scenario))
    binds = r.rack_binding[WINDOW] == COWOS
    assert np.allclose(r.cowos_use[WINDOW][binds], 1.0)
    assert np.all(r.cowos_use[WINDOW][~binds] < 1.0 + 1e-12)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_identity_adds_up(scenario):
    # packages used = racks x 72 + non-rack packages; allocation = NVIDIA GPU wafers x packages per wafer
    case = Case(scenario)
    r, env = run(case), case.assumptions().envelopes
    used = r.racks * 72.0 + r.non_rack_packages
    assert r.cowos_use == pytest.approx(np.divide(used, r.nvidia_cowos_wafers * r.packages_per_wafer))
    rack_share = ev.rack_share_of_wafers(env)
    share = r.packages[WINDOW] / (r.packages[WINDOW] + r.non_rack_packages[WINDOW])
    assert share == pytest.approx(rack_share[WINDOW])
    # the cap on racks is the same identity at use = 1
    assert r.rack_caps["cowos"] * 72.0 / rack_share == pytest.approx(r.cowos_packages)


def test_base_2027_worked_example():
    r = run(Case())
    i = year_index(2027)
    wafers = 0.75 * 1.612e6 * 0.72 * 0.6 + 0.25 * 1.3e6 * 0.72 * 0.6
    assert r.nvidia_cowos_wafers[i] == pytest.approx(wafers)
    assert wafers == pytest.approx(662_688)
    per_wafer = 72.0 / (72.0 * (0.1 / 14 + 0.8 / 9 + 0.1 / 4.5))
    assert r.packages_per_wafer[i] == pytest.approx(per_wafer)
    used = r.racks[i] * 72.0 * 1.25
    assert r.cowos_use[i] == pytest.approx(used / (wafers * per_wafer))
    assert r.cowos_use[i] == pytest.approx(0.819, abs=0.001)
    assert r.rack_binding[i] == 3.0  # spend binds 2027


def test_generation_step_raises_wafers_per_rack():
    # Kyber-class 4-die packages (~4.5 per wafer) take twice Rubin's wafers per NVL72-eq (~9 per wafer)
    env = Case().assumptions().envelopes
    w = ev.wafers_per_rack(env)
    assert w[year_index(2029)] == pytest.approx(72.0 / 4.5)
    assert w[year_index(2025)] == pytest.approx(72.0 / 14)
