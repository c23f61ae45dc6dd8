"""scikit-learn side of the forest benchmark: reads the float32/int32 files run.ts wrote, fits a
RandomForestClassifier with the same settings, prints one JSON line of timings and accuracy."""
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


def main():
    directory, n_features, n_estimators, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    X_train, y_train = load(directory, "train", n_features)
    X_test, y_test = load(directory, "test", n_features)
    model = RandomForestClassifier(n_estimators=n_estimators, max_features="sqrt", n_jobs=1, random_state=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(X_train, y_train)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    proba = model.predict_proba(X_test)
    predict_s = time.perf_counter() - t0
    accuracy = float(np.mean(model.classes_[np.argmax(proba, axis=1)] == y_test))
    size = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    print(json.dumps({"fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "predict_s": predict_s, "accuracy": accuracy, "pickle_bytes": size}))


if __name__ == "__main__":
    main()
