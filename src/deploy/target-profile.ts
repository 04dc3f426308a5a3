import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

const modelChoiceSchema = z.strictObject({
  format: z.enum(['onnx', 'tflite']),
  precision: z.enum(['fp32', 'fp16', 'int8']),
  /** int8 ONNX: which QDQ graph (`fer-edge quantize --qdq-flavor`); default tensorrt. */
  qdq_flavor: z.enum(['tensorrt', 'cpu']).optional(),
  /** Keep only models whose manifest name contains this (e.g. "edgetpu"). */
  include: z.string().min(1).optional(),
  /** Drop models whose manifest name contains this. */
  exclude: z.string().min(1).optional(),
  /** Which family of models/index.json wins when several shipped models fit: the default's or the Edge TPU's. */
  family: z.enum(['default', 'edgetpu']).default('default'),
  /** Run edgetpu_compiler on the model at bundle time when the compiler is on PATH. */
  edgetpu_compile: z.boolean().default(false),
});

const variantSchema = z.strictObject({
  description: z.string(),
  model: modelChoiceSchema,
  /** Defaults of the `fer-edge run` configuration; validated by `run` itself on the robot. */
  config: z.record(z.string(), z.unknown()),
});

const profileFileSchema = z.strictObject({
  schema: z.literal('fer-edge/target@1'),
  family: z.string().regex(/^[a-z0-9]+$/),
  default_variant: z.string(),
  unit: z.string().regex(/^[a-z0-9-]+\.service$/),
  variants: z.record(z.string().regex(/^[a-z0-9]+$/), variantSchema),
});

export type ModelChoice = z.infer<typeof modelChoiceSchema>;

/** One deployable target: a family's profile narrowed to one variant. */
export interface TargetProfile {
  /** The full target name, `<family>-<variant>` (e.g. jetson-orin). */
  name: string;
  family: string;
  variant: string;
  description: string;
  model: ModelChoice;
  config: Record<string, unknown>;
  /** Directory of the family's files (targets/<family>). */
  dir: string;
  /** The systemd unit file name in that directory. */
  unit: string;
}

function readProfileFile(path: string): z.infer<typeof profileFileSchema> {
  const parsed = profileFileSchema.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Every target the targets directory offers, keyed by name; a family's name alone means its default variant. */
export function loadTargets(targetsDir: string): Map<string, TargetProfile> {
  const targets = new Map<string, TargetProfile>();
  for (const family of readdirSync(targetsDir).sort()) {
    const path = join(targetsDir, family, 'profile.yaml');
    if (!existsSync(path)) continue;
    const file = readProfileFile(path);
    if (!(file.default_variant in file.variants)) {
      throw new ConfigError(`${path}: default_variant '${file.default_variant}' is not one of its variants`);
    }
    for (const [variant, spec] of Object.entries(file.variants)) {
      const profile: TargetProfile = {
        name: `${file.family}-${variant}`,
        family: file.family,
        variant,
        description: spec.description,
        model: spec.model,
        config: spec.config,
        dir: join(targetsDir, family),
        unit: file.unit,
      };
      targets.set(profile.name, profile);
      if (variant === file.default_variant) targets.set(file.family, profile);
    }
  }
  return targets;
}

export function resolveTarget(targetsDir: string, name: string): TargetProfile {
  const targets = loadTargets(targetsDir);
  const profile = targets.get(name);
  if (!profile) throw new ConfigError(`unknown target '${name}': choose one of ${[...targets.keys()].sort().join(', ')}`);
  return profile;
}

/** The targets the directory offers, for help texts: `jetson (= jetson-orin), jetson-nano, ...`. */
export function describeTargets(targetsDir: string): string {
  let targets: Map<string, TargetProfile>;
  try {
    targets = loadTargets(targetsDir);
  } catch (error) {
    return `(cannot read ${targetsDir}: ${(error as Error).message})`;
  }
  const names = [...targets.keys()].sort();
  return names.map((name) => (targets.get(name)!.name !== name ? `${name} (= ${targets.get(name)!.name})` : name)).join(', ');
}
