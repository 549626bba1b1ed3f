"""Boundary cases for cigna_cmm607: Cigna / eviCore CMM-607, Primary Vertebral Augmentation.

Source: policies/cigna_cmm607.txt (CMM-607.1 General Guidelines, CMM-607.2
Indications, CMM-607.3 Non-Indications), effective July 1, 2025, open-ended. Addresses
vertebroplasty, kyphoplasty, sacroplasty and coccygeoplasty. Expected statuses follow the
policy text and the interpretation notes in kb/cigna_cmm607.lp.
"""

from __future__ import annotations

from tests.policy_cases import Case

_NM = "CMM-607.2.nonmalignant"
_MAL = "CMM-607.2.malignant"
_SURG = "CMM-607.2.surgical"
_DEFAULT = "CMM-607.3"
MN = "medically_necessary"
NMN = "not_medically_necessary"
INSUFF = "insufficient_information"

# Therapy kinds of each arm of CMM-607.2.nonmalignant.subacute, for documenting that
# no contraindication waives the arm.
_MED_KINDS = ("prescription_analgesics", "nsaids", "steroids", "opioids")
_EX_KINDS = ("physical_therapy", "exercise_program")


def _deny_contra(kinds: tuple[str, ...]) -> str:
    return " ".join(f"-therapy_contraindicated({k})." for k in kinds) + " "


def _acute(
    level: str = "l1",
    onset: int = 30,
    cause: str = "osteoporotic",
    imaging: str = "mri_edema",
    procedure: str = "kyphoplasty",
) -> str:
    """Non-malignant acute arm met at one level: concordant imaging, functional impairment,
    ambulation prevented, enrolled in an osteoporosis program."""
    return (
        f"procedure({procedure}). target({level}). fracture({level}, {cause}). "
        f"onset_days({level}, {onset}). imaging({level}, {imaging}). pain_concordant({level}). "
        "functional_impairment. ambulation_prevented. osteoporosis_program. "
    )


def _fracture(level: str, onset: int = 30, cause: str = "osteoporotic") -> str:
    """A further documented fracture at `level` (for multi-level requests)."""
    return (
        f"target({level}). fracture({level}, {cause}). onset_days({level}, {onset}). "
        f"imaging({level}, mri_edema). pain_concordant({level}). "
    )


def _subacute(
    level: str = "t10",
    onset: int = 60,
    med: str = "prescription_analgesics",
    med_days: int = 28,
    ex: str = "physical_therapy",
    ex_days: int = 28,
) -> str:
    """Non-malignant subacute arm: onset > 6 weeks, both four-week courses, failed."""
    return (
        f"procedure(vertebroplasty). target({level}). fracture({level}, osteoporotic). "
        f"onset_days({level}, {onset}). imaging({level}, mri). pain_concordant({level}). "
        "functional_impairment. osteoporosis_program. "
        f"therapy({med}, {med_days}). therapy({ex}, {ex_days}). therapy_failed. "
    )


def _malignant(
    level: str = "t8",
    kind: str = "osteolytic_metastasis",
    as_fracture: bool = True,
    procedure: str = "kyphoplasty",
) -> str:
    """Malignant group met at one level: concordant CT imaging and functional impairment."""
    lesion = f"fracture({level}, {kind}). " if as_fracture else f"lesion({level}, {kind}). "
    return (
        f"procedure({procedure}). target({level}). {lesion}"
        f"imaging({level}, ct). pain_concordant({level}). functional_impairment. "
    )


def _fusion(*levels: str, procedure: str = "vertebroplasty") -> str:
    return (
        f"procedure({procedure}). purpose(fusion_adjunct). "
        + " ".join(f"target({lv})." for lv in levels)
        + " "
    )


def _hemangioma(level: str = "t12", kind: str = "hemangioma") -> str:
    """An aggressive-lesion case, acute arm, with the traits left to the caller."""
    return (
        f"procedure(vertebroplasty). target({level}). lesion({level}, {kind}). "
        f"onset_days({level}, 20). imaging({level}, mri). pain_concordant({level}). "
        "functional_impairment. transfers_prevented. "
    )


_NO_SUBACUTE_RESCUE = "-incapacitated. " + _deny_contra(_EX_KINDS)

CASES: list[Case] = [
    # --- CMM-607.2.nonmalignant: acute arm ------------------------------------------------
    Case(
        name="Non-malignant acute: osteoporotic L1 VCF 30 days old, MRI edema, concordant, "
        "functional impairment, ambulation prevented, osteoporosis program: medically necessary.",
        facts=_acute(),
        status=MN,
        levels={"l1": MN},
        decided_by=(_NM,),
    ),
    Case(
        name="Acute boundary: onset 42 days is still acute (0-6 weeks is D <= 42).",
        facts=_acute(onset=42),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Onset 43 days is no longer acute; with no conservative therapy and no urgent "
        "condition the subacute arm fails: not medically necessary.",
        facts=_acute(onset=43) + "therapy(none, 0). " + _NO_SUBACUTE_RESCUE,
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Onset 43 days with therapy and urgency undocumented could be rescued by "
        "documentation (the subacute arm): insufficient information.",
        facts=_acute(onset=43),
        status=INSUFF,
    ),
    Case(
        name="Acute arm: pain preventing independent transfers alone suffices (transfers and/or "
        "ambulation).",
        facts=_acute().replace("ambulation_prevented.", "transfers_prevented."),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Acute arm: pain documented as preventing neither transfers nor ambulation: not "
        "medically necessary.",
        facts=_acute().replace(
            "ambulation_prevented.", "-ambulation_prevented. -transfers_prevented."
        ),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Acute arm: transfers and ambulation undocumented is insufficient information.",
        facts=_acute().replace("ambulation_prevented.", ""),
        status=INSUFF,
    ),
    Case(
        name="Onset undocumented for an otherwise complete acute picture is insufficient "
        "information.",
        facts=_acute().replace("onset_days(l1, 30). ", ""),
        status=INSUFF,
    ),
    Case(
        name="Onset undocumented, evaluated closed-world: not medically necessary.",
        facts=_acute().replace("onset_days(l1, 30). ", ""),
        status=NMN,
        closed_world=True,
    ),
    # --- CMM-607.2.nonmalignant.imaging ----------------------------------------------------
    Case(
        name="Imaging interpretation: plain X-ray showing the fracture counts as imaging "
        "(the text names no modality).",
        facts=_acute(imaging="xray"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Imaging documented as none: not medically necessary.",
        facts=_acute(imaging="none"),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Symptoms and exam documented not concordant with the imaging: not medically "
        "necessary.",
        facts=_acute().replace("pain_concordant(l1).", "-pain_concordant(l1)."),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="A steroid-induced VCF qualifies and needs no osteoporosis program.",
        facts=_acute(cause="steroid_induced").replace(
            "osteoporosis_program.", "-osteoporosis_program."
        ),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="An osteonecrotic (Kummel disease) VCF qualifies.",
        facts=_acute(cause="osteonecrotic"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="A traumatic VCF is not among the listed findings: not medically necessary.",
        facts=_acute(cause="traumatic"),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Osteolytic VCF interpretation: an osteolytic metastasis fracture is decided by the "
        "malignant group, not the non-malignant one.",
        facts=_acute(cause="osteolytic_metastasis"),
        status=MN,
        decided_by=(_MAL,),
    ),
    Case(
        name="An aggressive, painful vertebral hemangioma with acute concordant pain qualifies.",
        facts=_hemangioma() + "lesion_trait(t12, aggressive). lesion_trait(t12, painful).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="A hemangioma whose traits are undocumented is insufficient information.",
        facts=_hemangioma(),
        status=INSUFF,
    ),
    Case(
        name="Hemangioma interpretation: painful but documented non-aggressive is excluded as "
        "a non-aggressive hemangioma.",
        facts=_hemangioma() + "lesion_trait(t12, painful). -lesion_trait(t12, aggressive).",
        status=NMN,
        decided_by=("CMM-607.3.primary.hemangioma",),
    ),
    Case(
        name="Hemangioma interpretation: aggressive but documented non-painful is excluded as "
        "a non-painful hemangioma.",
        facts=_hemangioma() + "lesion_trait(t12, aggressive). -lesion_trait(t12, painful).",
        status=NMN,
        decided_by=("CMM-607.3.primary.hemangioma",),
    ),
    Case(
        name="An aggressive eosinophilic granuloma qualifies as a space-occupying lesion.",
        facts=_hemangioma(kind="eosinophilic_granuloma") + "lesion_trait(t12, aggressive).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="An eosinophilic granuloma documented non-aggressive does not qualify: default "
        "not medically necessary.",
        facts=_hemangioma(kind="eosinophilic_granuloma") + "-lesion_trait(t12, aggressive).",
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    # --- CMM-607.2.nonmalignant.pain / osteoporosis_program --------------------------------
    Case(
        name="Functional impairment documented absent: not medically necessary.",
        facts=_acute().replace("functional_impairment.", "-functional_impairment."),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Osteoporotic VCF with the patient documented not enrolled in an osteoporosis "
        "program: not medically necessary.",
        facts=_acute().replace("osteoporosis_program.", "-osteoporosis_program."),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Osteoporotic VCF with osteoporosis program undocumented: insufficient information.",
        facts=_acute().replace("osteoporosis_program.", ""),
        status=INSUFF,
    ),
    # --- CMM-607.2.nonmalignant.levels: T5-L5, at most 2 levels ----------------------------
    Case(
        name="T5, the top of T5-L5, qualifies.",
        facts=_acute(level="t5"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="T4 is excluded (thoracic levels T1-T4).",
        facts=_acute(level="t4"),
        status=NMN,
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    Case(
        name="T1 is excluded (thoracic levels T1-T4).",
        facts=_acute(level="t1"),
        status=NMN,
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    Case(
        name="C7 is excluded (cervical spine).",
        facts=_acute(level="c7"),
        status=NMN,
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    Case(
        name="L5, the bottom of T5-L5, qualifies.",
        facts=_acute(level="l5"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Sacral level interpretation: kyphoplasty at S1 is sacroplasty: not medically "
        "necessary.",
        facts=_acute(level="s1"),
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="Two levels (T12 and L1) both meeting the criteria: medically necessary.",
        facts=_acute() + _fracture("t12"),
        status=MN,
        levels={"l1": MN, "t12": MN},
        decided_by=(_NM,),
    ),
    Case(
        name="Three levels on one date of service exceed the 2-level limit: every level not "
        "medically necessary.",
        facts=_acute() + _fracture("t12") + _fracture("l2"),
        status=NMN,
        levels={"l1": NMN, "t12": NMN, "l2": NMN},
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Four levels exceed the 2-level limit: not medically necessary.",
        facts=_acute() + _fracture("t12") + _fracture("l2") + _fracture("l3"),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Levels interpretation: T4 and T5 together: T4 excluded, T5 still within the "
        "2-level limit.",
        facts=_acute(level="t5") + _fracture("t4"),
        status=NMN,
        levels={"t4": NMN, "t5": MN},
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    # --- CMM-607.2.nonmalignant.subacute ----------------------------------------------------
    Case(
        name="Subacute: 60 days, 4 weeks of prescription analgesics and of physical therapy, "
        "no meaningful improvement: medically necessary.",
        facts=_subacute(),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Subacute boundary: onset 43 days (> 6 weeks) with both courses failed qualifies.",
        facts=_subacute(onset=43, med_days=28, ex_days=28),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Subacute at onset 42 days is not subacute; with ambulation documented possible "
        "the acute arm fails too: not medically necessary.",
        facts=_subacute(onset=42) + "-ambulation_prevented. -transfers_prevented.",
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Medication course of 27 days is short of four weeks: not medically necessary.",
        facts=_subacute(med_days=27) + "-incapacitated. " + _deny_contra(_MED_KINDS),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Exercise program of 27 days is short of four weeks: not medically necessary.",
        facts=_subacute(ex_days=27) + "-incapacitated. " + _deny_contra(_EX_KINDS),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="NSAIDs and a provider-directed exercise program, 4 weeks each, qualify.",
        facts=_subacute(med="nsaids", ex="exercise_program"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Medication interpretation: opioids are prescription-strength analgesics.",
        facts=_subacute(med="opioids"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Medication interpretation: 14 days of NSAIDs plus 14 days of prescription "
        "analgesics are not one four-week course.",
        facts=_subacute(med="nsaids", med_days=14)
        + "therapy(prescription_analgesics, 14). -incapacitated. "
        + _deny_contra(_MED_KINDS),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Over-the-counter analgesics are not prescription strength: not medically necessary.",
        facts=_subacute(med="analgesics", med_days=60)
        + "-incapacitated. "
        + _deny_contra(_MED_KINDS),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Exercise interpretation: bracing is not an exercise program: not medically "
        "necessary.",
        facts=_subacute(ex="bracing", ex_days=60) + "-incapacitated. " + _deny_contra(_EX_KINDS),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Both courses completed but improvement was clinically meaningful: not medically "
        "necessary.",
        facts=_subacute().replace("therapy_failed.", "-therapy_failed.") + _NO_SUBACUTE_RESCUE,
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Both courses completed with the outcome undocumented: insufficient information.",
        facts=_subacute().replace("therapy_failed.", ""),
        status=INSUFF,
    ),
    Case(
        name="Unless contraindicated: NSAIDs, steroids and prescription analgesics all "
        "contraindicated waive the medication arm; 4 weeks of physical therapy failed.",
        facts=_subacute(med="rest", med_days=30)
        + "therapy_contraindicated(nsaids). therapy_contraindicated(steroids). "
        "therapy_contraindicated(prescription_analgesics).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Unless contraindicated: NSAIDs alone contraindicated leave steroids and "
        "prescription analgesics, so the four-week medication course is still required.",
        facts=_subacute(med="rest", med_days=30) + "therapy_contraindicated(nsaids).",
        status=NMN,
        closed_world=True,
    ),
    Case(
        name="Issue 14 reproduction: ten days of NSAIDs with only opioids contraindicated "
        "does not meet the medication arm (NSAIDs, steroids, prescription analgesics available).",
        facts="procedure(vertebroplasty). target(t10). fracture(t10, osteoporotic). "
        "onset_days(t10, 60). imaging(t10, mri). pain_concordant(t10). functional_impairment. "
        "osteoporosis_program. therapy_failed. therapy(nsaids, 10). "
        "therapy(physical_therapy, 28). therapy_contraindicated(opioids). -incapacitated.",
        status=NMN,
        closed_world=True,
    ),
    Case(
        name="Unless contraindicated: a contraindicated provider-directed exercise program "
        "waives the exercise arm; 4 weeks of prescription analgesics failed.",
        facts=_subacute(ex="rest", ex_days=30) + "therapy_contraindicated(exercise_program).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Unless contraindicated: physical therapy alone contraindicated does not waive the "
        "exercise arm (a chiropractor or physician may direct the program).",
        facts=_subacute(ex="rest", ex_days=30) + "therapy_contraindicated(physical_therapy).",
        status=NMN,
        closed_world=True,
    ),
    Case(
        name="Subacute interpretation: both arms contraindicated, nothing tried: no failed "
        "therapy is required.",
        facts=_acute(onset=60).replace("ambulation_prevented. ", "")
        + "therapy(none, 0). therapy_contraindicated(nsaids). therapy_contraindicated(steroids). "
        "therapy_contraindicated(prescription_analgesics). "
        "therapy_contraindicated(exercise_program).",
        status=MN,
        decided_by=(_NM,),
    ),
    # --- CMM-607.1: urgent/emergent ---------------------------------------------------------
    Case(
        name="Urgent/emergent: an incapacitated patient with a subacute VCF needs no "
        "provider-directed non-surgical management.",
        facts=_acute(onset=60).replace("ambulation_prevented. ", "")
        + "therapy(none, 0). incapacitated. "
        + _deny_contra(_MED_KINDS + _EX_KINDS),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Urgent interpretation: incapacitated with an acute VCF still needs pain preventing "
        "transfers and/or ambulation (the acute arm requires no non-surgical management).",
        facts=_acute().replace(
            "ambulation_prevented.", "-ambulation_prevented. -transfers_prevented."
        )
        + "incapacitated.",
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Urgent interpretation: incapacitated does not waive the concordant imaging.",
        facts=_acute(onset=60, imaging="none").replace("ambulation_prevented. ", "")
        + "therapy(none, 0). incapacitated.",
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Urgent interpretation: a neoplastic pathologic fracture is not an indication by "
        "itself; without functional impairment it is not medically necessary.",
        facts=_malignant().replace("functional_impairment.", "-functional_impairment."),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    # --- CMM-607.3.primary.chronic_pain: > 6 months -----------------------------------------
    Case(
        name="Chronic boundary: onset 182 days (6 months) is not longer than 6 months.",
        facts=_subacute(onset=182),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Chronic boundary: onset 183 days is back pain of longstanding duration (> 6 "
        "months): not medically necessary.",
        facts=_subacute(onset=183),
        status=NMN,
        decided_by=("CMM-607.3.primary.chronic_pain",),
    ),
    Case(
        name="Chronic interpretation: a painful metastasis with pain for more than 6 months "
        "is also excluded.",
        facts=_malignant() + "onset_days(t8, 200).",
        status=NMN,
        decided_by=("CMM-607.3.primary.chronic_pain",),
    ),
    # --- CMM-607.2.malignant ------------------------------------------------------------------
    Case(
        name="Malignant: osteolytic metastasis fracture at T8, concordant CT, functional "
        "impairment: medically necessary.",
        facts=_malignant(),
        status=MN,
        decided_by=(_MAL,),
    ),
    Case(
        name="Malignant: multiple myeloma destruction of L3 qualifies.",
        facts=_malignant("l3", "multiple_myeloma", as_fracture=False),
        status=MN,
        decided_by=(_MAL,),
    ),
    Case(
        name="Malignant: primary malignant neoplasm of bone qualifies.",
        facts=_malignant("l2", "primary_bone_malignancy", as_fracture=False),
        status=MN,
        decided_by=(_MAL,),
    ),
    Case(
        name="Malignant: an osteoblastic metastasis is not an osteolytic metastasis: not "
        "medically necessary.",
        facts=_malignant(kind="osteoblastic_metastasis"),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Malignant: imaging documented as none: not medically necessary.",
        facts=_malignant().replace("imaging(t8, ct).", "imaging(t8, none)."),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Malignant: functional impairment undocumented is insufficient information.",
        facts=_malignant().replace("functional_impairment.", ""),
        status=INSUFF,
    ),
    Case(
        name="Malignant interpretation: no level limit is stated, three T5-L5 levels qualify.",
        facts=_malignant("t8")
        + "target(t10). fracture(t10, osteolytic_metastasis). imaging(t10, mri). "
        "pain_concordant(t10). target(l2). lesion(l2, osteolytic_metastasis). "
        "imaging(l2, bone_scan). pain_concordant(l2).",
        status=MN,
        levels={"t8": MN, "t10": MN, "l2": MN},
        decided_by=(_MAL,),
    ),
    Case(
        name="Malignant interpretation: the T1-T4 non-indication applies to a metastasis at T3.",
        facts=_malignant("t3"),
        status=NMN,
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    Case(
        name="Malignant interpretation: a sacral metastasis treated as vertebroplasty is "
        "sacroplasty: not medically necessary.",
        facts=_malignant("s1", procedure="vertebroplasty"),
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="Malignant: extensive vertebral destruction by myeloma is a contraindication.",
        facts=_malignant("l3", "multiple_myeloma") + "finding(l3, extensive_destruction).",
        status=NMN,
        decided_by=("CMM-607.3.contraindications.extensive_destruction",),
    ),
    # --- CMM-607.2.surgical ------------------------------------------------------------------
    Case(
        name="Associated surgical procedure: prophylactic vertebroplasty at L1 and L2 to "
        "facilitate fusion: medically necessary.",
        facts=_fusion("l1", "l2"),
        status=MN,
        levels={"l1": MN, "l2": MN},
        decided_by=(_SURG,),
    ),
    Case(
        name="Associated surgical procedure interpretation: prophylactic kyphoplasty (a variant "
        "of vertebroplasty) qualifies.",
        facts=_fusion("t10", procedure="kyphoplasty"),
        status=MN,
        decided_by=(_SURG,),
    ),
    Case(
        name="Associated surgical procedure at three levels exceeds 2 levels: not medically "
        "necessary.",
        facts=_fusion("l1", "l2", "l3"),
        status=NMN,
        decided_by=(_DEFAULT,),
    ),
    Case(
        name="Associated surgical procedure at L5 and S1: L5 qualifies, S1 is sacroplasty.",
        facts=_fusion("l5", "s1"),
        status=NMN,
        levels={"l5": MN, "s1": NMN},
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="Stabilization interpretation: a fusion adjunct is not blocked by the required "
        "stabilization, which is the fusion itself.",
        facts=_fusion("l1", "l2") + "condition(stabilization_required).",
        status=MN,
        decided_by=(_SURG,),
    ),
    Case(
        name="Stabilization interpretation: an unstable fracture at a fusion-adjunct level is "
        "still a contraindication.",
        facts=_fusion("l1", "l2") + "finding(l1, unstable).",
        status=NMN,
        levels={"l1": NMN, "l2": NMN},
        decided_by=("CMM-607.3.contraindications.unstable",),
    ),
    Case(
        name="Stabilization interpretation: spinal instability treated by the fusion does not "
        "block the fusion adjunct.",
        facts=_fusion("l3", "l4") + "condition(spinal_instability).",
        status=MN,
        decided_by=(_SURG,),
    ),
    Case(
        name="Prophylactic treatment for osteoporosis of the spine: not medically necessary.",
        facts="procedure(vertebroplasty). purpose(prophylaxis). target(t12). target(l1).",
        status=NMN,
        decided_by=("CMM-607.3.primary.prophylaxis",),
    ),
    # --- CMM-607.3.sacroplasty -------------------------------------------------------------
    Case(
        name="Sacroplasty for a sacral insufficiency fracture: not medically necessary.",
        facts="procedure(sacroplasty). target(s1). fracture(s1, osteoporotic). "
        "onset_days(s1, 30). imaging(s1, mri_edema). pain_concordant(s1). "
        "functional_impairment. ambulation_prevented. osteoporosis_program.",
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="A request stated only as CPT 0201T (bilateral sacroplasty): not medically necessary.",
        facts='cpt("0201T"). target(s2).',
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="Coccygeoplasty is addressed and not medically necessary.",
        facts="procedure(coccygeoplasty). target(coccyx). fracture(coccyx, osteoporotic).",
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="A request stated only as CPT 22514 (lumbar kyphoplasty) is evaluated as kyphoplasty.",
        facts=_acute(level="l3").replace("procedure(kyphoplasty). ", 'cpt("22514"). '),
        status=MN,
        decided_by=(_NM,),
    ),
    # --- CMM-607.3.alternative: alternative causes of axial back pain ---------------------
    Case(
        name="Lumbar/thoracic radiculopathy is an alternative cause of axial pain.",
        facts=_acute() + "condition(radiculopathy).",
        status=NMN,
        decided_by=("CMM-607.3.alternative.radiculopathy_facet",),
    ),
    Case(
        name="Facet disease is an alternative cause of axial pain.",
        facts=_acute() + "condition(facet_disease).",
        status=NMN,
        decided_by=("CMM-607.3.alternative.radiculopathy_facet",),
    ),
    Case(
        name="Trigger points are an alternative cause of axial pain.",
        facts=_acute() + "condition(trigger_points).",
        status=NMN,
        decided_by=("CMM-607.3.alternative.trigger_points",),
    ),
    Case(
        name="A sacral insufficiency fracture beside an L1 VCF is an alternative cause of axial "
        "pain.",
        facts=_acute() + "fracture(s2, osteoporotic).",
        status=NMN,
        decided_by=("CMM-607.3.alternative.sacrum_coccyx",),
    ),
    Case(
        name="A sacral metastatic lesion beside a T8 metastasis is an alternative cause (lesions "
        "of the sacrum).",
        facts=_malignant() + "lesion(s1, osteolytic_metastasis).",
        status=NMN,
        decided_by=("CMM-607.3.alternative.sacrum_coccyx",),
    ),
    Case(
        name="Sacrum interpretation: a traumatic sacral fracture is not an insufficiency "
        "fracture or lesion.",
        facts=_acute() + "fracture(s2, traumatic).",
        status=MN,
        decided_by=(_NM,),
    ),
    # --- CMM-607.3.primary: devices and cements ----------------------------------------------
    Case(
        name="Spinoplasty with a mesh pouch (OptiMesh): not medically necessary.",
        facts=_acute() + "device(mesh_pouch).",
        status=NMN,
        decided_by=("CMM-607.3.primary.spinoplasty",),
    ),
    Case(
        name="Norian cement is not FDA-approved for vertebral augmentation: not medically "
        "necessary.",
        facts=_acute() + "cement(norian).",
        status=NMN,
        decided_by=("CMM-607.3.primary.non_fda",),
    ),
    Case(
        name="Radiofrequency kyphoplasty (StabiliT): not medically necessary.",
        facts=_acute() + "device(radiofrequency).",
        status=NMN,
        decided_by=("CMM-607.3.primary.radiofrequency",),
    ),
    Case(
        name="Vertebral body stenting: not medically necessary.",
        facts=_acute() + "device(stent).",
        status=NMN,
        decided_by=("CMM-607.3.primary.stenting",),
    ),
    Case(
        name="Kiva is a kyphoplasty technique and is not excluded.",
        facts=_acute() + "device(kiva). cement(pmma).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="SpineJack is a kyphoplasty technique and is not excluded.",
        facts=_acute() + "device(spinejack).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Balloon kyphoplasty with Cortoss cement is not excluded.",
        facts=_acute() + "device(balloon). cement(cortoss).",
        status=MN,
        decided_by=(_NM,),
    ),
    # --- CMM-607.3.contraindications ----------------------------------------------------------
    *[
        Case(
            name=f"Contraindication: {what}: not medically necessary.",
            facts=_acute() + fact,
            status=NMN,
            decided_by=(f"CMM-607.3.contraindications.{cid}",),
        )
        for what, fact, cid in (
            ("allergy to bone cement", "condition(cement_allergy).", "allergy"),
            (
                "allergy interpretation: contrast (opacification agent) allergy is an allergy "
                "to materials used",
                "condition(contrast_allergy).",
                "allergy",
            ),
            ("uncorrected coagulopathy", "condition(coagulopathy).", "coagulation"),
            ("anticoagulation therapy", "condition(anticoagulation).", "coagulation"),
            ("myelopathy", "condition(myelopathy).", "myelopathy"),
            (
                "extensive vertebral destruction at L1",
                "finding(l1, extensive_destruction).",
                "extensive_destruction",
            ),
            ("burst fracture with widened pedicles at L1", "finding(l1, burst).", "burst"),
            ("retropulsed bone fragments at L1", "finding(l1, retropulsion).", "burst"),
            ("cord compression at L1", "finding(l1, cord_compression).", "cord_compression"),
            (
                "collapse below vertebra plana at L1",
                "finding(l1, vertebra_plana).",
                "vertebra_plana",
            ),
            (
                "radiculopathy from a herniated disc",
                "condition(disc_herniation_radiculopathy).",
                "disc_herniation",
            ),
            ("untreated symptomatic stenosis", "condition(untreated_stenosis).", "pain_generators"),
            ("facet arthropathy", "condition(facet_arthropathy).", "pain_generators"),
            (
                "another significant pain generator",
                "condition(other_pain_generator).",
                "pain_generators",
            ),
            ("unstable fracture at the treated level", "finding(l1, unstable).", "unstable"),
            (
                "unstable fracture at T11, in the thoracic region adjacent to L1",
                "finding(t11, unstable).",
                "unstable",
            ),
            (
                "unstable fracture at L3, in the same region as L1",
                "finding(l3, unstable).",
                "unstable",
            ),
            ("stabilization procedure required", "condition(stabilization_required).", "unstable"),
            (
                "instability interpretation: spinal instability is read as an unstable segment",
                "condition(spinal_instability).",
                "unstable",
            ),
            ("septicemia", "condition(septicemia).", "infection"),
            ("active systemic infection", "condition(systemic_infection).", "infection"),
            ("surgical site infection", "condition(surgical_site_infection).", "infection"),
            ("urinary tract infection", "condition(uti).", "infection"),
            ("discitis (an active infection)", "condition(discitis).", "infection"),
            (
                "osteomyelitis at another level (an active infection)",
                "finding(l3, osteomyelitis).",
                "infection",
            ),
            (
                "active osteomyelitis of the target vertebra",
                "finding(l1, osteomyelitis).",
                "osteomyelitis",
            ),
            (
                "severe cardiopulmonary disease",
                "condition(severe_cardiopulmonary_disease).",
                "cardiopulmonary",
            ),
        )
    ],
    Case(
        name="Unstable interpretation: an unstable fracture at C5 is not in the same or an "
        "adjacent region to L1.",
        facts=_acute() + "finding(c5, unstable).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Facet arthropathy is both facet disease (an alternative cause) and a coexistent "
        "pain generator.",
        facts=_acute() + "condition(facet_arthropathy).",
        status=NMN,
        decided_by=(
            "CMM-607.3.alternative.radiculopathy_facet",
            "CMM-607.3.contraindications.pain_generators",
        ),
    ),
    Case(
        name="Radiculopathy from a herniated disc is both a lumbar/thoracic radiculopathy and a "
        "listed contraindication.",
        facts=_acute() + "condition(disc_herniation_radiculopathy).",
        status=NMN,
        decided_by=(
            "CMM-607.3.alternative.radiculopathy_facet",
            "CMM-607.3.contraindications.disc_herniation",
        ),
    ),
    Case(
        name="Cement interpretation: a cement of type other is not taken as unapproved.",
        facts=_acute() + "cement(other).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="A fusion adjunct at T4 and T5: T4 is excluded (thoracic levels T1-T4).",
        facts=_fusion("t4", "t5"),
        status=NMN,
        levels={"t4": NMN, "t5": MN},
        decided_by=("CMM-607.3.primary.cervical_t1_t4",),
    ),
    Case(
        name="Contraindication interpretation: pregnancy is not listed by this policy.",
        facts=_acute() + "condition(pregnancy).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Contraindication interpretation: neurologic deficit is not listed by this policy.",
        facts=_acute() + "condition(neurologic_deficit).",
        status=MN,
        decided_by=(_NM,),
    ),
    # --- Product lines -------------------------------------------------------------------------
    Case(
        name="Product interpretation: a Medicare member is evaluated on the same criteria.",
        facts=_acute() + "plan(medicare).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Product interpretation: a commercial HMO member is evaluated on the same criteria.",
        facts=_acute() + "plan(commercial_hmo).",
        status=MN,
        decided_by=(_NM,),
    ),
    # --- Effective period -----------------------------------------------------------------------
    Case(
        name="A service on 2025-06-30, the day before July 1, 2025, is not in effect.",
        facts=_acute() + "service_date(20250630).",
        status="not_in_effect",
    ),
    Case(
        name="A service on 2025-07-01, the effective date, is in effect.",
        facts=_acute() + "service_date(20250701).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Effective interpretation: open-ended, a service on 2030-12-31 is in effect.",
        facts=_acute() + "service_date(20301231).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="A sacroplasty before the effective date is not in effect rather than not medically "
        "necessary.",
        facts="procedure(sacroplasty). target(s1). service_date(20250630).",
        status="not_in_effect",
    ),
    # --- Issue 14: readings made explicit --------------------------------------------------
    Case(
        name="Issue 14 reproduction: a sacral insufficiency fracture at S2 is an alternative "
        "cause of L5's axial pain also when S2 is treated in the same request.",
        facts=_acute(level="l5") + "target(s2). fracture(s2, osteoporotic).",
        status=NMN,
        levels={"l5": NMN, "s2": NMN},
        decided_by=("CMM-607.3.alternative.sacrum_coccyx", "CMM-607.3.sacroplasty"),
    ),
    Case(
        name="A kyphoplasty of the coccyx is coccygeoplasty (shared reading): not medically "
        "necessary.",
        facts=_acute(level="coccyx"),
        status=NMN,
        decided_by=("CMM-607.3.sacroplasty",),
    ),
    Case(
        name="A non-painful, non-aggressive hemangioma coexisting at a level treated for an "
        "osteoporotic fracture: the augmentation is not for the hemangioma, medically necessary.",
        facts=_acute(level="t10") + "lesion(t10, hemangioma). -lesion_trait(t10, painful). "
        "-lesion_trait(t10, aggressive).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="A compression fracture caused by an eosinophilic granuloma is an osteolytic "
        "vertebral compression fracture: no aggressive trait needed, medically necessary.",
        facts=_acute(level="t10", cause="eosinophilic_granuloma"),
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Significant daily pain is functional impairment: mild pain with functional "
        "impairment meets it (pain severity is never read).",
        facts=_acute() + "pain_severity(mild).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="Cord compression at an untreated level is no contraindication to augmenting L1.",
        facts=_acute() + "finding(t4, cord_compression).",
        status=MN,
        decided_by=(_NM,),
    ),
    Case(
        name="An incapacitated (urgent) patient with an osteoporotic VCF still needs the "
        "osteoporosis program: without it, not medically necessary.",
        facts=_acute(onset=60)
        .replace("ambulation_prevented. ", "")
        .replace("osteoporosis_program. ", "-osteoporosis_program. ")
        + "incapacitated. therapy(none, 0).",
        status=NMN,
        closed_world=True,
    ),
]
