import parsePrometheusTextFormat from 'parse-prometheus-text-format';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

/** One scrape, parsed: a sample's value (a histogram's count) by metric name and labels; null when absent. `names` are the metric families declared. */
export interface Scrape {
  readonly text: string;
  readonly names: readonly string[];
  value(name: string, labels?: Record<string, string>): number | null;
}

export function parseScrape(text: string): Scrape {
  const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!));
  // The parser folds every series of a labelled histogram into one: read untyped, each
  // `_count`, `_sum` and `_bucket` line stays a sample with its own labels.
  const families: Families = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  return {
    text,
    names: [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!),
    value(name, labels = {}) {
      const series = histograms.has(name) ? `${name}_count` : name;
      const sample = families.filter((f) => f.name === series).flatMap((f) => f.metrics).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return sample ? Number(sample.value) : null;
    },
  };
}

/** GET `url` (a /metrics) with `token` as its bearer, parsed; throws unless it is a 200 in the Prometheus text format. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain; version=0.0.4')) throw new Error(`${url}: content-type ${res.headers.get('content-type')}`);
  return parseScrape(text);
}
