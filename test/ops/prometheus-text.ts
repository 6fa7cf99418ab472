/** A strict reader of the Prometheus text exposition format 0.0.4, for tests. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one series; `undefined` when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
// Values are read like Go's strconv.ParseFloat: NaN and Inf in any letter case (prom-client writes "Nan").
const VALUE = /^(?:nan|[+-]?inf(?:inity)?|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;

/**
 * Parses exposition text, throwing on the first line that does not follow the format: empty lines, HELP and
 * TYPE comments, sample lines with quoted, escaped labels and a float value, every sample belonging
 * to a family declared by a TYPE line before it, histogram buckets cumulative with `le="+Inf"` equal
 * to `_count`.
 */
export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '' || HELP.test(line)) return; // the format ignores empty lines
    const type = TYPE.exec(line);
    if (type) {
      if (types.has(type[1]!)) throw new Error(`duplicate TYPE, ${where}`);
      types.set(type[1]!, type[2]!);
      return;
    }
    if (line.startsWith('#')) throw new Error(`unknown comment, ${where}`);
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not a sample, ${where}`);
    const [, name, rawLabels, rawValue] = sample;
    if (!VALUE.test(rawValue!)) throw new Error(`bad value, ${where}`);
    const labels: Record<string, string> = {};
    if (rawLabels !== undefined && rawLabels !== '') {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < rawLabels.length) {
        const start = LABEL.lastIndex;
        const label = LABEL.exec(rawLabels);
        if (!label || label.index !== start) throw new Error(`bad labels, ${where}`);
        labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    const family = familyOf(name!, types);
    if (!family) throw new Error(`sample without a TYPE before it, ${where}`);
    samples.push({ name: name!, labels, value: floatValue(rawValue!) });
  });
  checkHistograms(types, samples);
  return {
    types,
    samples,
    value(name, labels = {}) {
      const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length);
      return found?.value;
    },
  };
}

function floatValue(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+-]?inf/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(raw);
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const type = types.get(base);
      if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
    }
  }
  return undefined;
}

function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const sample of samples.filter((s) => s.name === `${family}_bucket`)) {
      const { le: _le, ...rest } = sample.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), sample]);
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i++) {
        if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family}${key}: buckets not cumulative`);
      }
      const inf = buckets.find((b) => b.labels.le === '+Inf');
      const countSample = samples.find((s) => s.name === `${family}_count` && JSON.stringify(withoutLe(s.labels)) === key);
      if (!inf || !countSample || inf.value !== countSample.value) throw new Error(`${family}${key}: +Inf bucket does not equal _count`);
    }
  }
}

function withoutLe(labels: Record<string, string>): Record<string, string> {
  const { le: _le, ...rest } = labels;
  return rest;
}
