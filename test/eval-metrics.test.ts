import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibration, classificationReport, cohenKappa, confusionMatrix, logLoss } from '../src/eval/metrics.js';
import { confusionText } from '../src/eval/confusion-text.js';

const labels = ['a', 'b', 'c'];

test('confusion matrix counts rows as truth and columns as predictions', () => {
  assert.deepEqual(confusionMatrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3), [
    [1, 1, 0],
    [0, 1, 0],
    [1, 0, 1],
  ]);
});

test('report on a worked example matches hand-computed figures', () => {
  // truth 0,0,1,2,2 ; predictions 0,1,1,2,0 (argmax of each row)
  const probabilities = [
    [0.7, 0.2, 0.1],
    [0.4, 0.5, 0.1],
    [0.1, 0.8, 0.1],
    [0.2, 0.2, 0.6],
    [0.9, 0.05, 0.05],
  ];
  const report = classificationReport(probabilities, [0, 0, 1, 2, 2], labels);
  assert.equal(report.accuracy, 3 / 5);
  // recalls: a 1/2, b 1/1, c 1/2
  assert.ok(Math.abs(report.balancedAccuracy - (0.5 + 1 + 0.5) / 3) < 1e-15);
  // precisions: a 1/2, b 1/2, c 1/1 ; F1 = 2tp/(actual+predicted): a 2/4, b 2/3, c 2/3
  assert.ok(Math.abs(report.macroF1 - (0.5 + 2 / 3 + 2 / 3) / 3) < 1e-15);
  assert.deepEqual(
    report.perClass.map((c) => c.support),
    [2, 1, 2],
  );
  // po = 0.6, pe = (2*2 + 1*2 + 2*1)/25 = 8/25
  assert.ok(Math.abs(report.cohenKappa - (0.6 - 8 / 25) / (1 - 8 / 25)) < 1e-15);
  const expectedLogLoss = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.8) + Math.log(0.6) + Math.log(0.05)) / 5;
  assert.ok(Math.abs(report.logLoss - expectedLogLoss) < 1e-12);
  // bins of width 1/15: 0.7 (10th bin, correct), 0.5 (8th, wrong), 0.8 (12th, correct), 0.6 (9th, correct), 0.9 (14th, wrong)
  const expectedEce = (Math.abs(1 - 0.7) + Math.abs(0 - 0.5) + Math.abs(1 - 0.8) + Math.abs(1 - 0.6) + Math.abs(0 - 0.9)) / 5;
  assert.ok(Math.abs(report.ece - expectedEce) < 1e-12);
  assert.equal(report.calibration.length, 15);
  assert.equal(
    report.calibration.reduce((n, b) => n + b.count, 0),
    5,
  );
});

test('a class never seen nor predicted is left out of the macro averages but kept in the table', () => {
  const report = classificationReport(
    [
      [0.9, 0.1, 0],
      [0.2, 0.8, 0],
    ],
    [0, 1],
    labels,
  );
  assert.equal(report.balancedAccuracy, 1);
  assert.equal(report.macroF1, 1);
  assert.equal(report.perClass[2]!.support, 0);
  assert.equal(report.perClass[2]!.f1, 0);
});

test('perfect agreement gives kappa 1; log loss clips zero probabilities instead of returning Infinity', () => {
  assert.equal(cohenKappa([[3, 0], [0, 2]]), 1);
  const loss = logLoss([[1, 0]], [1]);
  assert.ok(Number.isFinite(loss) && loss > 30);
});

test('calibration puts a confidence on a bin edge into the lower bin', () => {
  const { bins } = calibration([[1 / 3, 2 / 3]], [1], 3);
  assert.deepEqual(
    bins.map((b) => b.count),
    [0, 1, 0],
  );
});

test('report rejects mismatched or empty inputs', () => {
  assert.throws(() => classificationReport([[1, 0, 0]], [0, 1], labels), RangeError);
  assert.throws(() => classificationReport([], [], labels), RangeError);
});

test('confusion text lists every label as a row and a column', () => {
  const text = confusionText(
    [
      [12, 0],
      [3, 101],
    ],
    ['angry', 'happy'],
  );
  const lines = text.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /angry\s+happy/);
  assert.match(lines[2]!, /^happy\s+3\s+101$/);
});
