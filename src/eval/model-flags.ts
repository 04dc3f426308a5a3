import { Option, type Command } from 'commander';
import { BACKEND_TYPES, backendConfigFor, type BackendConfigInput } from '../sdk/backends/index.js';
import { ConfigError } from '../core/errors.js';
import type { ModelSpecOptions } from './model-options.js';

/** The flags `eval` and `bench` share to describe a model and its runtime. */
export interface ModelFlags {
  manifest?: string;
  mean?: string;
  std?: string;
  color?: 'gray' | 'rgb' | 'bgr';
  output?: string;
  outputKind?: 'logits' | 'probabilities';
  inputSize?: string;
  cropExpand?: string;
  /** `auto` or a back end's key (BACKEND_TYPES). */
  backend: string;
  threads?: string;
}

export function addModelFlags(command: Command, prefix = ''): Command {
  const p = prefix ? `${prefix}-` : '';
  return command
    .option(`--${p}manifest <path>`, 'the model manifest, when it is not beside the model (docs/model-manifest.md)')
    .option(`--${p}mean <values>`, 'for a model without manifest: per-channel mean, x = (pixel/255 - mean) / std (e.g. 0.5)')
    .option(`--${p}std <values>`, 'for a model without manifest: per-channel std (e.g. 0.5)')
    .addOption(new Option(`--${p}color <order>`, 'for a model without manifest: channel order of a 3-channel input').choices(['gray', 'rgb', 'bgr']))
    .option(`--${p}output <name>`, 'for a model without manifest: output tensor name (default: the only output)')
    .addOption(new Option(`--${p}output-kind <kind>`, 'for a model without manifest: what the output holds').choices(['probabilities', 'logits']))
    .option(`--${p}input-size <pixels>`, 'for a model without manifest whose input size is dynamic: the square side')
    .option(`--${p}crop-expand <factor>`, 'for a model without manifest: face crop side / face box side in live video (default 1)');
}

export function addBackendFlags(command: Command): Command {
  return command
    .addOption(new Option('--backend <type>', 'runtime (auto: from the model file\'s extension)').choices(['auto', ...BACKEND_TYPES]).default('auto'))
    .option('--threads <n>', 'runtime threads (default: the runtime default)');
}

export function parseNumber(value: string | undefined, flag: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new ConfigError(`${flag} ${value}: not a valid value`);
  return n;
}

export const positiveInteger = (n: number): boolean => Number.isInteger(n) && n > 0;

function parseList(value: string | undefined, flag: string): number[] | undefined {
  return value?.split(',').map((part) => parseNumber(part, flag)!);
}

/** Reads the model flags, named with `prefix` (e.g. `peer` for --peer-mean), from commander's option object. */
export function modelSpecFromFlags(model: string, flags: Record<string, unknown>, prefix = ''): ModelSpecOptions {
  const key = (name: string): string => (prefix ? prefix + name[0]!.toUpperCase() + name.slice(1) : name);
  const flag = (name: string): string => `--${prefix ? `${prefix}-` : ''}${name}`;
  const get = (name: string): string | undefined => flags[key(name)] as string | undefined;
  return {
    model,
    manifest: get('manifest'),
    mean: parseList(get('mean'), flag('mean')),
    std: parseList(get('std'), flag('std')),
    color: get('color') as ModelSpecOptions['color'],
    output: get('output'),
    outputKind: get('outputKind') as ModelSpecOptions['outputKind'],
    inputSize: parseNumber(get('inputSize'), flag('input-size'), positiveInteger),
    cropExpand: parseNumber(get('cropExpand'), flag('crop-expand'), (n) => n >= 1),
  };
}

export function backendFromFlags(flags: { backend?: string; threads?: string }): BackendConfigInput {
  return backendConfigFor(flags.backend ?? 'auto', parseNumber(flags.threads, '--threads', positiveInteger));
}
