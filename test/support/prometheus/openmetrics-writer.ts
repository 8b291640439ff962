/**
 * A small OpenMetrics text writer for backfilling Prometheus with `promtool tsdb create-blocks-from openmetrics`.
 *
 * What promtool needs (see /work/shared/reference/datasources.md §3): every sample carries a timestamp in
 * seconds, samples of one series are in time order (out-of-order samples are silently dropped, so the writer
 * sorts them), the text ends with `# EOF` and nothing after it. Families are declared once; samples of a family
 * are written together, whatever order they were added in.
 *
 * The writer also checks what a real exporter guarantees: counters (and the `_count`/`_sum`/`_bucket` series of
 * histograms and summaries) never decrease except at a declared reset (a process restart), histogram buckets are
 * cumulative and end with `+Inf` equal to `_count`.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';

/** A label set; `__name__` is not allowed (the sample name is given separately). */
export type Labels = Readonly<Record<string, string>>;

export interface FamilyDeclaration {
  name: string;
  type: MetricType;
  help: string;
  /** OpenMetrics `# UNIT` (must be a suffix of the family name when given). */
  unit?: string;
}

/** Appends samples to one series. */
export interface SeriesHandle {
  add(timestampSeconds: number, value: number, reset?: boolean): void;
}

/** Appends observations to one classic histogram (all its `_bucket`, `_sum` and `_count` series). */
export interface HistogramHandle {
  add(
    timestampSeconds: number,
    data: { cumulative: readonly number[]; sum: number; count: number },
    reset?: boolean,
  ): void;
}

export interface WriterStats {
  families: number;
  series: number;
  samples: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Series {
  family: string;
  sampleName: string;
  labelText: string;
  labels: Labels;
  /** Timestamps in seconds. */
  ts: number[];
  values: number[];
  /** Timestamps at which a counter-like series may drop (a process restart). */
  resets: Set<number> | undefined;
}

interface Family extends FamilyDeclaration {
  series: Map<string, Series>;
}

/** Escapes a label value for the OpenMetrics text format (backslash, double quote and line feed). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes `# HELP` text (the same three escapes). */
export function escapeHelp(text: string): string {
  return escapeLabelValue(text);
}

/** Formats a sample value: integers as integers, other numbers with 10 significant digits. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(10)));
}

/** Formats a timestamp in seconds with at most millisecond precision (what a scrape records). */
export function formatTimestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const whole = Math.trunc(ms / 1000);
  const frac = ms - whole * 1000;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** Formats an `le` or `quantile` bound the way prom-client and client_golang do (`0.005`, `1`, `+Inf`). */
export function formatBound(bound: number): string {
  return formatValue(bound);
}

function renderLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  const parts: string[] = [];
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(name)}`);
    const value = labels[name];
    if (value === undefined || value === '') continue; // Prometheus drops empty labels; so do we.
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function isCounterLike(family: Family, sampleName: string): boolean {
  if (family.type === 'counter') return true;
  if (family.type === 'histogram' || family.type === 'summary') {
    return sampleName.endsWith('_count') || sampleName.endsWith('_sum') || sampleName.endsWith('_bucket');
  }
  return false;
}

function allowedSampleNames(family: Family): string[] {
  switch (family.type) {
    case 'counter':
      // `_total` per OpenMetrics; the bare name too, as some exporters (ingress-nginx) expose it and promtool accepts it.
      return [`${family.name}_total`, family.name];
    case 'histogram':
      return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
    case 'summary':
      return [family.name, `${family.name}_sum`, `${family.name}_count`];
    default:
      return [family.name];
  }
}

/** Collects samples and renders them as one OpenMetrics document. */
export class OpenMetricsWriter {
  readonly #families = new Map<string, Family>();
  #samples = 0;

  /** Declares a family; declaring it again with the same type is a no-op, with another type an error. */
  declare(declaration: FamilyDeclaration): void {
    const { name, type, help, unit } = declaration;
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric family name ${JSON.stringify(name)}`);
    if (type === 'counter' && name.endsWith('_total')) {
      throw new Error(`counter family ${name} must be declared without its _total suffix`);
    }
    if (unit !== undefined && !name.endsWith(`_${unit}`))
      throw new Error(`family ${name} does not end with unit ${unit}`);
    const existing = this.#families.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new Error(`family ${name} declared as ${existing.type} and again as ${type}`);
      }
      return;
    }
    this.#families.set(name, { name, type, help, ...(unit === undefined ? {} : { unit }), series: new Map() });
  }

  /** True when the family was declared. */
  has(name: string): boolean {
    return this.#families.has(name);
  }

  /**
   * Adds one sample. `sampleName` must belong to the family (`x_total` for counter `x`, `x_bucket`/`x_sum`/`x_count`
   * for histogram `x`, …). `reset: true` marks a counter restart at this timestamp (the value may drop).
   * Adding the same series and timestamp twice is allowed only with the same value (shared infrastructure
   * series emitted by two scenarios); a different value is an error.
   */
  add(
    family: string,
    sampleName: string,
    labels: Labels,
    timestampSeconds: number,
    value: number,
    options?: { reset?: boolean },
  ): void {
    this.series(family, sampleName, labels).add(timestampSeconds, value, options?.reset === true);
  }

  /** A handle on one series, so hot loops render the label set once. */
  series(family: string, sampleName: string, labels: Labels): SeriesHandle {
    const fam = this.#families.get(family);
    if (!fam) throw new Error(`family ${family} was not declared`);
    if (!allowedSampleNames(fam).includes(sampleName)) {
      throw new Error(`sample ${sampleName} does not belong to ${fam.type} family ${family}`);
    }
    if ('__name__' in labels) throw new Error('labels must not contain __name__');
    const labelText = renderLabels(labels);
    const key = `${sampleName}${labelText}`;
    let series = fam.series.get(key);
    if (!series) {
      series = { family, sampleName, labelText, labels, ts: [], values: [], resets: undefined };
      fam.series.set(key, series);
    }
    const target = series;
    return {
      add: (timestampSeconds: number, value: number, reset = false): void => {
        if (!Number.isFinite(timestampSeconds)) throw new Error(`timestamp for ${sampleName} is not finite`);
        if (timestampSeconds > 1e11) {
          throw new Error(`timestamp ${timestampSeconds} for ${sampleName} looks like milliseconds; use seconds`);
        }
        if (Number.isNaN(value)) throw new Error(`value for ${sampleName}${labelText} is NaN`);
        target.ts.push(timestampSeconds);
        target.values.push(value);
        if (reset) {
          target.resets ??= new Set();
          target.resets.add(timestampSeconds);
        }
        this.#samples += 1;
      },
    };
  }

  /** Handles for one classic histogram series set (`_bucket` per bound plus `+Inf`, `_sum`, `_count`). */
  histogramSeries(name: string, labels: Labels, bounds: readonly number[]): HistogramHandle {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] ?? 0) > (bounds[i - 1] ?? 0))) throw new Error(`histogram ${name}: bucket bounds must increase`);
    }
    const buckets = bounds.map((bound) => this.series(name, `${name}_bucket`, { ...labels, le: formatBound(bound) }));
    const inf = this.series(name, `${name}_bucket`, { ...labels, le: '+Inf' });
    const sum = this.series(name, `${name}_sum`, labels);
    const count = this.series(name, `${name}_count`, labels);
    return {
      add: (timestampSeconds, data, reset = false) => {
        if (data.cumulative.length !== bounds.length) throw new Error(`histogram ${name}: wrong number of buckets`);
        let previous = 0;
        for (let i = 0; i < bounds.length; i++) {
          const cumulative = data.cumulative[i] ?? 0;
          if (cumulative < previous) throw new Error(`histogram ${name}: buckets must be cumulative`);
          if (cumulative > data.count) throw new Error(`histogram ${name}: bucket le=${bounds[i]} exceeds _count`);
          buckets[i]?.add(timestampSeconds, cumulative, reset);
          previous = cumulative;
        }
        inf.add(timestampSeconds, data.count, reset);
        sum.add(timestampSeconds, data.sum, reset);
        count.add(timestampSeconds, data.count, reset);
      },
    };
  }

  /** A gauge sample (family declared as gauge or unknown). */
  gauge(name: string, labels: Labels, timestampSeconds: number, value: number): void {
    this.add(name, name, labels, timestampSeconds, value);
  }

  /** A counter sample; `name` is the family name without `_total` (written as `name_total` unless `bareName`). */
  counter(
    name: string,
    labels: Labels,
    timestampSeconds: number,
    value: number,
    options?: { reset?: boolean; bareName?: boolean },
  ): void {
    if (value < 0) throw new Error(`counter ${name} is negative`);
    this.add(name, options?.bareName ? name : `${name}_total`, labels, timestampSeconds, value, options);
  }

  /**
   * A classic histogram observation at one timestamp: `buckets` are `[upperBound, cumulativeCount]` in increasing
   * bound order without `+Inf` (the writer adds `+Inf` = `count`).
   */
  histogram(
    name: string,
    labels: Labels,
    timestampSeconds: number,
    data: { buckets: ReadonlyArray<readonly [number, number]>; sum: number; count: number },
    options?: { reset?: boolean },
  ): void {
    const bounds = data.buckets.map(([bound]) => bound);
    this.histogramSeries(name, labels, bounds).add(
      timestampSeconds,
      { cumulative: data.buckets.map(([, c]) => c), sum: data.sum, count: data.count },
      options?.reset === true,
    );
  }

  /** A summary sample: `_count`, `_sum` and optional `{quantile=…}` gauges. */
  summary(
    name: string,
    labels: Labels,
    timestampSeconds: number,
    data: { count: number; sum: number; quantiles?: ReadonlyArray<readonly [number, number]> },
    options?: { reset?: boolean },
  ): void {
    for (const [quantile, value] of data.quantiles ?? []) {
      this.add(name, name, { ...labels, quantile: formatBound(quantile) }, timestampSeconds, value);
    }
    this.add(name, `${name}_sum`, labels, timestampSeconds, data.sum, options);
    this.add(name, `${name}_count`, labels, timestampSeconds, data.count, options);
  }

  stats(): WriterStats {
    let series = 0;
    for (const family of this.#families.values()) series += family.series.size;
    return { families: this.#families.size, series, samples: this.#samples };
  }

  /** Series and sample counts per family, largest first (to keep generated documents small). */
  familyStats(): Array<{ name: string; series: number; samples: number }> {
    const out: Array<{ name: string; series: number; samples: number }> = [];
    for (const family of this.#families.values()) {
      let samples = 0;
      for (const series of family.series.values()) samples += series.ts.length;
      if (family.series.size > 0) out.push({ name: family.name, series: family.series.size, samples });
    }
    return out.sort((a, b) => b.samples - a.samples);
  }

  /** Renders the document (families and series in a stable order), ending with `# EOF\n`. Validates first. */
  toString(): string {
    return [...this.chunks()].join('');
  }

  /**
   * The document as a sequence of chunks (one per series), so documents larger than a JavaScript string can hold
   * can be written to a file or hashed incrementally. Validates each family before yielding it.
   */
  *chunks(): Generator<string> {
    const names = [...this.#families.keys()].sort();
    for (const name of names) {
      const family = this.#families.get(name);
      if (!family || family.series.size === 0) continue;
      const keys = [...family.series.keys()].sort();
      const sorted: Series[] = [];
      for (const key of keys) {
        const series = family.series.get(key);
        if (!series) continue;
        sortAndCheck(family, series);
        sorted.push(series);
      }
      if (family.type === 'histogram') checkHistogram(family, sorted);
      let header = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
      if (family.unit !== undefined) header += `# UNIT ${family.name} ${family.unit}\n`;
      yield header;
      for (const series of sorted) {
        const prefix = `${series.sampleName}${series.labelText} `;
        let text = '';
        for (let i = 0; i < series.ts.length; i++) {
          text += `${prefix}${formatValue(series.values[i] ?? 0)} ${formatTimestamp(series.ts[i] ?? 0)}\n`;
        }
        yield text;
      }
    }
    yield '# EOF\n';
  }
}

function sortAndCheck(family: Family, series: Series): void {
  const order = series.ts.map((_, i) => i);
  order.sort((a, b) => (series.ts[a] ?? 0) - (series.ts[b] ?? 0));
  const ts: number[] = [];
  const values: number[] = [];
  for (const i of order) {
    const t = series.ts[i] ?? 0;
    const v = series.values[i] ?? 0;
    const last = ts.length - 1;
    if (last >= 0 && Math.round((ts[last] ?? 0) * 1000) === Math.round(t * 1000)) {
      if (values[last] !== v) {
        throw new Error(`${series.sampleName}${series.labelText}: two different values at ${t}`);
      }
      continue; // an identical duplicate (shared infrastructure series): keep one
    }
    ts.push(t);
    values.push(v);
  }
  if (isCounterLike(family, series.sampleName)) {
    for (let i = 1; i < values.length; i++) {
      const t = ts[i] ?? 0;
      if ((values[i] ?? 0) < (values[i - 1] ?? 0) && !series.resets?.has(t)) {
        throw new Error(
          `${series.sampleName}${series.labelText} decreases at ${t} (${values[i - 1]} → ${values[i]}) without a reset`,
        );
      }
    }
  }
  series.ts = ts;
  series.values = values;
}

/** Checks, per timestamp, that buckets are cumulative over `le` and `+Inf` equals `_count`. */
function checkHistogram(family: Family, series: Series[]): void {
  const groups = new Map<string, { buckets: Series[]; count?: Series }>();
  for (const s of series) {
    const { le, ...rest } = s.labels;
    const key = renderLabels(rest);
    let group = groups.get(key);
    if (!group) {
      group = { buckets: [] };
      groups.set(key, group);
    }
    if (s.sampleName.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}_bucket${s.labelText} has no le label`);
      group.buckets.push(s);
    } else if (s.sampleName.endsWith('_count')) {
      group.count = s;
    }
  }
  for (const [key, group] of groups) {
    const parseLe = (s: Series): number => (s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le));
    const buckets = group.buckets.sort((a, b) => parseLe(a) - parseLe(b));
    const inf = buckets[buckets.length - 1];
    if (inf?.labels.le !== '+Inf') throw new Error(`${family.name}${key} has no +Inf bucket`);
    const count = group.count;
    if (!count) throw new Error(`${family.name}${key} has buckets but no _count`);
    const byTime = new Map<number, number>();
    count.ts.forEach((t, i) => {
      byTime.set(t, count.values[i] ?? 0);
    });
    inf.ts.forEach((t, i) => {
      if (byTime.get(t) !== inf.values[i]) throw new Error(`${family.name}${key}: +Inf bucket != _count at ${t}`);
    });
    for (let b = 1; b < buckets.length; b++) {
      const lower = buckets[b - 1];
      const upper = buckets[b];
      if (!lower || !upper) continue;
      const lowerAt = new Map<number, number>();
      lower.ts.forEach((t, i) => {
        lowerAt.set(t, lower.values[i] ?? 0);
      });
      upper.ts.forEach((t, i) => {
        const l = lowerAt.get(t);
        if (l !== undefined && l > (upper.values[i] ?? 0)) {
          throw new Error(`${family.name}${key}: bucket le=${lower.labels.le} > le=${upper.labels.le} at ${t}`);
        }
      });
    }
  }
}
