"""Scores the feature variants written by dump-features.ts (see there). Tuning data only: UCI 5-fold CV,
an 80/20 split of the SST-2 training phrases, and a model trained on UCI scored on the first 20,000
SST-2 training phrases (a cross-domain proxy that leaves SST-2 dev untouched).

    /usr/bin/python3 bench/glove-features/evaluate.py bench/out/glove-features [--rf]

LR: standardized logistic regression, C=1 (sentivec's baseline). RF (--rf): scikit-learn's forest,
100 trees (a proxy for sentivec's; the README's figures come from sentivec's own commands).
"""
import sys
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

d = sys.argv[1]
rf = "--rf" in sys.argv


def load(variant, name):
    y = np.array([l for l in open(f"{d}/{name}.labels.txt").read().split("\n") if l])
    return np.fromfile(f"{d}/{variant}.{name}.f32", dtype=np.float32).reshape(len(y), -1), y


lr = lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
forest = lambda: RandomForestClassifier(100, random_state=42, n_jobs=1)
cv = StratifiedKFold(5, shuffle=True, random_state=42)
print(f"{'variant':12s} {'LR UCI CV':>10s} {'LR SST-2 split':>15s} {'LR UCI→SST-2 tr':>16s}" + (f" {'RF UCI CV':>10s} {'RF UCI→SST-2 tr':>16s}" if rf else ""))
for variant in [v for v in open(f"{d}/variants.txt").read().split("\n") if v]:
    Xu, yu = load(variant, "uci")
    Xt, yt = load(variant, "sst2train")
    a, b, ya, yb = train_test_split(Xt, yt, test_size=0.2, random_state=42, stratify=yt)
    row = f"{variant:12s} {cross_val_score(lr(), Xu, yu, cv=cv).mean():10.4f} {lr().fit(a, ya).score(b, yb):15.4f} {lr().fit(Xu, yu).score(Xt[:20000], yt[:20000]):16.4f}"
    if rf:
        row += f" {cross_val_score(forest(), Xu, yu, cv=cv).mean():10.4f} {forest().fit(Xu, yu).score(Xt[:20000], yt[:20000]):16.4f}"
    print(row, flush=True)
