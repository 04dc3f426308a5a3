import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluate, writePredictions } from '../src/eval/evaluate.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { repoRoot, sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const PYTHON = '/usr/bin/python3';

function pythonSkipReason(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, torch'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `${PYTHON} lacks scikit-learn or torch`;
}

// The Python side: scikit-learn for the standard metrics, training/metrics.py (the training package's own
// definitions) for the same metrics and for ECE, all in float64 on the probabilities the TypeScript side wrote.
const PYTHON_METRICS = String.raw`
import json, sys
import numpy as np, torch
from sklearn import metrics as sk
from training import metrics as tm
rows = [json.loads(line) for line in open(sys.argv[1])]
p = np.array([r["probabilities"] for r in rows], dtype=np.float64)
y = np.array([r["label"] for r in rows])
pred = p.argmax(1)
labels = list(range(7))
prec, rec, f1, support = sk.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
cm = tm.confusion_matrix(torch.tensor(pred), torch.tensor(y))
_, _, tm_f1 = tm.per_class(cm)
out = {
  "sklearn": {
    "accuracy": sk.accuracy_score(y, pred),
    "balancedAccuracy": sk.balanced_accuracy_score(y, pred),
    "macroF1": sk.f1_score(y, pred, average="macro", zero_division=0),
    "cohenKappa": sk.cohen_kappa_score(y, pred),
    "logLoss": sk.log_loss(y, p, labels=labels),
    "precision": prec.tolist(), "recall": rec.tolist(), "f1": f1.tolist(), "support": support.tolist(),
    "confusion": sk.confusion_matrix(y, pred, labels=labels).tolist(),
  },
  "training": {
    "balancedAccuracy": tm.balanced_accuracy(cm),
    "macroF1": tm_f1.mean().item(),
    "cohenKappa": tm.cohen_kappa(cm),
    "logLoss": tm.log_loss(torch.tensor(np.log(p)), torch.tensor(y)),
    "ece": tm.expected_calibration_error(torch.tensor(p), torch.tensor(y)),
    "confusion": cm.tolist(),
  },
}
print(json.dumps(out))
`;

const work = tempDirForTests('fer-edge-eval-py-');

test(
  'eval metrics agree with scikit-learn and training/metrics.py on the same predictions (1e-9)',
  { skip: skipUnlessShared(PEER_MODEL) || skipUnlessShared('data', 'fer2013', 'val') || pythonSkipReason() },
  async () => {
    // Every class present, so that macro averages over "classes that occur" and over all 7 labels coincide.
    const result = await evaluate({
      model: { model: sharedPath(PEER_MODEL), mean: [0.5], std: [0.5], output: 'probabilities' },
      data: { path: sharedPath('data', 'fer2013', 'val'), perClass: 12 },
      batchSize: 16,
    });
    const predictionsFile = join(work, 'predictions.jsonl');
    await writePredictions(predictionsFile, result.predictions);
    const python = spawnSync(PYTHON, ['-c', PYTHON_METRICS, predictionsFile], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(python.status, 0, python.stderr);
    type Figures = Record<string, number | number[] | number[][]>;
    const { sklearn, training } = JSON.parse(python.stdout) as { sklearn: Figures; training: Figures };
    const ts = result.report;
    const close = (name: string, actual: number, expected: number): void =>
      assert.ok(Math.abs(actual - expected) <= 1e-9, `${name}: TypeScript ${actual}, Python ${expected}`);

    assert.equal(ts.samples, 7 * 12);
    close('accuracy', ts.accuracy, sklearn.accuracy as number);
    for (const reference of [sklearn, training]) {
      close('balanced accuracy', ts.balancedAccuracy, reference.balancedAccuracy as number);
      close('macro F1', ts.macroF1, reference.macroF1 as number);
      close("Cohen's kappa", ts.cohenKappa, reference.cohenKappa as number);
      close('log loss', ts.logLoss, reference.logLoss as number);
      assert.deepEqual(ts.confusion, reference.confusion);
    }
    close('ECE', ts.ece, training.ece as number);
    ts.perClass.forEach((c, k) => {
      close(`precision ${c.label}`, c.precision, (sklearn.precision as number[])[k]!);
      close(`recall ${c.label}`, c.recall, (sklearn.recall as number[])[k]!);
      close(`F1 ${c.label}`, c.f1, (sklearn.f1 as number[])[k]!);
      assert.equal(c.support, (sklearn.support as number[])[k]);
    });
    // A real model on real faces: well above chance (1/7), so the comparison is not between two degenerate tables.
    assert.ok(ts.accuracy > 0.3, `mini-Xception accuracy ${ts.accuracy}`);
  },
);
