import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The URL to start a worker thread from, for a module beside this one named without extension: the compiled .js,
 * or, when the SDK runs from source under tsx (tests, benchmarks), a small module that registers tsx in the new
 * thread first: Node 20 does not carry `--import tsx` into worker threads.
 */
export function workerUrl(name: string): URL {
  if (extname(fileURLToPath(import.meta.url)) === '.js') return new URL(`./${name}.js`, import.meta.url);
  const entry = new URL(`./${name}.ts`, import.meta.url);
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
