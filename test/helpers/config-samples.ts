import type { PipelineConfigInput } from '../../src/sdk/config.js';

/**
 * Valid `fer-edge run` configurations that between them use every section and every kind of source, detector and
 * back end; the fuzz and strictness tests mutate them. Nothing here is opened: the paths need not exist.
 */
export const VALID_CONFIGS: PipelineConfigInput[] = [
  { source: { type: 'opencv', file: '/media/clip.mp4', playback: 'fast', loop: true, reconnect: { attempts: 0, factor: 1.5 } } },
  {
    deviceId: 'robot-1',
    source: { type: 'opencv', device: 0, width: 640, height: 480, fps: 30 },
    detector: { type: 'blazeface', range: 'full', backend: { type: 'onnxruntime', executionProviders: ['cpu'], tensorrt: { fp16: true } } },
    detectEvery: 3,
    detectOnChange: false,
    confirmOnNextFrame: false,
    classifyEvery: 2,
    detectorThread: 'main',
    model: '/models/student.onnx',
    backend: { type: 'onnxruntime', intraOpThreads: 2, graphOptimizationLevel: 'basic', deviceId: 0, tensorrt: { engineCachePath: '/state/trt', int8: true } },
    crop: { expand: 1.3, align: false },
    tracker: { minHits: 3, lostTimeoutMs: 800, smoothing: { timeConstantMs: 200 }, hysteresis: { margin: 0.2, minDurationMs: 300, minConfidence: 0.5 } },
    mqtt: {
      url: 'mqtts://broker.local:8883',
      clientId: 'robot-1',
      username: 'robot',
      tls: { ca: '/etc/ca.pem', cert: '/etc/c.pem', key: '/etc/k.pem', rejectUnauthorized: true },
      protocolVersion: 5,
      keepaliveSec: 10,
      topicPrefix: 'lab/fer',
      outbox: { dir: '/state/mqtt-outbox', maxEvents: 100 },
      maxInflight: 8,
      reconnect: { minDelayMs: 100, maxDelayMs: 5000 },
      faceStateIntervalMs: 500,
      closeTimeoutMs: 1000,
      homeAssistant: { enabled: true, discoveryPrefix: 'ha' },
    },
    health: { file: '/state/health.json', intervalSec: 1, stallSec: 5, watchdogSec: 30 },
    preview: { host: '0.0.0.0', port: 8091, token: 'a-long-enough-preview-token', maxFps: 10, jpegQuality: 60 },
    statsIntervalSec: 2,
  },
  {
    source: { type: 'images', dir: '/frames', loop: true, fps: 5 },
    detector: { type: 'yunet', model: '/models/yunet.onnx', scoreThreshold: 0.7, nmsThreshold: 0.4, minFaceSize: 20 },
    backend: { type: 'tflite', threads: 4, delegate: 'edgetpu', edgetpuDevice: 'usb' },
    mqtt: { username: 'robot', password: 'a-password', embedded: { host: '0.0.0.0', port: 1884 }, outbox: { dir: false } },
  },
  {
    source: { type: 'webcam-still', device: 'TEST:', width: 320, height: 240, skip: 2, intervalMs: 500, fswebcam: 'fswebcam', timeoutMs: 5000 },
    detector: { type: 'haar', scaleFactor: 1.2, minNeighbors: 4, minFaceSize: 30 },
    backend: { type: 'auto', threads: 2 },
    mqtt: false,
  },
  {
    source: { type: 'opencv', url: 'rtsp://camera.local/stream' },
    detector: { type: 'ultraface', model: '/models/ultraface.onnx', backend: { type: 'auto' } },
    preview: { port: 0 },
  },
  { source: { type: 'opencv', gstreamer: 'nvarguscamerasrc ! appsink' }, detector: { type: 'whole-frame', margin: 0.1 } },
];
