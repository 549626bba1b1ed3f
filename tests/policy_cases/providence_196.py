"""Boundary cases for providence_196: Providence Health Plan Medical Policy 196.

Source: policies/providence_196.txt (COVERAGE CRITERIA I-III), effective
10/1/2025, open-ended. Expected statuses follow the policy text.
"""

from __future__ import annotations

from tests.policy_cases import Case

# I.A.1 met at L1: an osteoporotic VCF, 30 days from symptom onset, bone marrow
# edema on MRI, pain concordant with the fracture.
_IA1_L1 = """
procedure(vertebroplasty).
target(l1).
fracture(l1, osteoporotic).
onset_days(l1, 30).
imaging(l1, mri_edema).
pain_concordant(l1).
"""

# I.A.2 first branch: hospitalized with severe pain.
_HOSP_SEVERE = """
hospitalized_for_pain.
pain_severity(severe).
"""

# I.A.2 second branch: non-hospitalized, moderate pain despite non-surgical
# management (six weeks of NSAIDs and physical therapy, failed).
_OUTPT_MODERATE = """
-hospitalized_for_pain.
pain_severity(moderate).
therapy(nsaids, 42).
therapy(physical_therapy, 42).
therapy_failed.
"""

_IA_MET = _IA1_L1 + _HOSP_SEVERE


def _osteoporotic(level: str, onset: int = 30, imaging: str = "mri_edema") -> str:
    """An osteoporotic VCF at `level` with onset and imaging documented."""
    return (
        f"procedure(vertebroplasty). target({level}). fracture({level}, osteoporotic). "
        f"onset_days({level}, {onset}). imaging({level}, {imaging}). pain_concordant({level}). "
        + _HOSP_SEVERE
    )


CASES: list[Case] = [
    # --- I.A.1: onset (acute <6 weeks or subacute 6-12 weeks) ---------------------
    Case(
        name="I.A met: osteoporotic L1 VCF 30 days old on MRI edema, hospitalized with severe "
        "pain.",
        facts=_IA_MET,
        status="medically_necessary",
        levels={"l1": "medically_necessary"},
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 onset 41 days (acute, <6 weeks) is met.",
        facts=_osteoporotic("l1", onset=41),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 onset 42 days (start of subacute 6-12 weeks) is met.",
        facts=_osteoporotic("l1", onset=42),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 onset 84 days (end of subacute, 12 weeks) is met.",
        facts=_osteoporotic("l1", onset=84),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 onset 85 days (older than 12 weeks) fails: not medically necessary.",
        facts=_osteoporotic("l1", onset=85),
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.1 onset not documented: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "imaging(l1, mri_edema). pain_concordant(l1)." + _HOSP_SEVERE,
        status="insufficient_information",
    ),
    # --- I.A.1: level T1-L5 ---------------------------------------------------------
    Case(
        name="I.A.1 at T1, the top of T1-L5, is met.",
        facts=_osteoporotic("t1"),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 at C7, above T1-L5, fails: not medically necessary.",
        facts=_osteoporotic("c7"),
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.1 at L5, the bottom of T1-L5, is met.",
        facts=_osteoporotic("l5"),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 vertebroplasty at S1, below T1-L5, fails; augmenting S1 is sacral augmentation "
        "(III): not medically necessary.",
        facts=_osteoporotic("s1"),
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    # --- I.A.1: advanced imaging --------------------------------------------------------
    Case(
        name="I.A.1 documented by bone scan uptake is met.",
        facts=_osteoporotic("t12", imaging="bone_scan"),
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.1 with only an x-ray (not advanced imaging) fails: not medically necessary.",
        facts=_osteoporotic("t12", imaging="xray"),
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.1 with MRI showing no bone marrow edema fails: not medically necessary.",
        facts=_osteoporotic("t12", imaging="mri"),
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.1 with imaging not documented: insufficient information.",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic). "
        "onset_days(l1, 30). pain_concordant(l1)." + _HOSP_SEVERE,
        status="insufficient_information",
    ),
    # --- I.A.2: hospitalized with severe pain ------------------------------------------
    Case(
        name="I.A.2 hospitalized with pain score 7 (severe) is met.",
        facts=_IA1_L1 + "hospitalized_for_pain. pain_score(7). therapy(none, 0).",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.2 hospitalized with pain score 6 (moderate) and no therapy tried fails.",
        facts=_IA1_L1 + "hospitalized_for_pain. pain_score(6). therapy(none, 0).",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.2 hospitalized with only moderate pain despite failed therapy fails: neither "
        "hospitalized-severe nor non-hospitalized.",
        facts=_IA1_L1
        + "hospitalized_for_pain. pain_severity(moderate). therapy(nsaids, 42). therapy_failed.",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.2 hospitalized, pain severity not documented: insufficient information.",
        facts=_IA1_L1 + "hospitalized_for_pain.",
        status="insufficient_information",
    ),
    # --- I.A.2: non-hospitalized with moderate to severe pain despite management -------
    Case(
        name="I.A.2 a record silent on hospitalization is an outpatient record: moderate pain "
        "despite failed management is met (interpretation of 'non-hospitalized').",
        facts=_IA1_L1 + "pain_severity(moderate). therapy(nsaids, 42). therapy_failed.",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.2 non-hospitalized with moderate pain despite failed non-surgical management is "
        "met.",
        facts=_IA1_L1 + _OUTPT_MODERATE,
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.2 non-hospitalized with pain score 4 (moderate) despite failed management is "
        "met.",
        facts=_IA1_L1
        + "-hospitalized_for_pain. pain_score(4). therapy(nsaids, 42). therapy_failed.",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.2 non-hospitalized with pain score 3 (mild) fails.",
        facts=_IA1_L1
        + "-hospitalized_for_pain. pain_score(3). therapy(nsaids, 42). therapy_failed.",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.2 non-hospitalized with severe pain despite failed management is met.",
        facts=_IA1_L1
        + "-hospitalized_for_pain. pain_severity(severe). therapy(opioids, 21). therapy_failed.",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="I.A.2 non-hospitalized with severe pain but no non-surgical management tried fails.",
        facts=_IA1_L1 + "-hospitalized_for_pain. pain_severity(severe). therapy(none, 0).",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.2 non-hospitalized, moderate pain, therapy improved the pain (not failed): "
        "fails.",
        facts=_IA1_L1
        + "-hospitalized_for_pain. pain_severity(moderate). therapy(nsaids, 42). -therapy_failed.",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.A.2 non-hospitalized, moderate pain, therapy tried but its outcome not "
        "documented: insufficient information.",
        facts=_IA1_L1 + "-hospitalized_for_pain. pain_severity(moderate). therapy(nsaids, 42).",
        status="insufficient_information",
    ),
    # --- I.B - I.G ------------------------------------------------------------------------
    Case(
        name="I.B multiple myeloma at T8 is medically necessary without onset or imaging.",
        facts="procedure(vertebroplasty). target(t8). fracture(t8, multiple_myeloma).",
        status="medically_necessary",
        decided_by=("I.B",),
    ),
    Case(
        name="I.B multiple myeloma lesion at L2, kyphoplasty by CPT 22514, is medically necessary.",
        facts='cpt("22514"). target(l2). lesion(l2, multiple_myeloma).',
        status="medically_necessary",
        decided_by=("I.B",),
    ),
    Case(
        name="I.C painful hemangioma is medically necessary.",
        facts="procedure(vertebroplasty). target(t6). lesion(t6, hemangioma). "
        "lesion_trait(t6, painful).",
        status="medically_necessary",
        decided_by=("I.C",),
    ),
    Case(
        name="I.C aggressive (not stated painful) hemangioma is medically necessary.",
        facts="procedure(kyphoplasty). target(t9). lesion(t9, hemangioma). "
        "lesion_trait(t9, aggressive).",
        status="medically_necessary",
        decided_by=("I.C",),
    ),
    Case(
        name="I.C hemangioma neither painful nor aggressive documented: insufficient information.",
        facts="procedure(vertebroplasty). target(t6). lesion(t6, hemangioma).",
        status="insufficient_information",
    ),
    Case(
        name="I.D painful vertebral eosinophilic granuloma is medically necessary.",
        facts="procedure(vertebroplasty). target(l3). lesion(l3, eosinophilic_granuloma). "
        "lesion_trait(l3, painful).",
        status="medically_necessary",
        decided_by=("I.D",),
    ),
    Case(
        name="I.D eosinophilic granuloma stated only aggressive, pain not documented: "
        "insufficient information.",
        facts="procedure(vertebroplasty). target(l3). lesion(l3, eosinophilic_granuloma). "
        "lesion_trait(l3, aggressive).",
        status="insufficient_information",
    ),
    Case(
        name="I.E primary malignant neoplasm of bone is medically necessary.",
        facts="procedure(kyphoplasty). target(l4). fracture(l4, primary_bone_malignancy).",
        status="medically_necessary",
        decided_by=("I.E",),
    ),
    Case(
        name="I.F secondary osteolytic metastasis at T10 is medically necessary.",
        facts="procedure(vertebroplasty). target(t10). lesion(t10, osteolytic_metastasis).",
        status="medically_necessary",
        decided_by=("I.F",),
    ),
    Case(
        name="I.F osteolytic metastasis at C5 is medically necessary (cervical included).",
        facts="procedure(vertebroplasty). target(c5). fracture(c5, osteolytic_metastasis).",
        status="medically_necessary",
        decided_by=("I.F",),
    ),
    Case(
        name="I.F osteolytic metastasis at S1 is excluded (sacrum), and augmenting S1 is sacral "
        "augmentation (III): not medically necessary.",
        facts="procedure(vertebroplasty). target(s1). lesion(s1, osteolytic_metastasis).",
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    Case(
        name="I.F excludes the coccyx: a vertebroplasty of a coccygeal osteolytic metastasis is "
        "coccygeoplasty (shared reading), which the policy does not address.",
        facts="procedure(vertebroplasty). target(coccyx). lesion(coccyx, osteolytic_metastasis).",
        status="not_addressed",
    ),
    Case(
        name="A coccygeal myeloma lesion treated with T10 meets no indication (the coccyx is no "
        "vertebral level): II, while T10 meets I.B.",
        facts="procedure(vertebroplasty). target(t10). target(coccyx). "
        "lesion(t10, multiple_myeloma). lesion(coccyx, multiple_myeloma).",
        status="not_medically_necessary",
        levels={"t10": "medically_necessary", "coccyx": "not_medically_necessary"},
    ),
    Case(
        name="I.F covers osteolytic only: an osteoblastic metastasis at T10 is not medically "
        "necessary.",
        facts="procedure(vertebroplasty). target(t10). lesion(t10, osteoblastic_metastasis).",
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    Case(
        name="I.G steroid-induced fracture at L3 is medically necessary without onset or imaging.",
        facts="procedure(kyphoplasty). target(l3). fracture(l3, steroid_induced).",
        status="medically_necessary",
        decided_by=("I.G",),
    ),
    Case(
        name="A traumatic fracture meets no indication: not medically necessary.",
        facts="procedure(kyphoplasty). target(l1). fracture(l1, traumatic). onset_days(l1, 10). "
        "imaging(l1, mri_edema)." + _HOSP_SEVERE,
        status="not_medically_necessary",
        decided_by=("II",),
    ),
    # --- II exclusions --------------------------------------------------------------
    Case(
        name="II.A back pain documented as not due to the VCF excludes an I.A case.",
        facts=_IA_MET.replace("pain_concordant(l1).", "-pain_concordant(l1)."),
        status="not_medically_necessary",
        decided_by=("II.A",),
    ),
    Case(
        name="II.B osteomyelitis excludes.",
        facts=_IA_MET + "condition(osteomyelitis).",
        status="not_medically_necessary",
        decided_by=("II.B",),
    ),
    Case(
        name="II.B active systemic infection (septicemia) excludes.",
        facts="procedure(vertebroplasty). target(t8). fracture(t8, multiple_myeloma). "
        "condition(septicemia).",
        status="not_medically_necessary",
        decided_by=("II.B",),
    ),
    Case(
        name="II.B a urinary tract infection is local, not systemic: I.A still met.",
        facts=_IA_MET + "condition(uti).",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="II.C pregnancy excludes.",
        facts=_IA_MET + "condition(pregnancy).",
        status="not_medically_necessary",
        decided_by=("II.C",),
    ),
    Case(
        name="II.D three myeloma levels in one procedure are medically necessary.",
        facts="procedure(vertebroplasty). target(t10). target(t11). target(t12). "
        "lesion(t10, multiple_myeloma). lesion(t11, multiple_myeloma). "
        "lesion(t12, multiple_myeloma).",
        status="medically_necessary",
        levels={
            "t10": "medically_necessary",
            "t11": "medically_necessary",
            "t12": "medically_necessary",
        },
        decided_by=("I.B",),
    ),
    Case(
        name="II.D four myeloma levels in one procedure (greater than 3) are not medically "
        "necessary.",
        facts="procedure(vertebroplasty). target(t9). target(t10). target(t11). target(t12). "
        "lesion(t9, multiple_myeloma). lesion(t10, multiple_myeloma). "
        "lesion(t11, multiple_myeloma). lesion(t12, multiple_myeloma).",
        status="not_medically_necessary",
        levels={
            "t9": "not_medically_necessary",
            "t10": "not_medically_necessary",
            "t11": "not_medically_necessary",
            "t12": "not_medically_necessary",
        },
        decided_by=("II.D",),
    ),
    Case(
        name="II.E allergy to bone cement excludes.",
        facts=_IA_MET + "condition(cement_allergy).",
        status="not_medically_necessary",
        decided_by=("II.E",),
    ),
    Case(
        name="II.E allergy to opacification (contrast) agents excludes.",
        facts=_IA_MET + "condition(contrast_allergy).",
        status="not_medically_necessary",
        decided_by=("II.E",),
    ),
    Case(
        name="II.F uncorrected coagulopathy excludes.",
        facts=_IA_MET + "condition(coagulopathy).",
        status="not_medically_necessary",
        decided_by=("II.F",),
    ),
    Case(
        name="II.F anticoagulation therapy alone is not an uncorrected coagulopathy: I.A met.",
        facts=_IA_MET + "condition(anticoagulation).",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="II.G spinal instability excludes.",
        facts=_IA_MET + "condition(spinal_instability).",
        status="not_medically_necessary",
        decided_by=("II.G",),
    ),
    Case(
        name="II.G an unstable fracture at the treated level is spinal instability.",
        facts=_IA_MET + "finding(l1, unstable).",
        status="not_medically_necessary",
        decided_by=("II.G",),
    ),
    Case(
        name="II.H myelopathy from the fracture excludes.",
        facts=_IA_MET + "condition(myelopathy).",
        status="not_medically_necessary",
        decided_by=("II.H",),
    ),
    Case(
        name="II.I neurologic deficit excludes.",
        facts=_IA_MET + "condition(neurologic_deficit).",
        status="not_medically_necessary",
        decided_by=("II.I",),
    ),
    Case(
        name="II.J neural impingement excludes.",
        facts=_IA_MET + "condition(neural_impingement).",
        status="not_medically_necessary",
        decided_by=("II.J",),
    ),
    Case(
        name="II.K fracture retropulsion at the treated level excludes.",
        facts=_IA_MET + "finding(l1, retropulsion).",
        status="not_medically_necessary",
        decided_by=("II.K",),
    ),
    Case(
        name="II.K cord compression at the treated level is canal compromise: excluded.",
        facts=_IA_MET + "finding(l1, cord_compression).",
        status="not_medically_necessary",
    ),
    Case(
        name="Two levels: L1 meets I.A but T12 at 120 days does not, so the request is not "
        "medically necessary.",
        facts=_IA_MET + "target(t12). fracture(t12, osteoporotic). onset_days(t12, 120). "
        "imaging(t12, mri_edema). pain_concordant(t12).",
        status="not_medically_necessary",
        levels={"l1": "medically_necessary", "t12": "not_medically_necessary"},
    ),
    # --- III. Sacroplasty ---------------------------------------------------------------
    Case(
        name="III sacroplasty for an osteoporotic sacral insufficiency fracture is not medically "
        "necessary.",
        facts="procedure(sacroplasty). target(s1). fracture(s1, osteoporotic). onset_days(s1, 30). "
        "imaging(s1, mri_edema). pain_concordant(s1)." + _HOSP_SEVERE,
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    Case(
        name="III sacroplasty by CPT 0201T for a sacral myeloma lesion is not medically necessary.",
        facts='cpt("0201T"). target(s2). lesion(s2, multiple_myeloma).',
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    Case(
        name="III sacroplasty with nothing documented is not medically necessary, not "
        "insufficient information.",
        facts="procedure(sacroplasty). target(s1).",
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    # --- Effective date, scope and plans -------------------------------------------------
    Case(
        name="An I.A case on 2025-09-30, the day before the effective date, is not in effect.",
        facts=_IA_MET + "service_date(20250930).",
        status="not_in_effect",
    ),
    Case(
        name="An I.A case on 2025-10-01, the effective date, is medically necessary.",
        facts=_IA_MET + "service_date(20251001).",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="Coccygeoplasty is not addressed.",
        facts="procedure(coccygeoplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status="not_addressed",
    ),
    Case(
        name="A Medicare member is evaluated on the criteria: I.A met.",
        facts=_IA_MET + "plan(medicare).",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
    Case(
        name="III: a vertebroplasty requested at S1 for a myeloma lesion is sacral augmentation: "
        "not medically necessary, although I.B would otherwise apply.",
        facts="procedure(vertebroplasty). target(s1). lesion(s1, multiple_myeloma). "
        "fracture(s1, multiple_myeloma). pain_severity(severe). pain_concordant(s1).",
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    # --- Shared readings (concepts.lp) ------------------------------------------------
    Case(
        name="Issue 14 reproduction: I.C a hemangioma with severe pain documented as due to it "
        "(pain_concordant) is painful: medically necessary.",
        facts="procedure(vertebroplasty). target(t6). lesion(t6, hemangioma). "
        "pain_severity(severe). pain_concordant(t6).",
        status="medically_necessary",
        decided_by=("I.C",),
    ),
    Case(
        name="I.D an eosinophilic granuloma with pain documented as due to it is painful: "
        "medically necessary.",
        facts="procedure(kyphoplasty). target(t9). lesion(t9, eosinophilic_granuloma). "
        "pain_concordant(t9).",
        status="medically_necessary",
        decided_by=("I.D",),
    ),
    Case(
        name="I.C a hemangioma with concordant findings but no pain documented "
        "(pain_severity none) is not painful: not medically necessary.",
        facts="procedure(vertebroplasty). target(t6). lesion(t6, hemangioma). "
        "pain_severity(none). pain_concordant(t6).",
        status="not_medically_necessary",
        closed_world=True,
    ),
    Case(
        name="III: a kyphoplasty of S2 for an osteoporotic fracture is sacral augmentation: not "
        "medically necessary.",
        facts="procedure(kyphoplasty). target(s2). fracture(s2, osteoporotic).",
        status="not_medically_necessary",
        decided_by=("III",),
    ),
    Case(
        name="I.A.2 one day of failed analgesics is the optimal non-surgical management the "
        "text asks for (no duration is set): medically necessary.",
        facts=_IA1_L1 + "-hospitalized_for_pain. pain_severity(moderate). therapy(analgesics, 1). "
        "therapy_failed.",
        status="medically_necessary",
        decided_by=("I.A",),
    ),
]
