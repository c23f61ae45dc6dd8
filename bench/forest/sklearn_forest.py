"""scikit-learn side of the forest benchmark: reads the float32/int32 files run.ts wrote, fits a
RandomForestClassifier with the same settings once per seed (in this one process), prints one JSON line
per seed: timings, accuracy, and for the first seed the process's peak RSS right after its fit (so the
first fit is the only one the peak can come from; the test set is loaded after it, as fit-child.ts never
loads it). An optional fifth argument repeats each prediction and keeps the best time."""
import json
import pickle
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def load(directory, name, n_features):
    X = np.fromfile(f"{directory}/{name}.X.f32", dtype="<f4").reshape(-1, n_features)
    y = np.fromfile(f"{directory}/{name}.y.i32", dtype="<i4")
    return X, y


def rss_bytes(field="VmRSS"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    directory, n_features, n_estimators = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seeds = [int(s) for s in sys.argv[4].split(",")]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    base_rss = rss_bytes()
    X_train, y_train = load(directory, "train", n_features)
    loaded_rss = rss_bytes()
    X_test = y_test = None
    for i, seed in enumerate(seeds):
        model = RandomForestClassifier(n_estimators=n_estimators, max_features="sqrt", n_jobs=1, random_state=seed)
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(X_train, y_train)
        fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        # The process's own high-water mark (VmHWM): getrusage's ru_maxrss carries over the spawning
        # process's peak on Linux, so under run.ts it reported the Node parent's memory, not this fit's.
        peak = rss_bytes("VmHWM") if i == 0 else None
        if X_test is None:
            # Loaded only now, so the first fit's peak holds the training set alone, as sentivec's does.
            X_test, y_test = load(directory, "test", n_features)
        # Best of `repeats` predictions (wall and CPU time), as run.ts times sentivec's: one call on a
        # shared machine is mostly the neighbours' noise.
        predict_s = predict_cpu_s = float("inf")
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            proba = model.predict_proba(X_test)
            predict_s = min(predict_s, time.perf_counter() - t0)
            predict_cpu_s = min(predict_cpu_s, time.process_time() - c0)
        accuracy = float(np.mean(model.classes_[np.argmax(proba, axis=1)] == y_test))
        size = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)) if i == 0 else 0
        print(json.dumps({"seed": seed, "fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "predict_s": predict_s, "predict_cpu_s": predict_cpu_s, "accuracy": accuracy,
                          "pickle_bytes": size, "peak_rss": peak, "base_rss": base_rss, "loaded_rss": loaded_rss}), flush=True)
        del model


if __name__ == "__main__":
    main()
