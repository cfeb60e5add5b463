"""One name, one label, one unit per line (issue 21): every registry line's label and unit are the ones
`cpo-xl explain` prints, both read from the engine's docstrings."""

from cpo_xl.analysis.explain import explain
from cpo_xl.analysis.lines import line_items
from cpo_xl.engine.case import Case
from cpo_xl.engine.docs import describe, entry_doc, line_doc


def test_every_registry_line_has_the_label_and_unit_explain_prints():
    case = Case()
    differ = []
    for item in line_items(case):
        node = explain(case, item.name, 2030)
        if (item.label, item.unit) != (node.label, node.unit):
            differ.append(f"{item.name}: registry {item.label!r} [{item.unit}], explain {node.label!r} [{node.unit}]")
    assert not differ, "\n".join(differ)


def test_every_registry_line_has_a_label_and_a_unit_and_a_table_label_once():
    items = line_items(Case())
    assert all(item.label and item.unit for item in items), [i.name for i in items if not (i.label and i.unit)]
    labels = [(item.table, item.table_label) for item in items]
    assert len(set(labels)) == len(labels)  # a CPO_TABLE row is found by its label


def test_a_mapping_entry_takes_its_bullet_and_falls_back_to_the_line():
    assert entry_doc("rack_caps", ("power",))[:2] == ("Envelope: racks the data-centre power added allows",
                                                      "NVL72-eq racks/yr")
    assert entry_doc("addressable", ("nic", "gbps"))[0] == "Addressable demand by segment: nic gbps"  # no bullet
    assert describe("Label [unit] = formula.\n\n- key: Other [u] = f.") == ("Label", "unit", "formula")
    assert line_doc("rack_caps")[2].startswith("power = AI IT power x NVIDIA share")  # the whole mapping: its entries
