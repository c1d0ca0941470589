"""Clinic glossaries made up for testing: several vocabularies, each grown to any number of terms.

The project's own test glossary (``tests/data/clinic-glossary-300.txt``) is what the prompt budget
was measured on; a guard tuned on it could pass it and fail the next clinic's list. These
vocabularies (written for this file, from no clinic's material) give glossaries the pipeline was
not tuned on: a clinic's terms are its drugs, procedures and conditions, alone and combined with
the words clinics put around them ("lumbar", "chronic", "injection"), so each glossary is its
vocabulary's plain terms, then made-up combinations, shuffled with a fixed seed.

Usage::

    python -m benchmarks.glossaries anaesthesia 300 > glossary.txt
"""

from __future__ import annotations

import random
import sys

VOCABULARIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # (terms, modifiers, heads): a term alone, or "modifier head"
    "anaesthesia": (
        (
            "esketamine",
            "dexmedetomidine",
            "lidocaine patch",
            "bupivacaine",
            "ropivacaine",
            "gabapentin",
            "pregabalin",
            "duloxetine",
            "amitriptyline",
            "nortriptyline",
            "tapentadol",
            "buprenorphine",
            "methadone",
            "naloxone",
            "ondansetron",
            "midazolam",
            "propofol",
            "capsaicin",
            "botulinum toxin",
            "clonidine",
            "memantine",
            "magnesium sulfate",
            "dissociation",
            "hyperalgesia",
            "central sensitization",
            "nociception",
            "paresthesia",
            "dysesthesia",
            "causalgia",
            "phantom limb pain",
            "erythromelalgia",
            "vulvodynia",
            "interstitial cystitis",
            "endometriosis",
            "arachnoiditis",
            "spondylolisthesis",
            "stellate ganglion block",
            "intrathecal pump",
            "dorsal root ganglion",
            "sacroiliac joint",
        ),
        ("lumbar", "cervical", "thoracic", "chronic", "refractory", "neuropathic", "postop", "regional"),
        ("radiculopathy", "neuralgia", "infusion", "nerve block", "ablation", "stimulation", "pain syndrome"),
    ),
    "dermatology": (
        (
            "isotretinoin",
            "tretinoin",
            "adapalene",
            "spironolactone",
            "doxycycline",
            "minocycline",
            "hydroquinone",
            "tranexamic acid",
            "azelaic acid",
            "niacinamide",
            "hyaluronic acid",
            "polymethylmethacrylate",
            "poly-L-lactic acid",
            "calcium hydroxylapatite",
            "dupilumab",
            "methotrexate",
            "cyclosporine",
            "tacrolimus",
            "pimecrolimus",
            "ruxolitinib",
            "rosacea",
            "melasma",
            "hidradenitis suppurativa",
            "seborrheic keratosis",
            "actinic keratosis",
            "basal cell carcinoma",
            "squamous cell carcinoma",
            "melanoma",
            "dermatoscopy",
            "Mohs surgery",
            "cryotherapy",
            "microneedling",
            "photodynamic therapy",
            "telangiectasia",
            "poikiloderma",
            "lichen planus",
            "vitiligo",
            "alopecia areata",
            "keloid",
            "onychomycosis",
        ),
        ("fractional", "ablative", "topical", "intralesional", "pigmented", "cystic", "nodular", "facial"),
        ("laser resurfacing", "chemical peel", "dermal filler", "acne", "eczema", "psoriasis", "lesion"),
    ),
    "dental": (
        (
            "periodontitis",
            "gingivitis",
            "pericoronitis",
            "bruxism",
            "temporomandibular joint",
            "malocclusion",
            "apicoectomy",
            "pulpotomy",
            "pulpectomy",
            "endodontics",
            "orthodontics",
            "prosthodontics",
            "alveolar osteitis",
            "osseointegration",
            "zirconia",
            "lithium disilicate",
            "glass ionomer",
            "fluorosis",
            "xerostomia",
            "chlorhexidine",
            "articaine",
            "mepivacaine",
            "amoxicillin",
            "metronidazole",
            "hypoplasia",
            "odontogenic keratocyst",
            "ameloblastoma",
            "sinus lift",
            "bone graft",
            "ridge augmentation",
            "Invisalign",
            "cephalometric",
            "cone beam tomography",
            "sialolith",
            "frenectomy",
            "gingivectomy",
            "scaling",
            "root planing",
            "veneer",
            "onlay",
        ),
        ("maxillary", "mandibular", "impacted", "subgingival", "posterior", "anterior", "ceramic", "partial"),
        ("molar", "implant", "crown", "bridge", "extraction", "abscess", "denture"),
    ),
    "cardiology": (
        (
            "atrial fibrillation",
            "atrial flutter",
            "supraventricular tachycardia",
            "bradycardia",
            "cardiomyopathy",
            "myocarditis",
            "pericarditis",
            "endocarditis",
            "aortic stenosis",
            "mitral regurgitation",
            "tricuspid",
            "echocardiogram",
            "electrocardiogram",
            "Holter monitor",
            "troponin",
            "apixaban",
            "rivaroxaban",
            "dabigatran",
            "warfarin",
            "clopidogrel",
            "ticagrelor",
            "atorvastatin",
            "rosuvastatin",
            "ezetimibe",
            "evolocumab",
            "metoprolol",
            "bisoprolol",
            "carvedilol",
            "amiodarone",
            "sacubitril",
            "valsartan",
            "spironolactone",
            "furosemide",
            "dapagliflozin",
            "empagliflozin",
            "angioplasty",
            "catheterization",
            "cardioversion",
            "ablation",
            "defibrillator",
        ),
        ("coronary", "ventricular", "pulmonary", "congestive", "ischemic", "diastolic", "valvular"),
        ("heart failure", "artery disease", "hypertension", "stent", "bypass", "arrhythmia", "murmur"),
    ),
    "physiotherapy": (
        (
            "plantar fasciitis",
            "Achilles tendinopathy",
            "patellofemoral pain",
            "iliotibial band",
            "rotator cuff",
            "adhesive capsulitis",
            "lateral epicondylitis",
            "de Quervain tenosynovitis",
            "carpal tunnel syndrome",
            "spondylosis",
            "kyphosis",
            "scoliosis",
            "sacroiliitis",
            "proprioception",
            "eccentric loading",
            "isometric",
            "plyometrics",
            "dry needling",
            "shockwave therapy",
            "kinesiology tape",
            "hydrotherapy",
            "vestibular rehabilitation",
            "benign paroxysmal positional vertigo",
            "whiplash",
            "osteoarthritis",
            "chondromalacia",
            "meniscus",
            "anterior cruciate ligament",
            "labrum",
            "bursitis",
            "trochanteric",
            "piriformis",
            "hamstring",
            "quadriceps",
            "gluteus medius",
            "thoracolumbar fascia",
            "McKenzie method",
            "Pilates",
            "hypermobility",
            "Ehlers-Danlos syndrome",
        ),
        ("lumbar", "cervical", "shoulder", "knee", "ankle", "hip", "postural", "sports"),
        ("strain", "sprain", "rehabilitation", "mobilisation", "manipulation", "impingement"),
    ),
}


# What clinics put after a term: "esketamine consultation", "molar extraction follow-up".
VISITS = ("consultation", "follow-up", "assessment", "referral", "protocol", "side effects")


def glossary(name: str, size: int, seed: int = 0) -> tuple[str, ...]:
    """``size`` terms of the vocabulary ``name``: its own terms and made-up combinations, shuffled."""
    terms, modifiers, heads = VOCABULARIES[name]
    pairs = [f"{m} {h}" for m in modifiers for h in heads]
    pairs += [f"{t} {v}" for t in (*terms, *heads) for v in VISITS]
    rng = random.Random(f"{name}-{seed}")
    rng.shuffle(pairs)
    chosen = list(dict.fromkeys([*terms, *pairs]))[:size]
    rng.shuffle(chosen)
    return tuple(chosen)


def main() -> None:
    name, size = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print("\n".join(glossary(name, size)))


if __name__ == "__main__":
    main()
