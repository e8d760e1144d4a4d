// The options a job may give its explanation methods, declared once: each is a job spec field (camelCase) and a
// command-line flag (kebab-case), with a description. Each method's own parameter schema (shared/method-catalogue.ts)
// is built from these, adding its default and narrowing the values; --help, the window's job form and the engine's
// parameter resolution all read those schemas.
import { z } from 'zod';

export const METHOD_OPTIONS = {
  layers: z.array(z.string().min(1)).min(1, { error: 'layers, when given, must name at least one cut point' })
    .meta({ title: 'Cut points', description: 'cut points by layer name (see dixw layers)' }),
  steps: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' })
    .min(1, { error: 'must be a positive integer' }).max(10_000, { error: 'must be at most 10000' })
    .meta({ title: 'Steps (N)', description: 'integration steps N' }),
  baseline: z.string().min(1).meta({ title: 'Baseline', description: 'the path\'s starting point' }),
  normalizeLayers: z.boolean().meta({ title: 'Normalize layers', description: 'min-max each layer\'s map before aggregating them' }),
  samples: z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' })
    .min(1, { error: 'must be a positive integer' }).max(100_000, { error: 'must be at most 100000' })
    .meta({ title: 'Samples', description: 'noisy copies of the input per image' }),
  noise: z.number({ error: 'must be a number from 0 to 10' }).min(0, { error: 'must be a number from 0 to 10' })
    .max(10, { error: 'must be a number from 0 to 10' })
    .meta({ title: 'Noise level', description: 'noise standard deviation, as a fraction of the input\'s range (max - min)' }),
  fraction: z.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be a number from 0 to 1' })
    .max(1, { error: 'must be a number from 0 to 1' }).meta({ title: 'Fraction per step', description: 'fraction of the features moved at every step' }),
  maxDist: z.number({ error: 'must be a number from 0 to 1' }).min(0, { error: 'must be a number from 0 to 1' })
    .max(1, { error: 'must be a number from 0 to 1' })
    .meta({ title: 'Max distance', description: 'how far (in alpha) a feature may run ahead of or lag behind the straight path' }),
  maxSigma: z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' })
    .meta({ title: 'Max sigma', description: 'the largest Gaussian blur sigma, in pixels' }),
  gradStep: z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' })
    .meta({ title: 'Sigma step', description: 'sigma step of the finite difference d blur / d sigma' }),
} as const;

export type MethodOptionKey = keyof typeof METHOD_OPTIONS;
export const METHOD_OPTION_KEYS = Object.keys(METHOD_OPTIONS) as MethodOptionKey[];

/** The option fields of a job spec: every method option, optional (each method fills in its own default). */
export const METHOD_OPTION_FIELDS = Object.fromEntries(METHOD_OPTION_KEYS.map((k) => [k, METHOD_OPTIONS[k].optional()])) as {
  [K in MethodOptionKey]: z.ZodOptional<(typeof METHOD_OPTIONS)[K]>;
};

/** The method options' values, as a spec gives them. */
export type MethodOptionValues = { [K in MethodOptionKey]?: z.infer<(typeof METHOD_OPTIONS)[K]> };

/** The method options a spec (or any object with its fields) gives, and only those. */
export function pickMethodOptions(o: MethodOptionValues): MethodOptionValues {
  const out: Record<string, unknown> = {};
  for (const k of METHOD_OPTION_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as MethodOptionValues;
}

/** The command-line flag of a spec field: normalizeLayers -> --normalize-layers. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What a parameter declaration says, for --help and the job form. */
export interface ParamInfo {
  key: string;
  flag: string;
  /** A short label for a form field, e.g. "Steps (N)". */
  title: string;
  description: string;
  kind: 'integer' | 'number' | 'choice' | 'boolean' | 'list' | 'text';
  /** undefined: no fixed default (e.g. layers, which depend on the model). */
  default: unknown;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

/** Reads a parameter's declaration back: its default, description, kind and bounds. */
export function paramInfo(key: string, schema: z.ZodType): ParamInfo {
  let s: z.ZodType = schema;
  let description = s.description;
  let title = s.meta()?.title;
  let dflt: unknown;
  for (;;) {
    if (s instanceof z.ZodDefault) dflt = s.def.defaultValue;
    else if (!(s instanceof z.ZodOptional)) break;
    s = (s as z.ZodDefault<z.ZodType> | z.ZodOptional<z.ZodType>).unwrap() as z.ZodType;
    description ??= s.description;
    title ??= s.meta()?.title;
  }
  const info: ParamInfo = { key, flag: flagOf(key), title: title ?? key, description: description ?? key, kind: 'text', default: dflt };
  if (s instanceof z.ZodNumber) {
    info.kind = s.format === 'safeint' || s.isInt ? 'integer' : 'number';
    if (s.minValue !== null && Number.isFinite(s.minValue)) info.min = s.minValue;
    if (s.maxValue !== null && Number.isFinite(s.maxValue)) info.max = s.maxValue;
  } else if (s instanceof z.ZodEnum) {
    info.kind = 'choice';
    info.choices = s.options.map(String);
  } else if (s instanceof z.ZodBoolean) info.kind = 'boolean';
  else if (s instanceof z.ZodArray) info.kind = 'list';
  return info;
}

/** "--steps N (default 10)": one parameter as a line of --help. */
export function paramUsage(p: ParamInfo): string {
  const value = p.kind === 'boolean' ? '' : p.kind === 'choice' ? ` ${p.choices!.join('|')}` : p.kind === 'list' ? ' a,b,...' : p.kind === 'integer' ? ' N' : ' X';
  const dflt = p.default === undefined ? '' : p.kind === 'boolean' ? (p.default ? ' (default: on)' : ' (default: off)') : ` (default ${String(p.default)})`;
  return `${p.flag}${value}: ${p.description}${dflt}`;
}
