"""Boundary cases for nd_x5025: "ND" policy X-5025, Percutaneous Vertebroplasty and Sacroplasty.

Source: policies/nd_x5025.txt. Vertebroplasty is medically necessary for
symptomatic osteoporotic fractures that failed six weeks of conservative treatment
(MN.1), for symptomatic osteoporotic fractures under six weeks that led to
hospitalization or prevent ambulation (MN.2), and for severe pain due to osteolytic
myeloma / metastatic lesions (MN.3); investigational for all other indications
(INV.1, with INV.1.acute for documented acute osteoporotic fractures that miss MN.2).
Sacroplasty is investigational for all indications (INV.2). Kyphoplasty and
coccygeoplasty are not addressed. In effect 2025-09-15 to 2025-11-02 inclusive.
"""

from __future__ import annotations

from tests.policy_cases import Case


def _chronic(level: str, onset: int = 90) -> str:
    """MN.1 met at `level`: a symptomatic osteoporotic fracture, 42 days of analgesics failed."""
    return (
        f"fracture({level}, osteoporotic). onset_days({level}, {onset}). "
        "pain_severity(moderate). therapy(analgesics, 42). therapy_failed. "
    )


def _acute(level: str, onset: int = 20) -> str:
    """MN.2 met at `level`: a symptomatic osteoporotic fracture under 6 weeks, hospitalized."""
    return (
        f"fracture({level}, osteoporotic). onset_days({level}, {onset}). "
        "pain_severity(severe). hospitalized_for_pain. "
    )


def _lytic(level: str, kind: str = "osteolytic_metastasis") -> str:
    """MN.3 met at `level`: severe pain due to an osteolytic lesion."""
    return f"lesion({level}, {kind}). pain_severity(severe). pain_concordant({level}). "


# An acute osteoporotic fracture whose record documents that MN.2.d fails.
_ACUTE_NO_MN2 = (
    "fracture(l1, osteoporotic). onset_days(l1, 20). pain_severity(severe). "
    "pain_concordant(l1). -hospitalized_for_pain. -ambulation_prevented. "
)

_VP = "procedure(vertebroplasty). "

CASES: list[Case] = [
    # --- Scope: procedures addressed ------------------------------------------------
    Case(
        name="A symptomatic osteoporotic L1 fracture that failed 42 days of analgesics is "
        "medically necessary under MN.1.",
        facts=_VP + "target(l1). " + _chronic("l1"),
        status="medically_necessary",
        levels={"l1": "medically_necessary"},
        decided_by=("MN.1",),
    ),
    Case(
        name="A request stated only as CPT 22510 (cervicothoracic vertebroplasty) is evaluated "
        "as vertebroplasty.",
        facts='cpt("22510"). target(t8). ' + _chronic("t8"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="A request stated only as CPT 22511 (lumbosacral vertebroplasty) is evaluated as "
        "vertebroplasty.",
        facts='cpt("22511"). target(l3). ' + _chronic("l3"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="Kyphoplasty is not addressed by the policy even when the MN.1 facts are present.",
        facts="procedure(kyphoplasty). target(l1). " + _chronic("l1"),
        status="not_addressed",
    ),
    Case(
        name="A request stated only as kyphoplasty CPT 22513 is not addressed.",
        facts='cpt("22513"). target(t10). ' + _acute("t10"),
        status="not_addressed",
    ),
    Case(
        name="Coccygeoplasty is not addressed by the policy.",
        facts="procedure(coccygeoplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status="not_addressed",
    ),
    # --- INV.2: sacroplasty -----------------------------------------------------------
    Case(
        name="Sacroplasty for an osteoporotic sacral insufficiency fracture is investigational "
        "under INV.2.",
        facts="procedure(sacroplasty). target(s1). " + _chronic("s1") + "hospitalized_for_pain.",
        status="investigational",
        levels={"s1": "investigational"},
        decided_by=("INV.2",),
    ),
    Case(
        name="A request stated only as CPT 0200T is sacroplasty and investigational.",
        facts='cpt("0200T"). target(s2).',
        status="investigational",
        decided_by=("INV.2",),
    ),
    Case(
        name="Sacroplasty (CPT 0201T) for a sacral myeloma lesion with severe concordant pain "
        "is investigational.",
        facts='cpt("0201T"). target(s1). target(s2). '
        + _lytic("s1", "multiple_myeloma")
        + "lesion(s2, multiple_myeloma). pain_concordant(s2).",
        status="investigational",
        levels={"s1": "investigational", "s2": "investigational"},
        decided_by=("INV.2",),
    ),
    Case(
        name="Cement augmentation of a sacral metastasis requested as vertebroplasty is "
        "sacroplasty and investigational.",
        facts=_VP + "target(s1). " + _lytic("s1"),
        status="investigational",
        decided_by=("INV.2",),
    ),
    Case(
        name="Vertebroplasty at L5 and S1 for chronic osteoporotic fractures: L5 is medically "
        "necessary, S1 investigational.",
        facts=_VP
        + "target(l5). target(s1). "
        + _chronic("l5")
        + "fracture(s1, osteoporotic). onset_days(s1, 90).",
        status="investigational",
        levels={"l5": "medically_necessary", "s1": "investigational"},
        decided_by=("INV.2",),
    ),
    # --- Effective period ---------------------------------------------------------------
    Case(
        name="A service on 2025-09-14, the day before the effective date, is not in effect.",
        facts=_VP + "target(l1). service_date(20250914). " + _chronic("l1"),
        status="not_in_effect",
    ),
    Case(
        name="A service on 2025-09-15, the effective date, is in effect.",
        facts=_VP + "target(l1). service_date(20250915). " + _chronic("l1"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="A service on 2025-11-02, the end date, is in effect (end date inclusive).",
        facts=_VP + "target(l1). service_date(20251102). " + _chronic("l1"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="A service on 2025-11-03, the day after the end date, is not in effect.",
        facts=_VP + "target(l1). service_date(20251103). " + _chronic("l1"),
        status="not_in_effect",
    ),
    Case(
        name="Kyphoplasty on a date outside the effective period is reported not_in_effect "
        "before not_addressed.",
        facts="procedure(kyphoplasty). target(l1). service_date(20251201). " + _chronic("l1"),
        status="not_in_effect",
    ),
    # --- MN.1: failed six weeks of conservative treatment ------------------------------
    Case(
        name="MN.1: 41 days of failed analgesics is short of six weeks, and the 90-day-old "
        "fracture cannot use MN.2.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_severity(moderate). therapy(analgesics, 41). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: a fracture exactly 42 days old with 42 days of failed therapy meets MN.1 "
        "(and not MN.2).",
        facts=_VP + "target(l1). " + _chronic("l1", onset=42),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="MN.1: a documented response to therapy (-therapy_failed) fails MN.1.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_severity(moderate). therapy(analgesics, 60). -therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: 60 days of therapy with its outcome undocumented is insufficient information.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_severity(moderate). therapy(analgesics, 60).",
        status="insufficient_information",
    ),
    Case(
        name="MN.1: a chronic symptomatic fracture with no conservative therapy documented is "
        "insufficient information.",
        facts=_VP
        + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). pain_severity(moderate).",
        status="insufficient_information",
    ),
    Case(
        name="MN.1: no conservative therapy done (therapy(none,0)) fails MN.1.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_severity(severe). therapy(none, 0). -therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: a contraindication to conservative therapy does not replace the six weeks "
        "of failed treatment.",
        facts=_VP
        + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). pain_severity(severe). "
        "therapy(none, 0). -therapy_failed. therapy_contraindicated(analgesics). "
        "therapy_contraindicated(physical_therapy).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: two 30-day therapies are not added up to six weeks (the longest single "
        "therapy counts).",
        facts=_VP
        + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). pain_severity(moderate). "
        "therapy(analgesics, 30). therapy(physical_therapy, 30). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: the listed therapies are examples, so 60 days of failed bracing counts.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_severity(moderate). therapy(bracing, 60). therapy_failed.",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="MN.1: mild pain is symptomatic (the text sets no severity).",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_score(2). therapy(physical_therapy, 45). therapy_failed.",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="MN.1: pain concordant with the fracture documents a symptomatic fracture without "
        "a severity.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "pain_concordant(l1). therapy(rest, 42). therapy_failed.",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="MN.1: a fracture documented without pain (severity none, not concordant, no pain "
        "findings) is not symptomatic.",
        facts=_VP
        + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). pain_severity(none). "
        "-pain_concordant(l1). -functional_impairment. -hospitalized_for_pain. "
        "-ambulation_prevented. "
        "therapy(analgesics, 60). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.1: a fracture that failed to respond to 60 days of analgesics is symptomatic "
        "without a separate pain record (same reading as carefirst_pvp's identical words).",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 90). "
        "therapy(analgesics, 60). therapy_failed.",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="MN.1: no fracture age is required when six weeks of failed treatment are documented.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). pain_severity(moderate). "
        "therapy(analgesics, 60). therapy_failed.",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    # --- Fracture causes other than osteoporosis --------------------------------------
    Case(
        name="A steroid-induced fracture is not named by MN.1 and is investigational.",
        facts=_VP + "target(l1). fracture(l1, steroid_induced). onset_days(l1, 90). "
        "pain_severity(moderate). therapy(analgesics, 42). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="An osteonecrotic (Kummel) fracture is not named by the MN statements and is "
        "investigational.",
        facts=_VP + "target(t12). fracture(t12, osteonecrotic). onset_days(t12, 90). "
        "pain_severity(severe). therapy(analgesics, 60). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="A chronic traumatic fracture that failed conservative treatment is "
        "investigational under INV.1.",
        facts=_VP + "target(l2). fracture(l2, traumatic). onset_days(l2, 90). "
        "pain_severity(severe). therapy(analgesics, 60). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="An acute traumatic fracture that led to hospitalization is investigational under "
        "INV.1.",
        facts=_VP + "target(l2). fracture(l2, traumatic). onset_days(l2, 10). "
        "pain_severity(severe). hospitalized_for_pain. ambulation_prevented.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="Prophylactic vertebroplasty of a level without a fracture or lesion is "
        "investigational.",
        facts=_VP + "target(t11). purpose(prophylaxis).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    # --- Levels ---------------------------------------------------------------------------
    Case(
        name="The policy sets no level limit: a chronic osteoporotic C5 fracture is medically "
        "necessary.",
        facts=_VP + "target(c5). " + _chronic("c5"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="C7 and T1 chronic osteoporotic fractures are both medically necessary (no "
        "cervicothoracic limit).",
        facts=_VP
        + "target(c7). target(t1). "
        + _chronic("c7")
        + "fracture(t1, osteoporotic). onset_days(t1, 90).",
        status="medically_necessary",
        levels={"c7": "medically_necessary", "t1": "medically_necessary"},
    ),
    Case(
        name="Four levels T4, T5, T12 and L1 are all medically necessary: the policy sets no "
        "level count or T5 limit.",
        facts=_VP
        + "target(t4). target(t5). target(t12). target(l1). "
        + _chronic("t4")
        + "fracture(t5, osteoporotic). onset_days(t5, 90). fracture(t12, osteoporotic). "
        "onset_days(t12, 90). "
        "fracture(l1, osteoporotic). onset_days(l1, 90).",
        status="medically_necessary",
        levels={
            "t4": "medically_necessary",
            "t5": "medically_necessary",
            "t12": "medically_necessary",
            "l1": "medically_necessary",
        },
    ),
    Case(
        name="Vertebroplasty of the coccyx is coccygeoplasty (shared reading), which the policy "
        "does not address.",
        facts=_VP + "target(coccyx). " + _chronic("coccyx"),
        status="not_addressed",
    ),
    Case(
        name="A coccyx treated with L1 is no vertebral level: it meets no MN statement (INV.1) "
        "while L1 meets MN.1.",
        facts=_VP
        + "target(l1). target(coccyx). "
        + _chronic("l1")
        + "fracture(coccyx, osteoporotic). ",
        status="investigational",
        levels={"l1": "medically_necessary", "coccyx": "investigational"},
    ),
    Case(
        name="Issue 14 reproduction: kyphoplasty of S1 is sacral augmentation, which INV.2 makes "
        "investigational (0200T reads with or without a balloon or mechanical device).",
        facts="procedure(kyphoplasty). target(s1). fracture(s1, osteoporotic).",
        status="investigational",
        decided_by=("INV.2",),
        closed_world=True,
    ),
    Case(
        name="A kyphoplasty of L1 and S1: L1 is kyphoplasty, which the policy does not speak of "
        "(INV.1 for all other indications), S1 is sacroplasty (INV.2).",
        facts="procedure(kyphoplasty). target(l1). target(s1). "
        + _chronic("l1")
        + "fracture(s1, osteoporotic).",
        status="investigational",
        levels={"l1": "investigational", "s1": "investigational"},
    ),
    # --- MN.2: acute fractures with hospitalization or no ambulation --------------------
    Case(
        name="MN.2: a 41-day-old osteoporotic fracture that led to hospitalization is medically "
        "necessary.",
        facts=_VP + "target(l1). " + _acute("l1", onset=41),
        status="medically_necessary",
        decided_by=("MN.2",),
    ),
    Case(
        name="MN.2: an acute fracture whose pain prevents ambulation, without hospitalization, "
        "is medically necessary.",
        facts=_VP + "target(t12). fracture(t12, osteoporotic). onset_days(t12, 15). "
        "pain_severity(severe). -hospitalized_for_pain. ambulation_prevented.",
        status="medically_necessary",
        decided_by=("MN.2",),
    ),
    Case(
        name="MN.2: mild pain suffices for a hospitalized acute fracture (the text sets no "
        "severity).",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 20). "
        "pain_severity(mild). hospitalized_for_pain.",
        status="medically_necessary",
        decided_by=("MN.2",),
    ),
    Case(
        name="MN.2: a hospitalized fracture exactly 42 days old is no longer under six weeks, "
        "and 30 days of therapy fail MN.1.",
        facts=_VP
        + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 42). pain_severity(severe). "
        "hospitalized_for_pain. therapy(analgesics, 30). therapy_failed.",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="INV.1.acute: an acute osteoporotic fracture without hospitalization or loss of "
        "ambulation is investigational.",
        facts=_VP + "target(l1). " + _ACUTE_NO_MN2,
        status="investigational",
        decided_by=("INV.1.acute",),
    ),
    Case(
        name="INV.1.acute: an acute fracture cannot instead meet MN.1 through 42 days of failed "
        "therapy.",
        facts=_VP + "target(l1). " + _ACUTE_NO_MN2 + "therapy(analgesics, 42). therapy_failed.",
        status="investigational",
        decided_by=("INV.1.acute",),
    ),
    Case(
        name="MN.2: an acute fracture not hospitalized with ambulation undocumented is "
        "insufficient information.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 20). "
        "pain_severity(severe). -hospitalized_for_pain.",
        status="insufficient_information",
    ),
    Case(
        name="MN.2: pain that prevents only independent transfers is not named by MN.2 and is "
        "investigational.",
        facts=_VP + "target(l1). " + _ACUTE_NO_MN2 + "transfers_prevented.",
        status="investigational",
        decided_by=("INV.1.acute",),
    ),
    Case(
        name="MN.2: incapacitation without documented inability to walk or hospitalization is "
        "investigational.",
        facts=_VP + "target(l1). " + _ACUTE_NO_MN2 + "incapacitated.",
        status="investigational",
        decided_by=("INV.1.acute",),
    ),
    Case(
        name="MN.2: a hospitalized osteoporotic fracture of undocumented age with 10 days of "
        "therapy is insufficient information.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). pain_severity(severe). "
        "hospitalized_for_pain. therapy(analgesics, 10). therapy_failed.",
        status="insufficient_information",
    ),
    Case(
        name="An acute hospitalized L1 fracture (MN.2) and a chronic L2 fracture with failed "
        "therapy (MN.1) are both medically necessary.",
        facts=_VP + "target(l1). target(l2). " + _acute("l1") + "fracture(l2, osteoporotic). "
        "onset_days(l2, 90). therapy(analgesics, 50). therapy_failed.",
        status="medically_necessary",
        levels={"l1": "medically_necessary", "l2": "medically_necessary"},
    ),
    Case(
        name="An acute L1 fracture missing MN.2 is investigational while a chronic L2 fracture "
        "meets MN.1.",
        facts=_VP + "target(l1). target(l2). " + _ACUTE_NO_MN2 + "fracture(l2, osteoporotic). "
        "onset_days(l2, 90). therapy(analgesics, 50). therapy_failed.",
        status="investigational",
        levels={"l1": "investigational", "l2": "medically_necessary"},
        decided_by=("INV.1.acute",),
    ),
    # --- MN.3: severe pain due to osteolytic myeloma / metastatic lesions -----------------
    Case(
        name="MN.3: severe pain due to an osteolytic metastasis at T8 is medically necessary.",
        facts=_VP + "target(t8). " + _lytic("t8"),
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="MN.3: a multiple myeloma fracture at L2 with severe concordant pain is medically "
        "necessary.",
        facts=_VP
        + "target(l2). fracture(l2, multiple_myeloma). pain_severity(severe). pain_concordant(l2).",
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="MN.3: a pain score of 7 is severe pain.",
        facts=_VP + "target(t8). lesion(t8, multiple_myeloma). pain_score(7). pain_concordant(t8).",
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="MN.3: a pain score of 6 is moderate, not severe, pain.",
        facts=_VP + "target(t8). lesion(t8, multiple_myeloma). pain_score(6). pain_concordant(t8).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.3: severe pain documented as not due to the lesion (-pain_concordant) fails MN.3.",
        facts=_VP + "target(t8). lesion(t8, osteolytic_metastasis). pain_severity(severe). "
        "-pain_concordant(t8).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.3: severe pain at an osteolytic metastasis is taken as due to it when the record "
        "does not say otherwise.",
        facts=_VP + "target(t8). lesion(t8, osteolytic_metastasis). pain_severity(severe).",
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="MN.3: a myeloma lesion with no pain documented is insufficient information.",
        facts=_VP + "target(t8). lesion(t8, multiple_myeloma).",
        status="insufficient_information",
    ),
    Case(
        name="MN.3: an osteoblastic metastasis is not osteolytic and is investigational.",
        facts=_VP + "target(t9). fracture(t9, osteoblastic_metastasis). pain_severity(severe). "
        "pain_concordant(t9).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.3: a primary malignant bone tumour is neither myeloma nor metastatic and is "
        "investigational.",
        facts=_VP + "target(t9). lesion(t9, primary_bone_malignancy). pain_severity(severe). "
        "pain_concordant(t9).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="A painful aggressive vertebral hemangioma is not named by the MN statements and "
        "is investigational.",
        facts=_VP + "target(t7). lesion(t7, hemangioma). lesion_trait(t7, painful). "
        "lesion_trait(t7, aggressive). pain_severity(severe). pain_concordant(t7).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.3: a cervical C2 myeloma lesion with severe concordant pain is medically "
        "necessary (no level limit).",
        facts=_VP + "target(c2). " + _lytic("c2", "multiple_myeloma"),
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="INV.1.acute does not take away MN.3 from a level with a myeloma lesion and an "
        "acute osteoporotic fracture.",
        facts=_VP + "target(l1). " + _ACUTE_NO_MN2 + "lesion(l1, multiple_myeloma).",
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    # --- No exclusions in the Criteria ---------------------------------------------------
    Case(
        name="The Criteria list no contraindications: coagulopathy, pregnancy and retropulsion "
        "do not change MN.1.",
        facts=_VP
        + "target(l1). "
        + _chronic("l1")
        + "condition(coagulopathy). condition(pregnancy). finding(l1, retropulsion). "
        "finding(l1, unstable).",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    # --- Product lines ------------------------------------------------------------------
    Case(
        name="A Commercial member meeting MN.1 is medically necessary.",
        facts=_VP + "target(l1). plan(commercial). " + _chronic("l1"),
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="A Medicaid (Medicaid Expansion) member meeting MN.2 is medically necessary.",
        facts=_VP + "target(l1). plan(medicaid). " + _acute("l1"),
        status="medically_necessary",
        decided_by=("MN.2",),
    ),
    Case(
        name="A Medicare member is evaluated on the same criteria (the policy names no rule for "
        "other plans).",
        facts=_VP + "target(t8). plan(medicare). " + _lytic("t8"),
        status="medically_necessary",
        decided_by=("MN.3",),
    ),
    Case(
        name="A commercial HMO member's sacroplasty is investigational, not not_covered (no "
        "benefit rule in this policy).",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo). fracture(s1, "
        "osteoporotic).",
        status="investigational",
        decided_by=("INV.2",),
    ),
    Case(
        name="An FEP member with a traumatic fracture is investigational like any other plan.",
        facts=_VP + "target(l3). plan(fep). fracture(l3, traumatic).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    # --- Shared reading of "symptomatic" (concepts.lp, as carefirst_pvp) ----------------
    Case(
        name="Issue 11 reproduction: 50 days of failed NSAIDs and moderate pain, but pain "
        "documented as not due to the L1 fracture: not symptomatic, investigational.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 60). "
        "therapy(nsaids, 50). therapy_failed. pain_severity(moderate). -pain_concordant(l1).",
        status="investigational",
        closed_world=True,
    ),
    Case(
        name="Symptomatic: concordant pain with pain_severity(none) documents no symptoms: "
        "investigational.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 60). "
        "therapy(nsaids, 50). therapy_failed. pain_severity(none). pain_concordant(l1).",
        status="investigational",
        closed_world=True,
    ),
    Case(
        name="Symptomatic: mild pain is symptomatic (no severity is set); 42 days of failed "
        "rest meet MN.1.",
        facts=_VP + "target(l1). fracture(l1, osteoporotic). onset_days(l1, 60). "
        "therapy(rest, 42). therapy_failed. pain_severity(mild).",
        status="medically_necessary",
        decided_by=("MN.1",),
    ),
    Case(
        name="The diagnosis list names D18.09 (hemangioma), yet no MN statement covers a "
        "hemangioma: investigational (INV.1).",
        facts=_VP + 'target(t6). lesion(t6, hemangioma). icd10("D18.09"). pain_severity(severe). '
        "pain_concordant(t6).",
        status="investigational",
        decided_by=("INV.1",),
    ),
    Case(
        name="MN.2.a a steroid-induced acute fracture that led to hospitalization is not "
        "'osteoporotic': investigational.",
        facts=_VP + "target(l1). fracture(l1, steroid_induced). onset_days(l1, 20). "
        "pain_severity(severe). hospitalized_for_pain.",
        status="investigational",
        closed_world=True,
    ),
]
