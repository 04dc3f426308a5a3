// Preloaded with `node --require` by tests: on exit, writes the packages the process loaded through the CommonJS
// loader (native bindings and CommonJS packages, including those imported from ES modules) as one stderr line.
process.on('exit', () => {
  const packages = new Set();
  for (const path of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (match) packages.add(match[1]);
  }
  process.stderr.write(`loaded-packages: ${JSON.stringify([...packages].sort())}\n`);
});
