"""Boundary cases for carefirst_pvp: CareFirst percutaneous vertebroplasty,
kyphoplasty and sacroplasty policy.

Source: policies/carefirst_pvp.txt (Policy, Policy Guidelines, Benefit
Applications). The text states no effective date: always in effect. A level that
meets no bullet is experimental / investigational ("All other uses").
"""

from __future__ import annotations

from tests.policy_cases import Case


def _bullet1(
    level: str = "l1",
    procedure: str = "vertebroplasty",
    days: int = 42,
    cause: str = "osteoporotic",
    extra: str = "",
) -> str:
    """Bullet 1: a fracture at `level` with `days` of failed conservative treatment."""
    return (
        f"procedure({procedure}). target({level}). fracture({level}, {cause}). "
        f"therapy(analgesics, {days}). therapy(physical_therapy, {days}). therapy_failed. " + extra
    )


def _bullet2(
    level: str = "l1",
    procedure: str = "vertebroplasty",
    onset: int = 41,
    extra: str = "hospitalized_for_pain.",
) -> str:
    """Bullet 2: an osteoporotic fracture `onset` days old, no conservative therapy tried."""
    return (
        f"procedure({procedure}). target({level}). fracture({level}, osteoporotic). "
        f"onset_days({level}, {onset}). therapy(none, 0). " + extra
    )


def _bullet3(
    level: str = "l1",
    procedure: str = "vertebroplasty",
    kind: str = "osteolytic_metastasis",
    imaging: str = "mri_edema",
    pain: str = "pain_severity(severe).",
    extra: str = "",
) -> str:
    """Bullet 3: a fracture from a `kind` lesion at `level`, imaged, with `pain`."""
    return (
        f"procedure({procedure}). target({level}). fracture({level}, {kind}). "
        f"imaging({level}, {imaging}). {pain} " + extra
    )


# Bullet-1 facts that fail, with bullet 2 ruled out by a documented 60-day onset.
_OLD = "onset_days(l1, 60). "

CASES: list[Case] = [
    # --- Effective period, scope, procedures ----------------------------------------
    Case(
        name="PVP.1 met: osteoporotic L1 VCF with 42 days of failed analgesics and PT; symptoms need no separate documentation.",
        facts=_bullet1(),
        status="medically_necessary",
        levels={"l1": "medically_necessary"},
        decided_by=("PVP.1",),
    ),
    Case(
        name="PKP.1 met: the same picture for kyphoplasty.",
        facts=_bullet1(procedure="kyphoplasty"),
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    Case(
        name="Kyphoplasty requested by CPT 22514 meets PKP.1.",
        facts='cpt("22514"). target(l1). fracture(l1, osteoporotic). '
        "therapy(nsaids, 60). therapy_failed.",
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    Case(
        name="No date in the text: the first accepted service date 1900-01-01 is in effect.",
        facts=_bullet1(extra="service_date(19000101)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="No date in the text: a service date of 2025-10-15 is in effect.",
        facts=_bullet1(extra="service_date(20251015)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="No date in the text: the last accepted service date 2100-12-31 is in effect.",
        facts=_bullet1(extra="service_date(21001231)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="Coccygeoplasty is not spoken of: not addressed.",
        facts="procedure(coccygeoplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status="not_addressed",
    ),
    # --- PSP: sacroplasty ------------------------------------------------------------
    Case(
        name="PSP: sacroplasty (CPT 0200T) is investigational.",
        facts='cpt("0200T"). target(s1). fracture(s1, osteoporotic).',
        status="investigational",
        decided_by=("PSP",),
    ),
    Case(
        name="PSP: sacroplasty for an osteoporotic insufficiency fracture after 60 days of failed therapy is still investigational.",
        facts=_bullet1(level="s2", procedure="sacroplasty", days=60),
        status="investigational",
        decided_by=("PSP",),
    ),
    Case(
        name="PSP: vertebroplasty of S1 is sacroplasty, investigational even with bullet-1 facts.",
        facts=_bullet1(level="s1"),
        status="investigational",
        decided_by=("PSP",),
    ),
    Case(
        name="PSP: vertebroplasty of a metastatic S1 lesion is sacroplasty, investigational.",
        facts=_bullet3(level="s1"),
        status="investigational",
        decided_by=("PSP",),
    ),
    # --- Levels for bullets 1 and 2 -----------------------------------------------------
    Case(
        name="PVP.1 at C7: the Description includes cervical vertebral bodies, met.",
        facts=_bullet1(level="c7"),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PVP.1 at T1 is met.",
        facts=_bullet1(level="t1"),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PVP.1 at L5 is met.",
        facts=_bullet1(level="l5"),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="Kyphoplasty at the coccyx is coccygeoplasty (shared reading), which the policy does "
        "not speak of: not addressed.",
        facts=_bullet1(level="coccyx", procedure="kyphoplasty"),
        status="not_addressed",
    ),
    Case(
        name="No level limit: kyphoplasty of four osteoporotic levels T11-L2 meeting PKP.1 is medically necessary.",
        facts="procedure(kyphoplasty). target(t11). target(t12). target(l1). target(l2). "
        "fracture(t11, osteoporotic). fracture(t12, osteoporotic). fracture(l1, osteoporotic). "
        "fracture(l2, osteoporotic). therapy(rest, 45). therapy_failed.",
        status="medically_necessary",
        levels={f"{x}": "medically_necessary" for x in ("t11", "t12", "l1", "l2")},
        decided_by=("PKP.1",),
    ),
    Case(
        name="Two levels: L1 meets PVP.1, L2 traumatic meets nothing: L2 investigational, overall investigational.",
        facts=_bullet1(extra="target(l2). fracture(l2, traumatic). onset_days(l2, 60)."),
        status="investigational",
        levels={"l1": "medically_necessary", "l2": "investigational"},
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.1: cause ---------------------------------------------------------------------
    Case(
        name="PVP.1 cause steroid-induced is not 'osteoporotic': investigational.",
        facts=_bullet1(cause="steroid_induced", extra=_OLD),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 cause osteonecrotic (Kummel) is not 'osteoporotic': investigational.",
        facts=_bullet1(cause="osteonecrotic", extra=_OLD),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 cause traumatic is not 'osteoporotic': investigational.",
        facts=_bullet1(cause="traumatic", extra=_OLD),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.1: conservative treatment for at least 6 weeks -----------------------------
    Case(
        name="PVP.1 with 41 days of failed therapy (under 6 weeks) fails: investigational.",
        facts=_bullet1(days=41, extra=_OLD),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 with 42 days of failed therapy (exactly 6 weeks) is met.",
        facts=_bullet1(days=42, extra=_OLD),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PVP.1 therapies are not added up: NSAIDs 30 days and PT 41 days is under 6 weeks, investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "therapy(nsaids, 30). therapy(physical_therapy, 41). therapy_failed. " + _OLD,
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 any conservative therapy counts (the list is 'e.g.'): 42 days of bracing, failed, is met.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "therapy(bracing, 42). therapy_failed.",
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PVP.1 with 60 days of therapy documented as not failed: investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "therapy(analgesics, 60). -therapy_failed. " + _OLD,
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 with 60 days of therapy, failure not documented: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "therapy(analgesics, 60). " + _OLD,
        status="insufficient_information",
    ),
    Case(
        name="PVP.1 with no therapy documented at all (fracture 60 days old): insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "-hospitalized_for_pain. -ambulation_prevented. " + _OLD,
        status="insufficient_information",
    ),
    Case(
        name="PVP.1 contraindicated therapy does not waive the 6-week trial: no therapy tried, investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "therapy(none, 0). therapy_contraindicated(nsaids). " + _OLD,
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 fracture age is no separate condition: 42 days of failed therapy with onset not stated is met.",
        facts=_bullet1(procedure="kyphoplasty"),
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    # --- PVP.1: symptomatic -------------------------------------------------------------
    Case(
        name="PVP.1 symptomatic with only mild pain is met (no severity is required).",
        facts=_bullet1(extra="pain_severity(mild)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PVP.1 pain documented as not due to the L1 fracture: not symptomatic, investigational.",
        facts=_bullet1(extra="-pain_concordant(l1)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.1 no pain documented (pain severity none): not symptomatic, investigational.",
        facts=_bullet1(extra="pain_severity(none)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    # --- Bullets 1 and 2 have no exclusions -------------------------------------------------
    Case(
        name="PVP.1 with osteomyelitis: 'No osteomyelitis' is a sub-criterion of bullet 3 only, met.",
        facts=_bullet1(extra="condition(osteomyelitis). finding(l1, osteomyelitis)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="PKP.1 with an unstable fracture at L1: 'No unstable vertebral fracture' is a sub-criterion of bullet 3 only, met.",
        facts=_bullet1(procedure="kyphoplasty", extra="finding(l1, unstable)."),
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    Case(
        name="PVP.1 with uncorrected coagulopathy and pregnancy: the text lists no contraindication, met.",
        facts=_bullet1(extra="condition(coagulopathy). condition(pregnancy)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    # --- Devices, cement, product lines, purpose ---------------------------------------------
    Case(
        name="PKP.1 with a SpineJack implant: the text distinguishes no device, met.",
        facts=_bullet1(procedure="kyphoplasty", extra="device(spinejack)."),
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    Case(
        name="PVP.1 with PMMA cement is met.",
        facts=_bullet1(extra="cement(pmma)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="TEC.1: Norian cement lacks FDA approval for vertebral augmentation: investigational.",
        facts=_bullet1(extra="cement(norian)."),
        status="investigational",
        decided_by=("TEC.1",),
    ),
    Case(
        name="FEP: the note defers benefits to the contract; the criteria still apply, PVP.1 met.",
        facts=_bullet1(extra="plan(fep)."),
        status="medically_necessary",
        decided_by=("PVP.1",),
    ),
    Case(
        name="Medicare Advantage member is evaluated on the same criteria: PKP.1 met.",
        facts=_bullet1(procedure="kyphoplasty", extra="plan(medicare_advantage)."),
        status="medically_necessary",
        decided_by=("PKP.1",),
    ),
    Case(
        name="ALL_OTHER: prophylactic augmentation for osteoporosis is another use, investigational.",
        facts="procedure(vertebroplasty). target(l2). purpose(prophylaxis).",
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="ALL_OTHER: augmentation as a fusion adjunct is another use, investigational even at a fractured level.",
        facts=_bullet1(procedure="kyphoplasty", extra="purpose(fusion_adjunct)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.2: less than 6 weeks, hospitalized or ambulation prevented ----------------------
    Case(
        name="PVP.2 met: osteoporotic VCF 41 days old, hospitalized for pain control, no therapy tried.",
        facts=_bullet2(onset=41),
        status="medically_necessary",
        decided_by=("PVP.2",),
    ),
    Case(
        name="PVP.2 met: osteoporotic VCF 10 days old whose pain prevents ambulation.",
        facts=_bullet2(onset=10, extra="-hospitalized_for_pain. ambulation_prevented."),
        status="medically_necessary",
        decided_by=("PVP.2",),
    ),
    Case(
        name="PKP.2 met: kyphoplasty for a fracture of 0 days, hospitalized for pain control.",
        facts=_bullet2(procedure="kyphoplasty", onset=0),
        status="medically_necessary",
        decided_by=("PKP.2",),
    ),
    Case(
        name="PVP.2 at 42 days is not less than 6 weeks: hospitalized but no therapy tried, investigational.",
        facts=_bullet2(onset=42),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.2 neither hospitalized nor ambulation prevented (only transfers prevented): investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). onset_days(l1, 20). "
        "therapy(analgesics, 20). -hospitalized_for_pain. -ambulation_prevented. transfers_prevented. "
        "incapacitated.",
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.2 fracture 20 days old, hospitalization and ambulation not documented: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). onset_days(l1, 20). "
        "therapy(analgesics, 20).",
        status="insufficient_information",
    ),
    Case(
        name="PVP.2 hospitalized for pain, fracture age not documented, no therapy: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). therapy(none, 0). "
        "hospitalized_for_pain.",
        status="insufficient_information",
    ),
    Case(
        name="PVP.2 cause traumatic: hospitalized 10 days after the fracture, investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, traumatic). onset_days(l1, 10). "
        "therapy(none, 0). hospitalized_for_pain.",
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.2 hospitalized for pain documented as not due to the L1 fracture: investigational.",
        facts=_bullet2(extra="hospitalized_for_pain. -pain_concordant(l1)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.3: osteolytic lesions of myeloma or metastases -----------------------------------
    Case(
        name="PVP.3 met: lytic metastatic L1 fracture, MRI edema, severe pain.",
        facts=_bullet3(),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    Case(
        name="PKP.3 met: multiple myeloma T12 fracture, bone scan, pain score 7 (severe).",
        facts=_bullet3(
            level="t12",
            procedure="kyphoplasty",
            kind="multiple_myeloma",
            imaging="bone_scan",
            pain="pain_score(7).",
        ),
        status="medically_necessary",
        decided_by=("PKP.3",),
    ),
    Case(
        name="PVP.3 with pain score 6 (moderate, not severe): investigational.",
        facts=_bullet3(pain="pain_score(6)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3 with pain severity not documented: insufficient information.",
        facts=_bullet3(pain=""),
        status="insufficient_information",
    ),
    Case(
        name="PVP.3 pain documented as not due to the lesion at L1: investigational.",
        facts=_bullet3(extra="-pain_concordant(l1)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3 osteoblastic metastasis is not an osteolytic lesion: investigational.",
        facts=_bullet3(kind="osteoblastic_metastasis"),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3 primary bone malignancy is neither myeloma nor metastatic: investigational.",
        facts=_bullet3(kind="primary_bone_malignancy"),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3 myeloma lesion stated with an osteoporotic fracture at the same level: any fracture at the level, met.",
        facts="procedure(vertebroplasty). target(l2). lesion(l2, multiple_myeloma). "
        "fracture(l2, osteoporotic). imaging(l2, spect_ct). pain_severity(severe). onset_days(l2, 60).",
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    # --- PVP.3.a: thoracic or lumbar fracture confirmed by advanced imaging --------------------
    Case(
        name="PVP.3.a fracture confirmed by SPECT/CT is met.",
        facts=_bullet3(imaging="spect_ct"),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    Case(
        name="PVP.3.a with CT only (not advanced imaging): investigational.",
        facts=_bullet3(imaging="ct"),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.a with MRI without bone marrow edema: investigational.",
        facts=_bullet3(imaging="mri"),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.a with imaging not documented: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteolytic_metastasis). "
        "pain_severity(severe).",
        status="insufficient_information",
    ),
    Case(
        name="PVP.3.a lytic lesion with no fracture at the level: investigational.",
        facts="procedure(vertebroplasty). target(l1). lesion(l1, osteolytic_metastasis). "
        "imaging(l1, mri_edema). pain_severity(severe).",
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.a at T1, the top of the thoracic spine, is met.",
        facts=_bullet3(level="t1"),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    Case(
        name="PVP.3.a at L5, the bottom of the lumbar spine, is met.",
        facts=_bullet3(level="l5"),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    Case(
        name="PVP.3.a at C7 (cervical, not thoracic or lumbar): investigational.",
        facts=_bullet3(level="c7"),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.3.b: no osteomyelitis at surgical site -----------------------------------------------
    Case(
        name="PVP.3.b osteomyelitis found at the treated level L1: investigational.",
        facts=_bullet3(extra="condition(osteomyelitis). finding(l1, osteomyelitis)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.b osteomyelitis found only at untreated T5 is not at the surgical site: met.",
        facts=_bullet3(extra="condition(osteomyelitis). finding(t5, osteomyelitis)."),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    Case(
        name="PVP.3.b osteomyelitis with no level stated cannot be shown away from the site: investigational.",
        facts=_bullet3(extra="condition(osteomyelitis)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PKP.3.b two levels, osteomyelitis at T12 only: L1 met, T12 investigational.",
        facts=_bullet3(
            procedure="kyphoplasty",
            extra="target(t12). fracture(t12, osteolytic_metastasis). imaging(t12, mri_edema). "
            "finding(t12, osteomyelitis).",
        ),
        status="investigational",
        levels={"l1": "medically_necessary", "t12": "investigational"},
        decided_by=("ALL_OTHER",),
    ),
    # --- PVP.3.c: no unstable vertebral fracture ---------------------------------------------------
    Case(
        name="PVP.3.c unstable fracture at the treated level: investigational.",
        facts=_bullet3(extra="finding(l1, unstable)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.c unstable fracture at another level (T5) still fails 'No unstable vertebral fracture': investigational.",
        facts=_bullet3(extra="fracture(t5, osteolytic_metastasis). finding(t5, unstable)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.c spinal instability is read as an unstable vertebral fracture: investigational.",
        facts=_bullet3(extra="condition(spinal_instability)."),
        status="investigational",
        decided_by=("ALL_OTHER",),
    ),
    Case(
        name="PVP.3.c a burst fracture is not stated unstable: met.",
        facts=_bullet3(extra="finding(l1, burst)."),
        status="medically_necessary",
        decided_by=("PVP.3",),
    ),
    # --- Shared readings (concepts.lp) ------------------------------------------------
    Case(
        name="PSP: a kyphoplasty of S1 is sacroplasty by the shared reading: investigational.",
        facts=_bullet1(level="s1", procedure="kyphoplasty"),
        status="investigational",
        decided_by=("PSP",),
    ),
    Case(
        name="Symptomatic (shared with nd_x5025): 50 days of failed NSAIDs, moderate pain, but "
        "pain documented as not due to the L1 fracture: investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "onset_days(l1, 60). therapy(nsaids, 50). therapy_failed. pain_severity(moderate). "
        "-pain_concordant(l1).",
        status="investigational",
        closed_world=True,
    ),
    Case(
        name="Symptomatic: concordant pain with no pain at all documented (pain_severity none) "
        "is not symptomatic: investigational.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "onset_days(l1, 60). therapy(nsaids, 50). therapy_failed. pain_severity(none). "
        "pain_concordant(l1).",
        status="investigational",
        closed_world=True,
    ),
]
