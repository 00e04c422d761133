"""The numbers of the prestación search: score tiers, penalties, memo sizes (see `search_index`).

Every posting points at one of the few base floats of `REAL_SCORES`, `VIRTUAL_SCORES` and
`PART_SCORES`, so a word's hit map can be built from score groups with C-level dict updates.
"""

from __future__ import annotations

REAL, VIRTUAL, PART = 100.0, 90.0, 85.0  # real word, synonym, one word of a longer synonym
WHOLE_REAL = 5.0  # typed word == a real word of the name: above any length/minor-variant gap
WHOLE_VIRTUAL = 14.0  # typed word == a synonym form: just below a real whole word
FUZZY_DROP, FUZZY_PER_EDIT = 20.0, 5.0  # a typo ranks below any prefix/synonym hit
POS_STEP, POS_CAP = 0.1, 8
LEN_STEP, LEN_CAP = 0.25, 10
FUZZY_MIN_LEN = 4
NAMES_VARIANT_MIN = 4  # a typed word this long (or the whole word) names a variant
PARTIAL_FIRST_WORD = 10.0  # partial matches: lacking the first typed word costs this more…
PARTIAL_PER_CHAR, PARTIAL_WORD_CAP = 1.0, 15.0  # …and any lacking word 1 per letter, up to 15
PARTIAL_MAX_WORDS = 8  # beyond this many typed words, partial matching drops words greedily
LEARN_MAX, LEARN_HALF = 60.0, 4.0  # boost = MAX·w/(w+HALF): 1 pick ≈ 12, 10 picks ≈ 43
LEARN_CANDIDATES = 24
LIFT_RESCORE = 400  # up to this many entries carrying a named variant are re-scored one by one
CODE_SCORE = 1000.0
MEMO_WORDS = 256  # resolved typed words kept between keystrokes
MEMO_HITS = 400_000  # and at most this many entries in their hit maps (~20 MB)
MEMO_LIFTS = 64  # variant lifts (the entries they weigh on, and how much) kept between keys
MEMO_SHOWN = 256  # names split into words, kept for highlighting the next keystrokes (few:
# ~30 objects each, young for the collector; 2 048 of them made a 20-80 ms collection)
MEMO_FOUND = 4096  # (entry, typed word) → its highlighted spans, kept for the next keystrokes
LOOKUP_RATIO = 8  # build a word's full hit map only if it is within this factor of the driver's
DENSE_SHARE = 4  # a typed word reaching more postings than entries/4 is scored from an array
DENSE_MIN = 1500
DENSE_RATIO = 16  # …built only for at least 1/16 as many candidates (else scored one by one)
DENSE_KEEP = 64  # such arrays kept between keystrokes (8 bytes per entry each), LRU
WALK_MIN = 1500  # a query whose rarest word has this many postings is walked best first…
WALK_CAP = 600  # …looking at up to this many entries before scoring every candidate instead
RANKED_WALK_CAP = 3000  # (or this many when its entries are already sorted)
VECTOR_MIN = 300  # a query whose rarest word has this many postings is ranked by arrays…
MEMO_VECTORS = 32  # …keeping this many typed words' arrays (8 bytes per entry each), LRU
MEMO_LIFT_VECTORS = 16  # and this many variant lifts' arrays
LIFT_VECTOR = 400  # a one-word query whose variants weigh on more entries: by arrays too
TOP = "\U0010ffff"  # sorts after any word: [bisect(w), bisect(w + TOP)) are the words starting w

# Base score of a word by its position.
REAL_SCORES = tuple(REAL - POS_STEP * pos for pos in range(POS_CAP + 1))
VIRTUAL_SCORES = tuple(VIRTUAL - POS_STEP * pos for pos in range(POS_CAP + 1))
PART_SCORES = tuple(PART - POS_STEP * pos for pos in range(POS_CAP + 1))
REAL_MIN = REAL_SCORES[-1]


def whole_bonus(score: float) -> float:
    """What typing a word whole adds to a posting of `score` (a real word or a synonym)."""
    return WHOLE_REAL if score >= REAL_MIN else WHOLE_VIRTUAL


def fuzzy_worthy(text: str) -> bool:
    """A typed word long enough (and alphabetic) to be looked for as a typo."""
    return len(text) >= FUZZY_MIN_LEN and text.isalpha()
