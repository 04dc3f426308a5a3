import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { evaluate } from '../src/eval/evaluate.js';
import { repoRoot, sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const PYTHON = '/usr/bin/python3';
const VAL = sharedPath('data', 'fer2013', 'val');

function pythonSkipReason(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, PIL'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `${PYTHON} lacks torch or Pillow`;
}

// The training side: the package's own 4-block CNN (seeded weights, batch-norm statistics from the images: what is
// compared is the two inference paths, not a model's quality), exported to ONNX, and its probabilities on the same
// images through the training code: training.data.load_folder (Pillow decoding) and training.evaluate.predict_logits
// (x/255, (x - 0.5) / 0.5).
const PYTHON_SIDE = String.raw`
import json, sys
import torch
from training.data import load_folder
from training.evaluate import predict_logits
from training.models import get_model
onnx_path, folder = sys.argv[1], sys.argv[2]
torch.manual_seed(7)
model = get_model("cnn4")
images, labels, paths = load_folder(folder)
# Batch-norm statistics from these images, so that the seeded network's outputs depend on the image.
for module in model.modules():
    if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
        module.momentum = None
with torch.no_grad():
    model.train()
    model((images.float() / 255 - 0.5) / 0.5)
model.eval()
torch.onnx.export(model, torch.zeros(1, 1, 48, 48), onnx_path, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}}, opset_version=17)
probabilities = torch.softmax(predict_logits(model, images, 48, "cpu").double(), 1)
print(json.dumps({p: row for p, row in zip(paths, probabilities.tolist())}))
`;

const work = tempDirForTests('fer-edge-eval-torch-');

test(
  'eval through the device path gives the PyTorch model\'s probabilities on the same val images',
  { skip: skipUnlessShared('data', 'fer2013', 'val') || pythonSkipReason() },
  async () => {
    const folder = join(work, 'faces');
    for (const name of readdirSync(VAL)) {
      mkdirSync(join(folder, name), { recursive: true });
      for (const file of readdirSync(join(VAL, name)).sort().slice(0, 3)) symlinkSync(join(VAL, name, file), join(folder, name, file));
    }
    const onnxPath = join(work, 'cnn4.onnx');
    const python = spawnSync(PYTHON, ['-c', PYTHON_SIDE, onnxPath, folder], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(python.status, 0, python.stderr);
    const torchProbabilities = JSON.parse(python.stdout) as Record<string, number[]>;

    const result = await evaluate({
      model: { model: onnxPath, mean: [0.5], std: [0.5], output: 'logits', outputKind: 'logits' },
      data: { path: folder },
      batchSize: 8,
    });
    assert.equal(result.predictions.length, 21);
    let maxDifference = 0;
    const confidences = result.predictions.map((p) => Math.max(...p.probabilities));
    for (const prediction of result.predictions) {
      const key = Object.keys(torchProbabilities).find((path) => `${basename(dirname(path))}/${basename(path)}` === prediction.id);
      assert.ok(key, `PyTorch side has no ${prediction.id}`);
      torchProbabilities[key]!.forEach((p, k) => (maxDifference = Math.max(maxDifference, Math.abs(p - prediction.probabilities[k]!))));
    }
    // float32 ONNX Runtime against float32 PyTorch on identical pixels: rounding only.
    assert.ok(maxDifference < 1e-5, `max |p_onnx - p_torch| = ${maxDifference}`);
    // The outputs depend on the image (not a constant the comparison would pass trivially).
    assert.ok(Math.max(...confidences) - Math.min(...confidences) > 0.05, `confidences ${confidences.join(' ')}`);
  },
);
