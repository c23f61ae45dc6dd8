"""A tuning stand-in for SST-2 dev that never reads it: whole sentences held out of the SST-2 training
phrases, with every phrase that overlaps them removed from training.

SST-2's training file holds the phrases of each sentence as well as the sentence, so a random split of
it puts pieces of one sentence on both sides: a forest memorises them (0.899 on such a split, against
0.768 on dev) and the split ranks the forest above logistic regression, the opposite of dev. Here 1,500
phrases of at least 15 words (mostly whole sentences) are held out, and every training phrase that is a
substring of one of them, or contains one, is dropped. Training is what `npm start` trains on: the rest
of SST-2 plus UCI.

    npx tsx bench/glove-features/dump-sentences.ts --embedder local:glove-lex-v2 --out DIR
    /usr/bin/python3 bench/glove-features/sentence-holdout.py DIR

scikit-learn's models are proxies for sentivec's (forest: 100 trees, sqrt features; logistic
regression: standardized, C = 1, sentivec's baseline).
"""
import bisect
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

d = sys.argv[1]


def load(name):
    j = json.load(open(f"{d}/{name}.json"))
    return np.fromfile(f"{d}/{name}.f32", dtype=np.float32).reshape(len(j["texts"]), j["dims"]), np.array(j["labels"]), [t.strip() for t in j["texts"]], j["embedder"]


Xs, ys, ts, embedder = load("sst2train")
Xu, yu, _, _ = load("uci")
rng = np.random.default_rng(0)
held = rng.choice([i for i, t in enumerate(ts) if len(t.split()) >= 15], 1500, replace=False)
held_set = set(held.tolist())
held_text = "\n".join(ts[i] for i in held)
# Substrings of a held-out sentence.
keep = [i for i, t in enumerate(ts) if i not in held_set and t not in held_text]
# Superstrings: longer phrases that contain a held-out sentence.
longer = [i for i in keep if len(ts[i].split()) > 15]
joined = "\n".join(ts[i] for i in longer)
starts = np.cumsum([0] + [len(ts[i]) + 1 for i in longer])
contains = set()
for i in held:
    p = joined.find(ts[i])
    while p >= 0:
        contains.add(longer[bisect.bisect_right(starts, p) - 1])
        p = joined.find(ts[i], p + 1)
keep = np.array([i for i in keep if i not in contains])
words = np.array([len(ts[i].split()) for i in keep])
Xte, yte = Xs[held], ys[held]
print(f"{embedder}: {len(held)} held-out sentences; {len(keep)} SST-2 phrases left for training ({len(ts) - len(keep) - len(held)} overlapping ones dropped) + {len(yu)} UCI")

lr = lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
forest = lambda seed: RandomForestClassifier(100, random_state=seed, n_jobs=2)
print(f"train UCI only: logistic {lr().fit(Xu, yu).score(Xte, yte):.4f}, forest {forest(0).fit(Xu, yu).score(Xte, yte):.4f}")
for min_words in [1, 2, 3]:
    sel = keep[words >= min_words]
    X = np.vstack([Xs[sel], Xu])
    y = np.concatenate([ys[sel], yu])
    full = lr().fit(X, y)
    forests = [forest(s).fit(X, y).score(Xte, yte) for s in range(3)]
    # Stacking: the forest also sees logistic regression's out-of-fold decision value.
    oof = cross_val_predict(lr(), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="decision_function")
    stacked = forest(0).fit(np.hstack([X, oof[:, None]]), y).score(np.hstack([Xte, full.decision_function(Xte)[:, None]]), yte)
    print(f"SST-2 phrases of >= {min_words} words ({len(sel)}) + UCI: logistic {full.score(Xte, yte):.4f}, forest {np.mean(forests):.4f} (seeds 0-2: {' '.join(f'{a:.4f}' for a in forests)}), forest + out-of-fold logistic value {stacked:.4f}", flush=True)
