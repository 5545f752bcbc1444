"""Undo Whisper's repetition loops ("Welcome to the directory. Welcome to the directory. ...").

Whisper decoding a short window sometimes repeats its (usually right) text until the token cap.
A word or two said three or more times in a row, or a phrase of three or more words said twice,
is kept once; so is a phrase followed by a cut-off copy of itself that runs to the end of the
text (the token cap stopped the loop, maybe mid-word), and such a run's leftover tail is
dropped. "yeah yeah" is ordinary speech and stays; a self-repair like "I want to, I want to
book" loses its echo.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\S+")
_MIN_RUN = 3
_MAX_UNIT = 40  # longest phrase looked for (Whisper loops on a sentence at most)
_PHRASE = 3  # a phrase of this many words said twice verbatim is a loop too


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def _is_cut_copy(rest: list[str], unit: list[str]) -> bool:
    """`rest` (the end of the text) is `unit` cut off by the token cap, possibly mid-word."""
    if not _PHRASE <= len(rest) <= len(unit) or not rest[-1]:
        return False
    last = len(rest) - 1
    return rest[:last] == unit[:last] and unit[last].startswith(rest[last])


def collapse_repeats(text: str, *, min_run: int = _MIN_RUN) -> str:
    words = _WORD.findall(text)
    keys = [_key(w) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        best = None  # (unit length, repeats)
        for n in range(1, min(_MAX_UNIT, len(words) - i) + 1):
            unit = keys[i : i + n]
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == unit:
                reps += 1
            if reps >= (2 if n >= _PHRASE else min_run):
                best = (n, reps)
                break  # the shortest repeating unit wins
            if n >= _PHRASE + 1 and _is_cut_copy(keys[i + n :], unit):
                best = (n, 1)
                break
        if best is None:
            out.append(words[i])
            i += 1
            continue
        n, reps = best
        out.extend(words[i : i + n])
        i += n * reps
        tail, unit = keys[i:], keys[i - n : i]
        if tail and (_is_cut_copy(tail, unit) or (len(tail) < n and set(tail) <= set(unit))):
            break  # the loop was cut off by the token cap mid-phrase
    return " ".join(out)


__all__ = ["collapse_repeats"]
