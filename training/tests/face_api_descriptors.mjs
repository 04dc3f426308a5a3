// face-api's own 128-d descriptors for faces given as raw RGB bytes, to check training/models/face_resnet.py against.
//   node training/tests/face_api_descriptors.mjs faces.rgb COUNT   -> JSON [[128 numbers], ...] on stdout
// faces.rgb holds COUNT images of 150x150x3 uint8, row-major RGB (the size face-api feeds its recognition net).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';

const [file, countText] = process.argv.slice(2);
const count = Number(countText);
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();
const modelDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'face_recognition_model-weights_manifest.json'), 'utf8'));
const bin = fs.readFileSync(path.join(modelDir, 'face_recognition_model.bin'));
const weights = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0].weights);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(weights);

const bytes = fs.readFileSync(file);
const size = 150 * 150 * 3;
const out = [];
for (let i = 0; i < count; i++) {
  const face = tf.tensor4d(new Float32Array(bytes.subarray(i * size, (i + 1) * size)), [1, 150, 150, 3]);
  out.push(Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(face)));
  face.dispose();
}
process.stdout.write(JSON.stringify(out));
