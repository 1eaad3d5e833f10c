"""Real Typebot exports (shared beside the repository) import into flows segflow runs."""

import pytest

from segflow.importers import FindingKind
from tests.importers.helpers import (
    SAMPLES,
    about,
    block,
    group,
    imported,
    needs_samples,
    typebot,
    typebot_blocks,
)

pytestmark = needs_samples


@pytest.mark.parametrize("name", ["faq.v6.1.json", "lead-gen.v6.1.json", "validate-id.v5.json"])
def test_each_sample_imports_every_block_or_says_why_not(name: str) -> None:
    document = typebot(SAMPLES / name)

    result = imported(document)  # and segflow's flow reader accepts it

    kept = {b["id"] for g in result.flow["groups"] for b in g["blocks"]}
    reported = {finding.block_id for finding in result.report}
    assert all(b["id"] in kept | reported for b in typebot_blocks(document))
    assert not [f for f in result.report if "fix before the flow runs" in f.message]


def test_faq_menu_and_its_jumps_back() -> None:
    result = imported(SAMPLES / "faq.v6.1.json")
    flow = result.flow

    assert flow["start"]["group"] == "cl96nt9ob00063b6ii2pktlxq"  # "Welcom"
    menu = block(flow, "cl96nv877000b3b6i7p69ss2o")
    assert [item["label"] for item in menu["items"]] == [
        "What's Analyzr?",
        "Can I use your tool for free?",
        "Tell me about the company",
        "I have another question",
    ]
    jumps = [b for g in flow["groups"] for b in g["blocks"] if b["type"] == "jump"]
    assert len(jumps) == 4
    assert {(j["group"], j["block"]) for j in jumps} == {
        ("cl96ns9qr00043b6ii07bo25o", "cl96nv877000b3b6i7p69ss2o")
    }
    assert block(flow, "cl96oenlh001p3b6iutaiw9wl")["text"].startswith("Our core values are:\n\n")
    # The only change: the question typed at the end needs a variable to go to.
    assert [f.block_id for f in result.report] == ["cl96ogmjx001y3b6iwfosloet"]


def test_lead_generation_asks_name_and_email_into_its_variables() -> None:
    result = imported(SAMPLES / "lead-gen.v6.1.json")
    flow = result.flow

    assert [v["name"] for v in flow["variables"]] == ["Name", "Email", "Additional_information"]
    assert block(flow, "sc1y8VwDabNJgiVTBi4qtif")["text"] == "Welcome to **AA** (Awesome Agency)"
    assert block(flow, "sqEsMo747LTDnY9FjQcEwUv")["variable"] == "Name"
    assert block(flow, "snbsad18Bgry8yZ8DZCfdFD")["type"] == "emailInput"
    assert block(flow, "s779Q1y51aVaDUJVrFb16vv")["text"] == "We'll get back to you at {{Email}}"


def test_validate_id_reports_its_javascript_and_keeps_the_path_around_it() -> None:
    result = imported(SAMPLES / "validate-id.v5.json")
    flow = result.flow

    unsupported = [f for f in result.report if f.kind is FindingKind.UNSUPPORTED]
    assert [(f.group, f.block_type) for f in unsupported] == [
        ("CNPJ", "Set variable"),
        ("CPF", "Set variable"),
    ]
    assert all("JavaScript code, which segflow never runs" in f.message for f in unsupported)
    # The CNPJ check led to "Resultado": the answer now goes there directly.
    assert block(flow, "wqxnyurf0ba338bj3ycpjdq4")["next"] == "agslmtjestgplmlvozd7w0wj"
    assert not any(g["title"] == "Start" for g in flow["groups"])
    assert flow["start"] == {"group": "mb4080aovjwdlb0l1vozrbo7", "position": {"x": -362, "y": -51}}
    assert group(flow, "kk46wv265pjw4xczmjarky8p")["title"] == "CPF"
    assert about(result, "uo583pcnj71hz5syl06vezv3") == []  # the condition imports as it was
