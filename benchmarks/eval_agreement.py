"""Agreement of the local call scorer with human labels (the method of ../shared/eval-data/README.md).

Reads the public, human-labelled dialogues from the shared eval-data folder (never copied into this
repository), turns each into a call transcript with deterministic synthetic timing, scores it with
the product's scorer and default weights, and correlates the scores with the human labels.

Each set is split 50/50 by a fixed hash of the dialogue's text: the "tune" half is the only one
looked at while developing the scorer; figures are reported on the "report" half (`--half report`,
the default). Statistics are pure Python (Spearman with average ranks, Kendall tau-b, ROC AUC with
ties, percentile bootstrap over dialogues with a fixed seed).

    .venv/bin/python benchmarks/eval_agreement.py                 # report half, prints a table
    .venv/bin/python benchmarks/eval_agreement.py --half tune     # the half used for tuning
    .venv/bin/python benchmarks/eval_agreement.py --markdown      # the RESULTS.md section body
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceconsole.scoring import SCORER_VERSION, ScoringInput, score_call
from voiceconsole.scoring.sentiment import read_caller_sentiment

EVAL_DIR = Path(os.environ.get("VOICECONSOLE_EVAL_DATA", Path(__file__).resolve().parents[2] / "shared" / "eval-data"))
WORDS_PER_SECOND = 2.5  # synthetic timing, as the data's README suggests
GAP_S = 0.8
BOOTSTRAP = 1000
SEED = 20240611
CATS = ("sentiment", "outcome", "engagement", "duration")


@dataclass
class Dialogue:
    corpus: str
    key: str  # stable identity for the split
    lines: list[tuple[str, str]]  # (role agent|user, text), consecutive same-role lines merged
    sat_mean: float
    tc_mean: float | None = None  # AB-ReDial task completion
    turn_ratings: list[float] = field(default_factory=list)  # USS: mean rating per user line
    score: int = 0
    cats: dict[str, int] = field(default_factory=dict)


def half_of(key: str) -> str:
    """The fixed split: the first byte of the SHA-256 of the dialogue's text, even = tune."""
    return "tune" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def _merge(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for role, text in lines:
        text = text.strip()
        if not text:
            continue
        if out and out[-1][0] == role:
            out[-1] = (role, out[-1][1] + " " + text)
        else:
            out.append((role, text))
    return out


def load_uss(name: str) -> list[Dialogue]:
    text = (EVAL_DIR / "uss" / f"{name}.txt").read_text(encoding="utf-8")
    dialogues = []
    for block in re.split(r"\n\s*\n", text):
        rows = [r.split("\t") for r in block.strip("\n").split("\n") if r.strip()]
        if not rows:
            continue
        *utts, overall = rows
        assert overall[0] == "USER" and overall[1] == "OVERALL", overall
        ratings = [int(x) for x in overall[3].split(",")]
        lines = [("agent" if r[0] == "SYSTEM" else "user", r[1]) for r in utts]
        turn_ratings = [
            sum(map(int, r[3].split(","))) / len(r[3].split(","))
            for r in utts
            if r[0] == "USER" and len(r) > 3 and r[3].strip()
        ]
        key = name + "\n" + "\n".join(f"{r[0]}\t{r[1]}" for r in utts)
        dialogues.append(
            Dialogue(f"USS-{name}", key, _merge(lines), sum(ratings) / len(ratings), turn_ratings=turn_ratings)
        )
    return dialogues


_UTT = re.compile(r"^\s*(SYSTEM|USER)\s+(.*)$", re.S)


def load_ab_redial() -> list[Dialogue]:
    groups: dict[str, dict] = {}
    with open(EVAL_DIR / "ab-redial" / "annotated_dialogues.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if not row["task-completion"].strip() or not row["dialogue-overall"].strip():
                continue
            utts = []
            for i in range(22):
                cell = row.get(f"utterance{i}") or ""
                m = _UTT.match(cell)
                if m:
                    utts.append(("agent" if m.group(1) == "SYSTEM" else "user", m.group(2)))
            key = "ab-redial\n" + row["ConvId"] + "\n" + "\n".join(t for _, t in utts[:3])
            g = groups.setdefault(key, {"utts": utts, "tc": [], "sat": []})
            g["tc"].append(float(row["task-completion"]))
            g["sat"].append(float(row["dialogue-overall"]))
    return [
        Dialogue(
            "AB-ReDial", key, _merge(g["utts"]), sum(g["sat"]) / len(g["sat"]), tc_mean=sum(g["tc"]) / len(g["tc"])
        )
        for key, g in groups.items()
    ]


def to_call(d: Dialogue) -> ScoringInput:
    t = 0.0
    turns = []
    for role, text in d.lines:
        dur = max(1, len(text.split())) / WORDS_PER_SECOND
        turns.append({"role": role, "text": text, "start": round(t, 3), "end": round(t + dur, 3)})
        t += dur + GAP_S
    return ScoringInput(status="ended", duration_ms=round((t - GAP_S) * 1000), turns=turns)


# --- statistics ----------------------------------------------------------------------------------


def ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=xs.__getitem__)
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1
        for k in range(i, j + 1):
            r[order[k]] = avg
        i = j + 1
    return r


def pearson(a: list[float], b: list[float]) -> float:
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb) if saa > 0 and sbb > 0 else float("nan")


def spearman(a: list[float], b: list[float]) -> float:
    return pearson(ranks(a), ranks(b))


def kendall_tau_b(a: list[float], b: list[float]) -> float:
    n = len(a)
    conc = disc = ties_a = ties_b = 0
    for i in range(n):
        ai, bi = a[i], b[i]
        for j in range(i + 1, n):
            da = ai - a[j]
            db = bi - b[j]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                conc += 1
            else:
                disc += 1
    denom = math.sqrt((conc + disc + ties_a) * (conc + disc + ties_b))
    return (conc - disc) / denom if denom else float("nan")


def auc(scores: list[float], positive: list[bool]) -> float:
    """P(score of a random positive > score of a random negative), ties counting half."""
    r = ranks(scores)
    n_pos = sum(positive)
    n_neg = len(positive) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    rank_sum = sum(ri for ri, p in zip(r, positive, strict=True) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def bootstrap_ci(fn, *columns, n: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float]:
    rng = random.Random(seed)
    size = len(columns[0])
    vals = []
    for _ in range(n):
        idx = [rng.randrange(size) for _ in range(size)]
        v = fn(*[[c[i] for i in idx] for c in columns])
        if not math.isnan(v):
            vals.append(v)
    vals.sort()
    return vals[int(0.025 * (len(vals) - 1))], vals[int(0.975 * (len(vals) - 1))]


# --- evaluation ----------------------------------------------------------------------------------


def load_all() -> dict[str, list[Dialogue]]:
    return {
        "USS-MWOZ": load_uss("MWOZ"),
        "USS-SGD": load_uss("SGD"),
        "USS-CCPE": load_uss("CCPE"),
        "AB-ReDial": load_ab_redial(),
    }


def score_all(sets: dict[str, list[Dialogue]]) -> None:
    for ds in sets.values():
        for d in ds:
            r = score_call(to_call(d))
            d.score = r.score
            d.cats = {c: r.breakdown[c]["score"] for c in CATS}


def fmt_ci(v: float, ci: tuple[float, float]) -> str:
    return f"{v:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"


def evaluate(sets: dict[str, list[Dialogue]], half: str) -> dict:
    out: dict = {"half": half, "sets": {}}
    pooled: list[Dialogue] = []
    for name, ds in sets.items():
        sel = [d for d in ds if half == "all" or half_of(d.key) == half]
        pooled.extend(sel)
        out["sets"][name] = _eval_set(sel, name)
    out["sets"]["Pooled (4 sets)"] = _eval_set(pooled, "pooled")
    uss = [d for d in pooled if d.corpus.startswith("USS")]
    out["sets"]["Pooled USS"] = _eval_set(uss, "pooled")
    return out


def _eval_set(ds: list[Dialogue], name: str) -> dict:
    score = [float(d.score) for d in ds]
    sat = [d.sat_mean for d in ds]
    res = {"n": len(ds)}
    res["rho"] = spearman(score, sat)
    res["rho_ci"] = bootstrap_ci(spearman, score, sat)
    res["tau_b"] = kendall_tau_b(score, sat)
    res["cat_rho"] = {c: spearman([float(d.cats[c]) for d in ds], sat) for c in CATS}
    dissat = [d.sat_mean < 3 for d in ds]
    res["n_dissat"] = sum(dissat)
    # AUC of the (negated) score for detecting dissatisfied callers.
    res["auc_dissat"] = auc([-s for s in score], dissat)
    res["auc_dissat_ci"] = bootstrap_ci(lambda s, y: auc([-x for x in s], y), score, dissat)
    if name == "AB-ReDial":
        outc = [float(d.cats["outcome"]) for d in ds]
        tc = [d.tc_mean for d in ds]
        completed = [t >= 2.5 for t in tc]
        res["n_completed"] = (sum(completed), len(completed) - sum(completed))
        res["auc_outcome"] = auc(outc, completed)
        res["auc_outcome_ci"] = bootstrap_ci(auc, outc, completed)
        completed2 = [t >= 2.0 for t in tc]
        res["n_completed2"] = (sum(completed2), len(completed2) - sum(completed2))
        res["auc_outcome_2"] = auc(outc, completed2)
        res["rho_outcome_tc"] = spearman(outc, tc)
        res["rho_outcome_tc_ci"] = bootstrap_ci(spearman, outc, tc)
        res["auc_score_completed"] = auc(score, completed)
    if name.startswith("USS") and name != "pooled":
        # Turn level: caller-turn sentiment (VADER compound of that turn) vs the mean rating on it.
        comp, rat = [], []
        for d in ds:
            users = [t for r, t in _unmerged_user_lines(d)]
            for text, rating in zip(users, d.turn_ratings, strict=True):
                comp.append(read_caller_sentiment([text]).mean)
                rat.append(rating)
        res["turn_rho"] = spearman(comp, rat) if comp else float("nan")
        res["turn_n"] = len(comp)
    return res


def _unmerged_user_lines(d: Dialogue) -> list[tuple[str, str]]:
    # Ratings are per USER line before merging; recover them from the key (which holds raw lines).
    raw = d.key.split("\n")[1:]
    return [("user", ln.split("\t", 1)[1]) for ln in raw if ln.startswith("USER\t")]


def print_table(res: dict) -> None:
    print(f"half={res['half']}  scorer={SCORER_VERSION}")
    for name, r in res["sets"].items():
        cats = " ".join(f"{c[:4]}={v:+.3f}" for c, v in r["cat_rho"].items())
        line = (
            f"{name:16s} n={r['n']:4d} rho={fmt_ci(r['rho'], r['rho_ci'])} tau_b={r['tau_b']:+.3f} "
            f"AUCdis={r['auc_dissat']:.3f} ({r['n_dissat']}) | {cats}"
        )
        if "turn_rho" in r:
            line += f" | turn rho={r['turn_rho']:+.3f} (n={r['turn_n']})"
        print(line)
        if "auc_outcome" in r:
            print(
                f"{'':16s} outcome AUC(tc>=2.5)={fmt_ci(r['auc_outcome'], r['auc_outcome_ci'])} "
                f"{r['n_completed']}  AUC(tc>=2.0)={r['auc_outcome_2']:.3f} {r['n_completed2']}  "
                f"rho(outcome,tc)={fmt_ci(r['rho_outcome_tc'], r['rho_outcome_tc_ci'])}  "
                f"AUC(score,completed)={r['auc_score_completed']:.3f}"
            )


def markdown(res: dict) -> str:
    rows = [
        "| Set | Dialogues | Spearman ρ, score vs satisfaction [95% CI] | Kendall τ-b | ρ sentiment | "
        "ρ outcome | ρ engagement (proxy) | ρ duration (proxy) | AUC, dissatisfied (n) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in res["sets"].items():
        c = r["cat_rho"]
        rows.append(
            f"| {name} | {r['n']} | {fmt_ci(r['rho'], r['rho_ci'])} | {r['tau_b']:+.3f} | "
            f"{c['sentiment']:+.3f} | {c['outcome']:+.3f} | {c['engagement']:+.3f} | "
            f"{c['duration']:+.3f} | {r['auc_dissat']:.3f} [{r['auc_dissat_ci'][0]:.3f}, "
            f"{r['auc_dissat_ci'][1]:.3f}] ({r['n_dissat']}) |"
        )
    ab = res["sets"]["AB-ReDial"]
    lines = [
        "\n".join(rows),
        "",
        f"Outcome category vs task success (AB-ReDial, {ab['n']} dialogues): "
        f"ROC AUC for `completed = mean task-completion ≥ 2.5` "
        f"({ab['n_completed'][0]} vs {ab['n_completed'][1]}) = "
        f"**{ab['auc_outcome']:.3f} [{ab['auc_outcome_ci'][0]:.3f}, {ab['auc_outcome_ci'][1]:.3f}]**; "
        f"sensitivity check "
        f"`≥ 2.0` ({ab['n_completed2'][0]} vs {ab['n_completed2'][1]}) = {ab['auc_outcome_2']:.3f}; "
        f"Spearman ρ of outcome with mean task-completion = "
        f"{fmt_ci(ab['rho_outcome_tc'], ab['rho_outcome_tc_ci'])}; AUC of the total score for "
        f"completion = {ab['auc_score_completed']:.3f}.",
    ]
    turn = [f"{n} {r['turn_rho']:+.3f} (n={r['turn_n']})" for n, r in res["sets"].items() if "turn_rho" in r]
    lines.append("")
    lines.append(
        "Turn level (optional check): Spearman ρ of a caller line's VADER compound with the "
        "mean rating on that line: " + "; ".join(turn) + "."
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tune", "report", "all"), default="report")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if not EVAL_DIR.is_dir():
        sys.exit(f"eval data not found at {EVAL_DIR} (set VOICECONSOLE_EVAL_DATA)")
    sets = load_all()
    score_all(sets)
    res = evaluate(sets, args.half)
    if args.markdown:
        print(markdown(res))
    else:
        print_table(res)


if __name__ == "__main__":
    main()
