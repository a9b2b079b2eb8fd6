"""physec.auth: the seven baselines on CSI sequences [n, D, T] give the accuracies, FAR and MDR `physec auth eval`
reports for the same file (defaults, no hyperparameter selection); metrics against hand counts."""
import csv

import numpy as np
import pytest

import physec
from conftest import run_cli

MODELS = ["dt", "knn", "nb", "wv", "gbdt", "rgbo", "igbo"]
# IGBO's multi-observation fusion is a decision rule of `auth eval` over test groups, not of the classifier: off here
# (one decision per sequence on both sides), so every model's predictions can be compared.
NO_FUSION = {"igbo": {"fuse_window": 1}}


@pytest.fixture(scope="module")
def mobility_eval(tmp_path_factory, cli):
    d = tmp_path_factory.mktemp("auth")
    run_cli(cli, "dataset", "mobility", "--set", "mobility.samples_per_transmitter=1000",
            "--set", "mobility.sequence_length=20", "--seed", "3", "-o", "m.h5", "-q", cwd=d)
    run_cli(cli, "auth", "eval", "-d", "m.h5", "--model", ",".join(MODELS), "--set", "select=false",
            "--set", 'features=["sequence"]', "--set", "classifiers.igbo.fuse_window=1", "--out", "ae", "-q", cwd=d)
    with open(d / "ae" / "accuracy.csv") as f:
        rows = {r["model"]: r for r in csv.DictReader(f)}
    return physec.dataset.read_mobility(str(d / "m.h5")), rows


@pytest.mark.parametrize("model", MODELS)
def test_baseline_accuracy_equals_the_cli(mobility_eval, model):
    data, rows = mobility_eval
    x, y, split = data["sequences"], data["labels"]["transmitter"], data["labels"]["split_time"]
    train, val, test = (split == 0), (split == 1), (split == 2)
    clf = physec.auth.Classifier(model, NO_FUSION).fit(x[train], y[train], validation=(x[val], y[val]))
    predicted = clf.predict(x[test])
    assert predicted.shape == (test.sum(),) and clf.nof_classes == 6 and clf.nof_features == 6 * x.shape[1]
    proba = clf.predict_proba(x[test])
    assert proba.shape == (test.sum(), 6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    row = rows[model]
    assert physec.auth.accuracy(y[test], predicted) == pytest.approx(float(row["accuracy"]), rel=1e-14)
    rates = physec.auth.spoofer_rates(y[test], predicted, nof_legal=4)
    assert rates["far"] == pytest.approx(float(row["far"]), rel=1e-14)
    assert rates["mdr"] == pytest.approx(float(row["mdr"]), rel=1e-14)


def test_feature_rows_and_sequences_agree():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 3, 10)).astype(np.float32)
    y = np.repeat([0, 1], 20)
    x[y == 1] += 1.0
    feats = physec.auth.sequence_features(x)
    assert feats.shape == (40, 18) and feats.dtype == np.float32
    np.testing.assert_allclose(feats[:, 0], x[:, 0, :].mean(axis=1), rtol=1e-5)   # mean of dimension 0
    np.testing.assert_allclose(feats[:, 2], x[:, 0, :].min(axis=1), rtol=1e-6)    # min of dimension 0
    a = physec.auth.Classifier("nb").fit(x, y).predict(x)
    b = physec.auth.Classifier("nb").fit(feats, y).predict(feats)
    assert (a == b).all()


def test_metrics_by_hand():
    truth = [0, 0, 1, 4, 5, 5]
    pred = [0, 4, 1, 1, 5, 4]
    assert physec.auth.accuracy(truth, pred) == pytest.approx(3 / 6)
    rates = physec.auth.spoofer_rates(truth, pred, nof_legal=4)
    assert rates["far"] == pytest.approx(1 / 3)  # one of three legal samples taken for a spoofer
    assert rates["mdr"] == pytest.approx(1 / 3)  # one of three spoofer samples taken for a legal user
    c = physec.auth.confusion_matrix(truth, pred, 6)
    assert c.shape == (6, 6) and c[0, 4] == 1 and c[5, 5] == 1 and c.sum() == 6


def test_bad_input_raises_physec_error():
    with pytest.raises(physec.Error, match="knnn|knn"):
        physec.auth.Classifier("knnn")
    with pytest.raises(physec.Error, match="k"):
        physec.auth.Classifier("knn", {"knn": {"k": 0}})
    clf = physec.auth.Classifier("nb").fit(np.zeros((4, 3), np.float32) + np.arange(4)[:, None], [0, 1, 0, 1])
    with pytest.raises(physec.Error):
        clf.predict(np.zeros((2, 5), np.float32))
    with pytest.raises(physec.Error, match="dimensions"):
        clf.predict(np.zeros(5, np.float32))
