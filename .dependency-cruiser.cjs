/**
 * The layers of src/, each importing only from those below it (docs/architecture.md):
 *   core (errors, logging, package paths, the ONNX and TFLite formats)
 *   < sdk (the runtime a robot imports, capture included)
 *   < tools (quantize, eval, bench, deploy)
 *   < cli.
 * The tests run this check (test/architecture.test.ts), and .dependency-cruiser-config.cjs's; there is no exceptions
 * list.
 */
const TOOLS = '^src/(quantize|eval|bench|deploy)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-the-bottom',
      comment: 'src/core is what every layer shares: it imports no other part of fer-edge.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(sdk|quantize|eval|bench|deploy|cli)/' },
    },
    {
      name: 'sdk-below-tools',
      comment: 'The SDK is what a robot imports: it must not pull in the model tools or the command line.',
      severity: 'error',
      from: { path: '^src/sdk/' },
      to: { path: '^src/(quantize|eval|bench|deploy|cli)/' },
    },
    {
      name: 'tools-below-cli',
      comment: 'quantize, eval, bench and deploy are libraries the command line drives, never the other way round.',
      severity: 'error',
      from: { path: TOOLS },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be understood or tested one at a time.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'resolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
