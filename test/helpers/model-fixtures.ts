import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './shared.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export const PEER_MODEL = 'peers/mini_xception_fer2013.onnx';

/** The manifest of the shared mini-Xception peer model: Nx1x64x64, (x/255-0.5)/0.5, output `probabilities`. */
export function peerManifest(modelBytes: Uint8Array): Record<string, unknown> {
  return {
    schema: 'fer-edge/model@1',
    name: 'mini-xception-fer2013',
    format: 'onnx',
    precision: 'fp32',
    sha256: createHash('sha256').update(modelBytes).digest('hex'),
    labels: ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'],
    input: { name: 'input', layout: 'NCHW', height: 64, width: 64, channels: 1, color: 'gray', mean: [0.5], std: [0.5], dtype: 'float32' },
    output: { name: 'probabilities', kind: 'probabilities' },
    temperature: 1,
    crop: { expand: 1.0 },
  };
}

export interface TempModel {
  dir: string;
  modelPath: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
  /** Rewrites the manifest (after `edit` changes a deep copy of the valid one). */
  writeManifest(edit?: (manifest: any) => void): void;
  cleanup(): void;
}

/** Copies the peer model into a fresh temp dir with a valid manifest beside it. */
export function tempPeerModel(fileName = 'peer.onnx'): TempModel {
  const dir = makeTempDir('fer-edge-model-');
  const modelPath = join(dir, fileName);
  copyFileSync(sharedPath(PEER_MODEL), modelPath);
  const manifest = peerManifest(readFileSync(modelPath));
  const manifestPath = modelPath.replace(/\.[^.]+$/, '.json');
  const model: TempModel = {
    dir,
    modelPath,
    manifestPath,
    manifest,
    writeManifest(edit) {
      const copy = structuredClone(manifest);
      edit?.(copy);
      writeFileSync(manifestPath, JSON.stringify(copy, null, 2));
    },
    cleanup: () => removeTempDir(dir),
  };
  model.writeManifest();
  return model;
}
