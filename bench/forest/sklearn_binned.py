"""scikit-learn's forest on sentivec's bins: replaces every feature by its bin code under the same
quantile rule as src/classify/forest/feature-binner.ts (edges at ranks j*n/max_bins, midway between
neighbouring values; training values only), then fits RandomForestClassifier as sklearn_forest.py does.
What scikit-learn loses here against its own exact thresholds is what the binning costs, measured on
scikit-learn's trees rather than ours.

    /usr/bin/python3 bench/forest/sklearn_binned.py DIR N_FEATURES N_TREES SEEDS MAX_BINS
    (DIR as written by write-set.ts; SEEDS comma-separated; MAX_BINS 0 = no binning)
"""
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def load(directory, name, n_features):
    X = np.fromfile(f"{directory}/{name}.X.f32", dtype="<f4").reshape(-1, n_features)
    y = np.fromfile(f"{directory}/{name}.y.i32", dtype="<i4")
    return X, y


def midpoint(a, b):
    # As feature-binner.ts: a float32 m with a <= m < b.
    m = np.float32(np.float64(a) / 2 + np.float64(b) / 2)
    return a if m >= b else m


def edges_of(column, max_bins):
    s = np.sort(column)
    n = len(s)
    distinct = np.unique(s)
    if len(distinct) <= max_bins:
        return np.array([midpoint(distinct[i - 1], distinct[i]) for i in range(1, len(distinct))], dtype=np.float32)
    out = []
    top = s[-1]
    for j in range(1, max_bins):
        r = (j * n) // max_bins
        a, b = s[r - 1], s[r]
        edge = midpoint(a, b) if a < b else b
        if edge >= top:
            break
        if not out or edge > out[-1]:
            out.append(edge)
    return np.array(out, dtype=np.float32)


def main():
    directory, n_features, n_trees = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seeds = [int(s) for s in sys.argv[4].split(",")]
    max_bins = int(sys.argv[5])
    X_train, y_train = load(directory, "train", n_features)
    X_test, y_test = load(directory, "test", n_features)
    if max_bins > 0:
        for f in range(n_features):
            e = edges_of(X_train[:, f], max_bins)
            # x falls in bin b when edges[b-1] < x <= edges[b]: the number of edges below x.
            X_train[:, f] = np.searchsorted(e, X_train[:, f], side="left")
            X_test[:, f] = np.searchsorted(e, X_test[:, f], side="left")
    for seed in seeds:
        model = RandomForestClassifier(n_estimators=n_trees, max_features="sqrt", n_jobs=1, random_state=seed)
        model.fit(X_train, y_train)
        proba = model.predict_proba(X_test)
        accuracy = float(np.mean(model.classes_[np.argmax(proba, axis=1)] == y_test))
        print(json.dumps({"max_bins": max_bins, "seed": seed, "accuracy": accuracy}), flush=True)


if __name__ == "__main__":
    main()
