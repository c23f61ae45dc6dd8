"""How much of the `npm start` stand-in's accuracy is left when training on a random subset of the SST-2
phrases small enough to embed with USE Lite inside the 2-minute budget (~110 texts per CPU second);
and, trained on all of them, a paired bootstrap of the accuracy difference between each dump and the
first one on the same held-out sentences (the per-figure standard error overstates a difference's).

Uses exactly sentence-holdout.py's split (held-out sentences, overlapping phrases dropped): it runs that
script's lines up to its models, rather than copying them, so the two cannot drift apart.

    /usr/bin/python3 bench/sentence-encoder/subset-holdout.py /tmp/se/v2 /tmp/se/use /tmp/se/use+v2
"""
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

source = open(os.path.join(os.path.dirname(__file__), "..", "glove-features", "sentence-holdout.py")).read()
split = source[: source.index("\nlr = lambda")]  # data loading and the split, before any model is fitted
correct = []  # per dump: which held-out sentences the model trained on all phrases gets right
for d in sys.argv[1:]:
    sys.argv[1] = d
    env = {"__name__": "split"}
    exec(split, env)
    keep, Xs, ys, Xu, yu, Xte, yte = (env[k] for k in ["keep", "Xs", "ys", "Xu", "yu", "Xte", "yte"])
    scores = []
    for n in [2000, 5000, 10000, 20000, len(keep)]:
        sel = np.random.default_rng(1).choice(keep, n, replace=False)
        X, y = np.vstack([Xs[sel], Xu]), np.concatenate([ys[sel], yu])
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000)).fit(X, y)
        scores.append(f"{n} phrases {lr.score(Xte, yte):.4f}")
    correct.append(lr.predict(Xte) == yte)  # the last n is all of them
    print(f"  logistic, trained on UCI + random SST-2 phrases: {', '.join(scores)}", flush=True)
    if len(correct) > 1:
        diff = correct[-1].astype(float) - correct[0]
        boot = np.random.default_rng(0).choice(diff, (10000, len(diff))).mean(axis=1)
        print(f"  difference from the first dump, paired: {diff.mean():+.4f}, 95% bootstrap interval {np.percentile(boot, 2.5):+.4f} to {np.percentile(boot, 97.5):+.4f}", flush=True)
