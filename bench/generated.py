"""Generated inputs for the batch and search benchmarks: cases, and a
knowledge base of many policies (renamed copies of the five)."""

from __future__ import annotations

import os
import random
import re
import shutil

from engine.knowledge_base import SHARED, KnowledgeBase
from engine.vocabulary import LEVELS

DAYS = [1, 20, 27, 28, 29, 41, 42, 43, 60, 83, 84, 85, 181, 182, 183, 400]
CAUSES = ["osteoporotic", "traumatic", "multiple_myeloma", "hemangioma", "osteolytic_metastasis"]
FLAGS = [
    "therapy_failed",
    "hospitalized_for_pain",
    "functional_impairment",
    "ambulation_prevented",
    "osteoporosis_program",
    "transfers_prevented",
]


def case_text(rng: random.Random) -> str:
    """A realistic request: one to three levels, part of the documentation stated."""
    lines = [f"procedure({rng.choice(['vertebroplasty', 'kyphoplasty', 'sacroplasty'])})."]
    lines.append(f"service_date({rng.choice([20250801, 20251015, 20251201])}).")
    if rng.random() < 0.7:
        lines.append(f"pain_score({rng.randint(0, 10)}).")
    for level in rng.sample(["t6", "t8", "t12", "l1", "l2", "l4", "s1"], rng.randint(1, 3)):
        lines += [f"target({level}).", f"fracture({level}, {rng.choice(CAUSES)})."]
        if rng.random() < 0.8:
            lines.append(f"onset_days({level}, {rng.choice(DAYS)}).")
        if rng.random() < 0.8:
            lines.append(f"imaging({level}, {rng.choice(['mri_edema', 'xray', 'bone_scan'])}).")
        if rng.random() < 0.6:
            lines.append(f"pain_concordant({level}).")
    if rng.random() < 0.7:
        for kind in rng.sample(["nsaids", "physical_therapy", "opioids", "rest"], 2):
            lines.append(f"therapy({kind}, {rng.choice(DAYS)}).")
    for flag in FLAGS:
        chance = rng.random()
        if chance < 0.4:
            lines.append(f"{flag}.")
        elif chance < 0.7:
            lines.append(f"-{flag}.")
    return "\n".join(lines) + "\n"


def cases(count: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return [case_text(rng) for _ in range(count)]


def undocumented(levels: int) -> str:
    """The picture only (osteoporotic fractures) at `levels` levels, the
    nearest to L1 first (one level: L1, as examples/undocumented_osteoporotic_l1.lp)."""
    order = sorted(LEVELS.members, key=lambda name: abs(LEVELS.members.index(name) - 19))
    lines = ["procedure(vertebroplasty)."]
    for level in order[:levels]:
        lines += [f"target({level}).", f"fracture({level}, osteoporotic)."]
    return "\n".join(lines) + "\n"


def many_policies(directory: str, count: int) -> KnowledgeBase:
    """A knowledge base of `count` policies: the five and renamed copies of them."""
    source = KnowledgeBase()
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    for name in SHARED:
        if os.path.exists(source.path(name)):
            shutil.copy(source.path(name), os.path.join(directory, name))
    originals = source.policy_ids()
    for number in range(count):
        policy = originals[number % len(originals)]
        copy = policy if number < len(originals) else f"{policy}_{number // len(originals)}"
        with open(source.path(f"{policy}.lp"), encoding="utf-8") as handle:
            text = re.sub(rf"\b{policy}\b", copy, handle.read())
        with open(os.path.join(directory, f"{copy}.lp"), "w", encoding="utf-8") as handle:
            handle.write(text)
    return KnowledgeBase(directory)
