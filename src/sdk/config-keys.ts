import type { z } from 'zod';

// What a configuration schema allows, read from zod's own schema description (`_zod.def`): the keys of the section a
// value sits in (for "did you mean" hints) and every section in the tree (so a test can check they all refuse
// unknown keys).

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  element?: Schema;
  valueType?: Schema;
  getter?: () => Schema;
}
type Schema = { _zod: { def: Def } };

const def = (schema: unknown): Def => (schema as Schema)._zod.def;

/** The schema under optional/default/prefault/pipe/... wrappers. */
function unwrap(schema: Schema): Schema {
  for (;;) {
    const d = def(schema);
    if (d.innerType) schema = d.innerType;
    else if (d.type === 'pipe' && d.in) schema = d.in;
    else if (d.type === 'lazy' && d.getter) schema = d.getter();
    else return schema;
  }
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The union member a value is meant for: by its discriminator when the union has one, else every object member. */
function candidates(union: Def, value: unknown): Schema[] {
  const options = union.options ?? [];
  if (union.discriminator && isPlain(value)) {
    const tag = value[union.discriminator];
    return options.filter((option) => {
      const field = def(unwrap(option)).shape?.[union.discriminator!];
      return field !== undefined && (def(unwrap(field)).values ?? []).includes(tag);
    });
  }
  return options;
}

/** The keys allowed in the section at `path` of `value`, or undefined when the schema there is not a section. */
export function sectionKeysAt(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): string[] | undefined {
  const at = unwrap(schema as unknown as Schema);
  const d = def(at);
  if (d.type === 'union') {
    for (const option of candidates(d, value)) {
      const keys = sectionKeysAt(option as unknown as z.ZodType, value, path);
      if (keys) return keys;
    }
    return undefined;
  }
  if (d.type !== 'object' || !d.shape) return undefined;
  if (path.length === 0) return Object.keys(d.shape);
  const [head, ...rest] = path;
  const field = d.shape[String(head)];
  return field && isPlain(value) ? sectionKeysAt(field as unknown as z.ZodType, value[String(head)], rest) : undefined;
}

export interface ConfigSection {
  /** Where the section is, e.g. `mqtt.tls` or `source(opencv).reconnect`. */
  path: string;
  /** Whether it refuses keys it does not know. */
  strict: boolean;
}

/** Every section (object schema) in the tree, union members included. */
export function configSections(schema: z.ZodType, path = ''): ConfigSection[] {
  const at = unwrap(schema as unknown as Schema);
  const d = def(at);
  const child = (sub: Schema, name: string) => configSections(sub as unknown as z.ZodType, name);
  if (d.type === 'union') {
    return (d.options ?? []).flatMap((option) => {
      const tag = d.discriminator ? def(unwrap(def(unwrap(option)).shape![d.discriminator]!)).values?.[0] : undefined;
      return child(option, tag === undefined ? path : `${path}(${String(tag)})`);
    });
  }
  if (d.type === 'array' && d.element) return child(d.element, `${path}[]`);
  if (d.type === 'record' && d.valueType) return child(d.valueType, `${path}.*`);
  if (d.type !== 'object' || !d.shape) return [];
  const own: ConfigSection = { path: path || '(top level)', strict: d.catchall !== undefined && def(d.catchall).type === 'never' };
  return [own, ...Object.entries(d.shape).flatMap(([key, sub]) => child(sub, path ? `${path}.${key}` : key))];
}
