"""Boundary cases for bcbsm_sacral: BCBSM / BCN Percutaneous Sacral Augmentation.

Source: policies/bcbsm_sacral.txt. Sacroplasty is investigational for all
indications (Medical Policy Statement); BCN commercial HMO: 0200T/0201T not covered;
BCNA (Medicare Advantage) and Medicare: the government section (LCD L35490, not
medically necessary). Effective from 1/1/24, open-ended.
"""

from __future__ import annotations

from tests.policy_cases import Case

# A fully documented osteoporotic sacral insufficiency fracture: every item other
# policies look for is present, so only this policy's statement decides.
_SIF = """
fracture(s1, osteoporotic).
onset_days(s1, 30).
imaging(s1, mri_edema).
pain_concordant(s1).
pain_severity(severe).
hospitalized_for_pain.
functional_impairment.
ambulation_prevented.
therapy(prescription_analgesics, 60).
therapy(physical_therapy, 42).
therapy_failed.
"""

CASES: list[Case] = [
    # --- Medical Policy Statement: investigational for all indications ----------
    Case(
        name="Sacroplasty at S1 with no plan stated is investigational by the medical policy "
        "statement.",
        facts="procedure(sacroplasty). target(s1).",
        status="investigational",
        levels={"s1": "investigational"},
        decided_by=("MPS",),
    ),
    Case(
        name="A request stated only as CPT 0200T is sacroplasty and investigational.",
        facts='cpt("0200T"). target(s1).',
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A request stated only as CPT 0201T (bilateral) is sacroplasty and investigational.",
        facts='cpt("0201T"). target(s1). target(s2).',
        status="investigational",
        levels={"s1": "investigational", "s2": "investigational"},
        decided_by=("MPS",),
    ),
    Case(
        name="An osteoporotic sacral insufficiency fracture meeting every usual criterion is "
        "still investigational.",
        facts="procedure(sacroplasty). target(s1)." + _SIF,
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A sacral osteolytic metastasis is investigational (named in the statement).",
        facts="procedure(sacroplasty). target(s2). lesion(s2, osteolytic_metastasis). "
        "lesion_trait(s2, painful). pain_severity(severe).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A sacral osteoblastic metastasis fracture is investigational (metastatic "
        "malignancy).",
        facts="procedure(sacroplasty). target(s1). fracture(s1, osteoblastic_metastasis).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A sacral multiple myeloma fracture is investigational (named in the statement).",
        facts="procedure(sacroplasty). target(s1). fracture(s1, multiple_myeloma).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A primary malignant bone tumour of the sacrum is investigational (all indications).",
        facts="procedure(sacroplasty). target(s3). lesion(s3, primary_bone_malignancy).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A traumatic sacral fracture is investigational (all indications).",
        facts="procedure(sacroplasty). target(s1). fracture(s1, traumatic).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A steroid-induced sacral fracture is investigational (all indications).",
        facts="procedure(sacroplasty). target(s2). fracture(s2, steroid_induced).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="Nothing documented is investigational, not insufficient_information: no "
        "documentation can make it necessary.",
        facts="procedure(sacroplasty). target(s1). fracture(s1, osteoporotic).",
        status="investigational",
        levels={"s1": "investigational"},
        decided_by=("MPS",),
    ),
    Case(
        name="Three sacral levels are each investigational; the policy counts no levels.",
        facts="procedure(sacroplasty). target(s1). target(s2). target(s3). "
        "fracture(s1, osteoporotic). fracture(s2, osteoporotic). fracture(s3, osteoporotic).",
        status="investigational",
        levels={"s1": "investigational", "s2": "investigational", "s3": "investigational"},
        decided_by=("MPS",),
    ),
    Case(
        name="A sacroplasty request whose target is stated at L5 is still investigational (all "
        "indications).",
        facts="procedure(sacroplasty). target(l5). fracture(l5, osteoporotic).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="Inclusionary and exclusionary guidelines are N/A: a pregnancy changes nothing, "
        "still investigational.",
        facts="procedure(sacroplasty). target(s1). condition(pregnancy).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="An infection and an unstable sacral fracture add no exclusion of their own: "
        "investigational.",
        facts="procedure(sacroplasty). target(s1). condition(osteomyelitis). finding(s1, "
        "unstable).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="Evaluated closed-world, a bare sacroplasty request is still investigational.",
        facts="procedure(sacroplasty). target(s1).",
        status="investigational",
        decided_by=("MPS",),
        closed_world=True,
    ),
    # --- Plans the medical policy statement governs ---------------------------------
    Case(
        name="A BCBSM commercial (non-HMO) member gets the medical policy statement: "
        "investigational.",
        facts="procedure(sacroplasty). target(s1). plan(commercial)." + _SIF,
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A Medicaid member, on which the text is silent, gets the medical policy statement: "
        "investigational.",
        facts="procedure(sacroplasty). target(s1). plan(medicaid).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="An FEP member, on which the text is silent, gets the medical policy statement: "
        "investigational.",
        facts='cpt("0201T"). target(s1). plan(fep).',
        status="investigational",
        decided_by=("MPS",),
    ),
    # --- BCN commercial HMO: 0200T and 0201T not covered ---------------------------
    Case(
        name="A BCN commercial HMO member's sacroplasty is not covered, with no code stated "
        "(0200T/0201T are its only codes).",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo).",
        status="not_covered",
        levels={"s1": "not_covered"},
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A BCN commercial HMO member's 0200T is not covered.",
        facts='cpt("0200T"). target(s1). plan(commercial_hmo).',
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A BCN commercial HMO member's 0201T at two levels is not covered at each.",
        facts='cpt("0201T"). target(s1). target(s2). plan(commercial_hmo).',
        status="not_covered",
        levels={"s1": "not_covered", "s2": "not_covered"},
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A commercial HMO member with procedure and code both stated (0200T) is not covered.",
        facts='procedure(sacroplasty). cpt("0200T"). target(s1). plan(commercial_hmo).',
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A commercial HMO member's fully documented insufficiency fracture is still not "
        "covered.",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo)." + _SIF,
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A commercial HMO member's sacral myeloma lesion is not covered (benefit rule, any "
        "indication).",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo). "
        "lesion(s1, multiple_myeloma).",
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A commercial HMO sacroplasty on the first effective day (2024-01-01) is not covered.",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo). service_date(20240101).",
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A commercial HMO sacroplasty the day before the effective date is not in effect.",
        facts="procedure(sacroplasty). target(s1). plan(commercial_hmo). service_date(20231231).",
        status="not_in_effect",
    ),
    # --- BCNA (Medicare Advantage): see government section ---------------------------
    Case(
        name="A BCNA Medicare Advantage member's sacroplasty is not medically necessary per the "
        "government section, not investigational.",
        facts="procedure(sacroplasty). target(s1). plan(medicare_advantage).",
        status="not_medically_necessary",
        levels={"s1": "not_medically_necessary"},
        decided_by=("BCN.BCNA", "GOV.LCD"),
    ),
    Case(
        name="A Medicare Advantage member's 0201T at S1 and S2 is not medically necessary at each "
        "level.",
        facts='cpt("0201T"). target(s1). target(s2). plan(medicare_advantage).',
        status="not_medically_necessary",
        levels={"s1": "not_medically_necessary", "s2": "not_medically_necessary"},
        decided_by=("BCN.BCNA", "GOV.LCD"),
    ),
    Case(
        name="A Medicare Advantage member's fully documented insufficiency fracture is still not "
        "medically necessary.",
        facts="procedure(sacroplasty). target(s1). plan(medicare_advantage)." + _SIF,
        status="not_medically_necessary",
        decided_by=("GOV.LCD",),
    ),
    Case(
        name="A Medicare Advantage member with nothing documented is not medically necessary, not "
        "insufficient_information.",
        facts='cpt("0200T"). target(s2). plan(medicare_advantage). fracture(s2, osteoporotic).',
        status="not_medically_necessary",
        decided_by=("BCN.BCNA",),
    ),
    Case(
        name="A Medicare Advantage member's sacral metastasis is not medically necessary (LCD "
        "lists the codes for any indication).",
        facts="procedure(sacroplasty). target(s1). plan(medicare_advantage). "
        "fracture(s1, osteolytic_metastasis).",
        status="not_medically_necessary",
        decided_by=("GOV.LCD",),
    ),
    Case(
        name="A Medicare Advantage sacroplasty on 2024-01-01 is not medically necessary.",
        facts="procedure(sacroplasty). target(s1). plan(medicare_advantage). "
        "service_date(20240101).",
        status="not_medically_necessary",
        decided_by=("BCN.BCNA", "GOV.LCD"),
    ),
    Case(
        name="A Medicare Advantage sacroplasty on 2023-12-31 is not in effect, though the LCD "
        "began 04/27/2023.",
        facts="procedure(sacroplasty). target(s1). plan(medicare_advantage). "
        "service_date(20231231).",
        status="not_in_effect",
    ),
    # --- Original Medicare (and BCN65's primary Medicare): government section ---------
    Case(
        name="An Original Medicare member's sacroplasty is not medically necessary under LCD "
        "L35490.",
        facts="procedure(sacroplasty). target(s1). plan(medicare).",
        status="not_medically_necessary",
        levels={"s1": "not_medically_necessary"},
        decided_by=("GOV.LCD",),
    ),
    Case(
        name="An Original Medicare member's 0200T for a sacral myeloma lesion is not medically "
        "necessary.",
        facts='cpt("0200T"). target(s1). plan(medicare). lesion(s1, multiple_myeloma).',
        status="not_medically_necessary",
        decided_by=("GOV.LCD",),
    ),
    Case(
        name="A Medicare member (e.g. BCN65, primary Medicare) with a documented insufficiency "
        "fracture is not medically necessary.",
        facts="procedure(sacroplasty). target(s1). plan(medicare). service_date(20250601)." + _SIF,
        status="not_medically_necessary",
        decided_by=("GOV.LCD",),
    ),
    # --- Effective date: from 1/1/24, open-ended ------------------------------------
    Case(
        name="Sacroplasty on 2023-12-31, the day before the effective date, is not in effect.",
        facts="procedure(sacroplasty). target(s1). service_date(20231231).",
        status="not_in_effect",
    ),
    Case(
        name="Sacroplasty on 2024-01-01, the first effective day, is investigational.",
        facts="procedure(sacroplasty). target(s1). service_date(20240101).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="Sacroplasty on 2024-12-31, after the next review date (4th Qtr. 2024), is still in "
        "effect: investigational.",
        facts="procedure(sacroplasty). target(s1). service_date(20241231).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="Sacroplasty on 2026-06-30 is in effect (open-ended): investigational.",
        facts='cpt("0201T"). target(s1). plan(commercial). service_date(20260630).',
        status="investigational",
        decided_by=("MPS",),
    ),
    # --- Procedures the policy does not address --------------------------------------
    Case(
        name="Vertebroplasty is not addressed (the vertebroplasty/kyphoplasty policy is retired).",
        facts="procedure(vertebroplasty). target(l1). fracture(l1, osteoporotic).",
        status="not_addressed",
    ),
    Case(
        name="Vertebroplasty stated as CPT 22511 at L5 is not addressed.",
        facts='cpt("22511"). target(l5). fracture(l5, osteoporotic).',
        status="not_addressed",
    ),
    Case(
        name="Kyphoplasty is not addressed.",
        facts="procedure(kyphoplasty). target(t12). fracture(t12, osteoporotic).",
        status="not_addressed",
    ),
    Case(
        name="Coccygeoplasty is not addressed (sacral augmentation only).",
        facts="procedure(coccygeoplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status="not_addressed",
    ),
    Case(
        name="A commercial HMO member's kyphoplasty is not addressed: the benefit rule names only "
        "0200T/0201T.",
        facts='cpt("22513"). target(t12). plan(commercial_hmo).',
        status="not_addressed",
    ),
    Case(
        name="A Medicare Advantage member's vertebroplasty is not addressed.",
        facts="procedure(vertebroplasty). target(l2). plan(medicare_advantage).",
        status="not_addressed",
    ),
    Case(
        name="Vertebroplasty on 2023-12-31 is not in effect (reported before not addressed).",
        facts="procedure(vertebroplasty). target(l1). service_date(20231231).",
        status="not_in_effect",
    ),
    Case(
        name="Kyphoplasty on 2024-01-01 is not addressed.",
        facts="procedure(kyphoplasty). target(l1). service_date(20240101).",
        status="not_addressed",
    ),
    # --- Sacral augmentation by any name (shared reading, concepts.lp) -----------------
    Case(
        name="Issue 14 reproduction: a vertebroplasty of S1 for a commercial HMO member is sacral "
        "augmentation: not covered (BCN.HMO).",
        facts="procedure(vertebroplasty). target(s1). plan(commercial_hmo). "
        "fracture(s1, osteoporotic).",
        status="not_covered",
        decided_by=("BCN.HMO",),
    ),
    Case(
        name="A kyphoplasty of S2 for a commercial (BCBSM) member is sacral augmentation: "
        "investigational for all indications (MPS).",
        facts="procedure(kyphoplasty). target(s2). plan(commercial). fracture(s2, osteoporotic).",
        status="investigational",
        decided_by=("MPS",),
    ),
    Case(
        name="A vertebroplasty of S1 (CPT 22511) for a Medicare member is sacral augmentation: "
        "not medically necessary (GOV.LCD).",
        facts='cpt("22511"). target(s1). plan(medicare). lesion(s1, multiple_myeloma).',
        status="not_medically_necessary",
        decided_by=("GOV.LCD",),
    ),
    Case(
        name="A vertebroplasty of the coccyx is coccygeoplasty, not sacral augmentation: not "
        "addressed.",
        facts="procedure(vertebroplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status="not_addressed",
    ),
    Case(
        name="A vertebroplasty of L5 and S1 for a commercial HMO member: S1 is sacral "
        "augmentation (not covered); L5 meets no statement (MPS default).",
        facts="procedure(vertebroplasty). target(l5). target(s1). plan(commercial_hmo). "
        "fracture(l5, osteoporotic). fracture(s1, osteoporotic).",
        status="not_covered",
        levels={"s1": "not_covered", "l5": "investigational"},
    ),
]
