import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBackend } from '../src/sdk/backends/index.js';
import { createEmotionClassifier } from '../src/sdk/classifier.js';
import { ModelError } from '../src/core/errors.js';
import { defaultModelPath, indexedModelFiles, loadModel, manifestPathFor } from '../src/sdk/model/index.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

/** Asserts a ModelError whose one-line message matches every pattern. */
async function rejectsWithModelError(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `not one line: ${error.message}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

test('manifestPathFor replaces only the last extension', () => {
  assert.equal(manifestPathFor('/m/fer-mnv3s-kd.onnx'), '/m/fer-mnv3s-kd.json');
  assert.equal(manifestPathFor('/m/fer-mnv3s-kd.int8.tflite'), '/m/fer-mnv3s-kd.int8.json');
});

describe('loadModel on the peer model', { skip: skipUnlessShared(PEER_MODEL) }, () => {
  let model: TempModel;
  before(() => {
    model = tempPeerModel();
  });
  after(() => model.cleanup());

  test('a valid manifest loads and a classifier accepts the real ONNX tensors', async () => {
    model.writeManifest();
    const loaded = await loadModel(model.modelPath);
    assert.equal(loaded.manifest.input.height, 64);
    assert.equal(loaded.manifestPath, model.manifestPath);
    const backend = await createBackend(loaded.path);
    const classifier = createEmotionClassifier({ model: loaded, backend });
    assert.equal(classifier.manifest.output.kind, 'probabilities');
    await classifier.close();
  });

  test('bad JSON names the file', async () => {
    writeFileSync(model.manifestPath, '{ "schema": "fer-edge/model@1", ');
    await rejectsWithModelError(loadModel(model.modelPath), /not valid JSON/, new RegExp(model.manifestPath));
  });

  test('a bad field names the field and the file', async () => {
    model.writeManifest((m) => {
      m.input.layout = 'HWC';
    });
    await rejectsWithModelError(loadModel(model.modelPath), /field "input\.layout"/, new RegExp(model.manifestPath));
    model.writeManifest((m) => {
      delete m.temperature;
    });
    await rejectsWithModelError(loadModel(model.modelPath), /field "temperature"/);
    model.writeManifest((m) => {
      m.input.mean = [0.5, 0.5, 0.5];
    });
    await rejectsWithModelError(loadModel(model.modelPath), /field "input\.mean"/);
  });

  test('labels out of FER2013 order are refused', async () => {
    model.writeManifest((m) => {
      m.labels = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];
    });
    await rejectsWithModelError(loadModel(model.modelPath), /field "labels" must be the 7 FER2013 labels in order/, /got \(angry, disgust, fear, happy, neutral/);
  });

  test('a sha256 mismatch says corrupt or replaced', async () => {
    model.writeManifest((m) => {
      m.sha256 = '0'.repeat(64);
    });
    await rejectsWithModelError(loadModel(model.modelPath), /does not match its manifest \(sha256 [0-9a-f]{64}, manifest says 0{64}\): corrupt or replaced/);
  });

  test('an input size that differs from the real ONNX input is refused once the back end has loaded', async () => {
    model.writeManifest((m) => {
      m.input.height = 48;
      m.input.width = 48;
    });
    const loaded = await loadModel(model.modelPath);
    const backend = await createBackend(loaded.path);
    assert.throws(
      () => createEmotionClassifier({ model: loaded, backend }),
      (error: unknown) => error instanceof ModelError && /input "input" is \[N,1,64,64\] but its manifest says \[N,1,48,48\]/.test(error.message),
    );
    await backend.close();
  });

  test('an input or output name the model does not have is refused', async () => {
    model.writeManifest((m) => {
      m.output.name = 'logits';
    });
    const loaded = await loadModel(model.modelPath);
    const backend = await createBackend(loaded.path);
    assert.throws(() => createEmotionClassifier({ model: loaded, backend }), /manifest names output "logits" but the model's outputs are "probabilities"/);
    await backend.close();
  });
});

describe('missing and corrupt files', () => {
  const dir = tempDirForTests('fer-edge-model-');

  test('a missing model file', async () => {
    await rejectsWithModelError(loadModel(join(dir, 'nothing.onnx')), /model .*nothing\.onnx not found/);
  });

  test('a missing manifest says where it looked', async () => {
    const path = join(dir, 'lonely.onnx');
    writeFileSync(path, randomBytes(64));
    await rejectsWithModelError(loadModel(path), /has no manifest: looked for .*lonely\.json/);
  });

  test('a random-bytes .onnx and a truncated .onnx give a ModelError, not a crash', { skip: skipUnlessShared(PEER_MODEL) }, async () => {
    const randomModel = join(dir, 'random.onnx');
    writeFileSync(randomModel, randomBytes(4096));
    await rejectsWithModelError(createBackend(randomModel), /cannot load ONNX model .*random\.onnx/);

    const model = tempPeerModel('truncated.onnx');
    try {
      const bytes = readFileSync(model.modelPath);
      writeFileSync(model.modelPath, bytes.subarray(0, Math.floor(bytes.length / 3)));
      await rejectsWithModelError(createBackend(model.modelPath), /cannot load ONNX model .*truncated\.onnx/);
      // With a manifest beside it the sha256 check catches the same damage first.
      await rejectsWithModelError(loadModel(model.modelPath), /corrupt or replaced/);
    } finally {
      model.cleanup();
    }
  });

  test('a random-bytes .tflite gives a ModelError', async () => {
    const path = join(dir, 'random.tflite');
    writeFileSync(path, randomBytes(4096));
    await rejectsWithModelError(createBackend(path), /not a TFLite flatbuffer/);
    // Right identifier, garbage body: the runtime's verifier refuses it.
    const fake = Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from('TFL3'), randomBytes(4096)]);
    writeFileSync(path, fake);
    await rejectsWithModelError(createBackend(path), /cannot load TFLite model/);
  });

  test('the manifest format must match the file', { skip: skipUnlessShared(PEER_MODEL) }, async () => {
    const model = tempPeerModel();
    try {
      model.writeManifest((m) => {
        m.format = 'tflite';
      });
      await rejectsWithModelError(loadModel(model.modelPath), /says format "tflite" but the file is onnx/);
    } finally {
      model.cleanup();
    }
  });
});

describe('defaultModelPath', () => {
  const dir = tempDirForTests('fer-edge-models-');

  test('reads models/index.json', () => {
    assert.throws(() => defaultModelPath('onnx', dir), /no shipped model: .*index\.json does not exist/);
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: { onnx: 'student.onnx' } }));
    assert.throws(() => defaultModelPath('onnx', dir), /names student\.onnx as the default onnx model, but .* does not exist/);
    assert.throws(() => defaultModelPath('tflite', dir), /names no default tflite model/);
    writeFileSync(join(dir, 'student.onnx'), 'x');
    assert.equal(defaultModelPath('onnx', dir), join(dir, 'student.onnx'));
    appendFileSync(join(dir, 'index.json'), '}');
    assert.throws(() => defaultModelPath('onnx', dir), ModelError);
  });

  test('the Edge TPU role names its own model, else falls back to the default', () => {
    writeFileSync(join(dir, 'student.int8.tflite'), 'x');
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: { onnx: 'student.onnx', tflite: 'student.int8.tflite' } }));
    assert.equal(defaultModelPath('tflite', dir, 'edgetpu'), join(dir, 'student.int8.tflite'));
    writeFileSync(join(dir, 'relu-student.int8.tflite'), 'x');
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: { onnx: 'student.onnx', tflite: 'student.int8.tflite' }, edgetpu: { tflite: 'relu-student.int8.tflite' } }));
    assert.equal(defaultModelPath('tflite', dir, 'edgetpu'), join(dir, 'relu-student.int8.tflite'));
    assert.equal(defaultModelPath('tflite', dir), join(dir, 'student.int8.tflite'));
    assert.deepEqual(indexedModelFiles(dir), ['student.onnx', 'student.int8.tflite']);
    assert.deepEqual(indexedModelFiles(dir, 'edgetpu'), ['relu-student.int8.tflite']);
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ default: {}, edgetpu: { tflite: 3 } }));
    assert.throws(() => defaultModelPath('tflite', dir, 'edgetpu'), /index\.json: field "edgetpu\.tflite": /);
  });
});
