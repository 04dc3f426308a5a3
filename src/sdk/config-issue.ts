import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { sectionKeysAt } from './config-keys.js';

type Issue = z.core.$ZodIssue;

/**
 * The issue to report from a union that failed: the first one of the member the value was meant for (the one whose
 * complaint is not "this is not my kind of value at all"), so that `mqtt: { keepaliveSec: 'x' }` names keepaliveSec
 * rather than saying the section is neither `false` nor a mapping.
 */
function innermost(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const notMine = (branch: Issue[]) => branch.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
  const branch = issue.errors.find((b) => b.length > 0 && !notMine(b));
  if (!branch) {
    const expected = issue.errors.flat().map((i) => (i.code === 'invalid_type' ? kindName(i.expected) : i.code === 'invalid_value' ? i.values.map(String).join(' or ') : undefined));
    const kinds = [...new Set(expected.filter(Boolean))];
    return { ...issue, message: kinds.length > 0 ? `must be ${kinds.join(' or ')}` : issue.message } as Issue;
  }
  const inner = innermost(branch[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}

const KIND_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', number: 'a number', string: 'a string', boolean: 'true or false' };
const kindName = (kind: string): string => KIND_NAMES[kind] ?? kind;

/** Zod's words for a missing field, in ours. */
function wording(issue: Issue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `required (${kindName(issue.expected)})`;
  return issue.message.replace(/\s*\n\s*/g, ' ').replace(/expected object\b/, 'expected a mapping');
}

/** How far a misspelling may be from a key to suggest it: one edit for short keys, two or three for longer ones. */
const nearEnough = (key: string): number => (key.length <= 3 ? 1 : key.length <= 8 ? 2 : 3);

/** A key as the user wrote it, quoted, control characters and all escaped, so that the message stays one line. */
const quoted = (key: string): string => JSON.stringify(key);

function unknownKeys(keys: string[], known: string[] | undefined): string {
  if (keys.length > 1) return `unknown keys ${keys.map(quoted).join(', ')}`;
  const key = keys[0] ?? '';
  const near = known && known.length > 0 ? closest(key, known) : undefined;
  const hint = near && distance(key.toLowerCase(), near.toLowerCase()) <= nearEnough(near) ? ` (did you mean ${quoted(near)}?)` : '';
  return `unknown key ${quoted(key)}${hint}`;
}

/**
 * One line for the first problem zod found in a configuration: `<origin>: <where>: <what>`, e.g.
 * `config.yaml: mqtt: unknown key "utl" (did you mean "url"?)`; `<where>` is left out at the top level.
 */
export function describeConfigIssue(error: z.ZodError, schema: z.ZodType, input: unknown, origin: string): string {
  const issue = innermost(error.issues[0]!);
  const field = issue.path.map(String).join('.');
  const message =
    issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys, sectionKeysAt(schema, input, issue.path)) : wording(issue);
  // A rule that ties fields together says which in its own words.
  if (!field || message.startsWith(`${field} `) || message.startsWith(`${field}.`)) return `${origin}: ${message}`;
  return `${origin}: ${field}: ${message}`;
}

/** parse() for a configuration: the value, or a ConfigError with describeConfigIssue's line. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, origin: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(describeConfigIssue(parsed.error, schema, input, origin));
}
