/**
 * Validating a configuration (deploy on a workstation, `fer-edge run` before anything loads) must not load OpenCV or
 * an inference runtime: the config schema and the plugin registries reach native code only through `import()` in a
 * plugin's `create`. Dynamic and type-only imports are left out of this cruise (neither loads anything when the config
 * module loads); the layer rules it extends apply as well. Run by test/architecture.test.ts.
 */
const NATIVE = 'node_modules/(@u4/opencv4nodejs|@u4/opencv-build|onnxruntime-node|tfjs-tflite-node|@tensorflow/tfjs-node)/';

module.exports = {
  extends: './.dependency-cruiser.cjs',
  forbidden: [
    {
      name: 'config-without-native-modules',
      comment: 'The configuration schema loads no native module.',
      severity: 'error',
      from: { path: '^src/sdk/(config|config-file)\\.ts$' },
      to: { path: NATIVE, reachable: true },
    },
  ],
  options: {
    exclude: { path: '^dist/', dynamic: true },
    tsPreCompilationDeps: false,
  },
};
