"""The lessons' Predict questions, kept out of the notebooks: a Predict cell names its question
(``Predict("05.twice", trace=t)``) and the answer, the choices, the tempting wrong answers, the
hint and the explanation live here and in the narration catalogues (``predict.<id>.*``, en and
zh key for key), so a student cannot read the answer in the cell above the question.

``QUESTIONS`` holds what needs no words: the answer (a number, True/False, or the key of the
right choice), the keys of the choices, the wrong answers that get a sentence of their own, and
the player's frames (``reveal`` and ``before``, as ``Predict`` takes them). ``texts(qid, lang)``
gives everything ``Predict`` needs in that language; ``answer_sheet(lang)`` writes the teachers'
answer sheet (``solutions/predict_answers.md``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..narration import catalogue, say

__all__ = ["QUESTIONS", "Question", "texts", "answer_sheet"]


@dataclass(frozen=True)
class Question:
    """``answer``: a number, True/False, or the key of the right choice (``choices``: keys; the
    texts are ``predict.<id>.choice.<key>``). ``wrong``: answers with a sentence of their own
    (``predict.<id>.wrong.<key>``): a choice key, or a number as typed."""
    answer: object
    choices: tuple = ()
    wrong: tuple = ()
    reveal: int | tuple | None = None
    before: int | tuple | None = None
    lesson: str = ""  # the notebook that asks it (for the answer sheet)


QUESTIONS: dict[str, Question] = {
    "01.x_grad": Question("none", ("none", "two", "three"), ("two",), reveal=("done",), before=("backward",),
                          lesson="01_requires_grad"),
    "03.y_is_leaf": Question("false", ("true", "false"), reveal=("op", "y"), lesson="03_leaf_tensors"),
    "04.first_node": Question("add", ("mul", "add", "acc"), ("mul",), reveal=("node", "AddBackward0"),
                              lesson="04_grad_fn"),
    "05.next_node": Question("acc_b", ("mul", "acc_b", "acc_w"), ("acc_w",), reveal=("accumulate", "b"),
                             lesson="05_next_functions_and_accumulation"),
    "05.mul_sends": Question(3, wrong=("1", "2", "6"), reveal=("node", "MulBackward0"),
                             lesson="05_next_functions_and_accumulation"),
    "05.twice": Question(6, wrong=("3", "9"), reveal=("accumulate", "w", 2),
                         lesson="05_next_functions_and_accumulation"),
    "06.second_backward": Question(True, ("yes", "no"), reveal=("error",), before=("backward", 2),
                                   lesson="06_retain_graph"),
    "07.hook": Question(6, wrong=("3", "2"), reveal=("accumulate", "w"), before=("backward",),
                        lesson="07_non_leaf_gradients"),
    "09.inplace": Question("version", ("none", "version", "freed"), ("none", "freed"), reveal=("error",),
                           before=("backward",), lesson="09_when_autograd_complains"),
    "ex01.how_many": Question(2, wrong=("5", "3", "4"), reveal=("done",), before=("backward",),
                              lesson="exercises/01_leaves_and_accumulation"),
}


def _question(qid: str) -> Question:
    try:
        return QUESTIONS[qid]
    except KeyError:
        raise KeyError(say("lessons.predict.unknown_question", qid=qid, known=", ".join(QUESTIONS))) from None


def texts(qid: str, lang: str | None = None) -> dict:
    """What ``Predict`` needs for question ``qid`` in ``lang``: question, answer, choices, explain,
    hint, wrong (a dict: the wrong answer as the student gives it -> its sentence), reveal, before."""
    q = _question(qid)
    key = f"predict.{qid}"
    choices = [say(f"{key}.choice.{c}", lang) for c in q.choices]
    answer = say(f"{key}.choice.{q.answer}", lang) if isinstance(q.answer, str) else q.answer
    wrong = {(say(f"{key}.choice.{w}", lang) if w in q.choices else w): say(f"{key}.wrong.{w}", lang)
             for w in q.wrong}
    return {"question": say(f"{key}.question", lang), "answer": answer, "choices": choices or None,
            "explain": say(f"{key}.explain", lang), "hint": say(f"{key}.hint", lang), "wrong": wrong,
            "reveal": q.reveal, "before": q.before}


def keys() -> list[str]:
    """Every catalogue key the questions use (each must be in every catalogue)."""
    out = []
    for qid, q in QUESTIONS.items():
        key = f"predict.{qid}"
        out += [f"{key}.question", f"{key}.explain", f"{key}.hint"]
        out += [f"{key}.choice.{c}" for c in q.choices] + [f"{key}.wrong.{w}" for w in q.wrong]
    return out


def answer_sheet(lang: str | None = None) -> str:
    """The teachers' answer sheet in ``lang``: each question, its answer, hint and explanation (markdown)."""
    words = catalogue(lang).MESSAGES
    lines = [f"# {words['predict.sheet.title']}", "", words["predict.sheet.intro"], ""]
    for qid, q in QUESTIONS.items():
        t = texts(qid, lang)
        answer = t["answer"]
        if isinstance(answer, bool):
            answer = say("lessons.predict.answer_raises" if answer else "lessons.predict.answer_runs", lang)
        lines += [f"## `{qid}` ({q.lesson})", "", f"**{t['question']}**", "",
                  f"- {words['predict.sheet.answer']} {answer}",
                  f"- {words['predict.sheet.hint']} {t['hint']}",
                  f"- {words['predict.sheet.explain']} {t['explain']}", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m autograd_lab.lessons.questions > solutions/predict_answers.md
    print(answer_sheet("en") + "\n" + answer_sheet("zh"), end="")
