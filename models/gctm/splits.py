"""The named data splits of every model: training, validation (recipes are chosen on it) and test
(reported at release only). The lists live here, once; DATA.md describes them and the configs name
the training globs. A file is in at most one split (`check_disjoint`)."""
import json
import os

# Photos (Debian wallpaper packages). Validation: the photos earlier recipes were tuned on.
PHOTOS_TRAIN = [
    "/usr/share/backgrounds/mate/nature/[ABDFGRSTWY]*.jpg",
    "/usr/share/wallpapers/Autumn/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg",
    "/usr/share/wallpapers/Path/contents/images/2560x1600.jpg",
    # lomiri-wallpapers-16.04 / -20.04 and ukui-wallpapers (photos only; the test five are below)
    "/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg",
    "/usr/share/backgrounds/Infinite-Sea_by_Aury88.jpg",
    "/usr/share/backgrounds/Painting-Colors_by__herobrine7gamer.jpg",
    "/usr/share/backgrounds/Picture_0B_by_freespace.jpg",
    "/usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/free_by_Peter_Nerlich.jpg",
    "/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg",
    "/usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg",
    "/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/umang_by_Abhishek_Mudgal.jpg",
]
PHOTOS_VALIDATION = [
    "/usr/share/backgrounds/mate/nature/LadyBird.jpg",
    "/usr/share/wallpapers/Grey/contents/images/2560x1600.jpg",
]
# Never looked at while choosing a recipe: reported at release only.
PHOTOS_TEST = [
    "/usr/share/backgrounds/Dragonfly_by_Bolly.jpg",
    "/usr/share/backgrounds/Fossa_by_Jasper_Roks.jpg",
    "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
    "/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg",
    "/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg",
]

# Flat illustrations (Debian openclipart-png, CC0): food/ is held out (validation + test).
CLIPART_TRAIN = [f"/usr/share/openclipart/png/{d}/**/*.png" for d in (
    "animals", "buildings", "computer", "office", "people", "plants", "recreation", "signs_and_symbols",
    "tools", "transportation")]
CLIPART_HELDOUT = ["/usr/share/openclipart/png/food/**/*.png"]

# OpenMoji (npm openmoji 17, CC-BY-SA-4.0): whole groups held out. Flags are left out entirely (their
# black files are often only the frame, not the drawing's lines).
OPENMOJI_HELDOUT = {"groups": ["food-drink"], "subgroups": ["hand-fingers-closed"]}
OPENMOJI_EXCLUDED_GROUPS = ["flags", "component"]


def openmoji_split(pkg: str) -> dict:
    """{"train": [...], "heldout": [...]} entries of openmoji.json (sorted by hexcode)."""
    with open(os.path.join(pkg, "data", "openmoji.json")) as f:
        entries = sorted(json.load(f), key=lambda e: e["hexcode"])
    out = {"train": [], "heldout": []}
    for e in entries:
        if e["group"] in OPENMOJI_EXCLUDED_GROUPS:
            continue
        if not (os.path.exists(os.path.join(pkg, "color", "svg", e["hexcode"] + ".svg"))
                and os.path.exists(os.path.join(pkg, "black", "svg", e["hexcode"] + ".svg"))):
            continue
        held = e["group"] in OPENMOJI_HELDOUT["groups"] or e["subgroups"] in OPENMOJI_HELDOUT["subgroups"]
        out["heldout" if held else "train"].append(e)
    return out
