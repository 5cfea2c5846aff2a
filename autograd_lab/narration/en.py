"""The English catalogue: every sentence a student reads, by message id (see narration/__init__)."""
from __future__ import annotations


def join(items: list) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


MESSAGES: dict = {
    # -- player: controls, labels, notices ------------------------------------------------

    # -- step narration -------------------------------------------------------------------

    # -- lessons: Predict, exercises, the parity cell -------------------------------------

    # -- playground -----------------------------------------------------------------------
}
