/** A labelled counter's series, keyed by its rendered label set. */
type Series = Map<string, number>;

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function labels(values: Readonly<Record<string, string>>): string {
  const parts = Object.entries(values).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A counter of {@link Metrics}, by its short name. */
export type MetricName =
  'received' | 'accepted' | 'duplicate' | 'rejected' | 'dropped_consent' | 'platform_only' | 'receipts' | 'email';

/**
 * The collector's Prometheus metrics, kept in memory and rendered as text exposition format 0.0.4:
 * messages received, accepted, duplicates, rejected by reason, dropped by consent (reason and
 * purpose), stored for the platform alone by a learner's refusal to the course's Member (Member and
 * purpose), and request latency per route.
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; series: Series }>();
  private readonly latency = new Map<string, { counts: number[]; sum: number; count: number }>();
  // Rendered label sets of `observe`, by route, method and status: rendering them is most of its cost.
  private readonly latencyKeys = new Map<string, string>();

  constructor() {
    this.define('optin_messages_received_total', 'Messages received in ingestion requests.');
    this.define('optin_messages_accepted_total', 'Messages accepted and stored (new).');
    this.define('optin_messages_duplicate_total', 'Messages accepted whose messageId was already stored.');
    this.define('optin_messages_rejected_total', 'Messages or requests rejected, by reason.');
    this.define(
      'optin_messages_dropped_consent_total',
      'Messages dropped because consent did not allow them, by reason and purpose.',
    );
    this.define(
      'optin_messages_platform_only_total',
      "Messages stored for the platform alone, never the course's Member's, because the learner refused that Member a purpose the platform was granted (counted in accepted too), by Member and purpose.",
    );
    this.define('optin_consent_receipts_total', 'Consent receipts appended.');
    this.define(
      'optin_email_total',
      'Email opens and clicks, by kind and outcome: recorded, machine (recorded, flagged), aggregate (consent refused: counted only here), or the reason a token was rejected.',
    );
  }

  private define(name: string, help: string): void {
    this.counters.set(name, { help, series: new Map() });
  }

  /** Adds `by` to a counter's series. */
  inc(name: MetricName, labelValues: Readonly<Record<string, string>> = {}, by = 1): void {
    if (by === 0) return;
    const full =
      name === 'receipts'
        ? 'optin_consent_receipts_total'
        : name === 'email'
          ? 'optin_email_total'
          : `optin_messages_${name}_total`;
    const counter = this.counters.get(full);
    if (!counter) return;
    const key = labels(labelValues);
    counter.series.set(key, (counter.series.get(key) ?? 0) + by);
  }

  /** Records one request's duration. */
  observe(route: string, method: string, status: number, seconds: number): void {
    const id = `${method} ${status} ${route}`;
    let key = this.latencyKeys.get(id);
    if (key === undefined) {
      key = labels({ route, method, status: String(status) });
      this.latencyKeys.set(id, key);
    }
    let h = this.latency.get(key);
    if (!h) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.latency.set(key, h);
    }
    for (let i = 0; i < buckets.length; i++) if (seconds <= (buckets[i] ?? 0)) h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
  }

  /** A counter's current value for a label set (0 when never incremented). */
  value(name: MetricName, labelValues: Readonly<Record<string, string>> = {}): number {
    const full =
      name === 'receipts'
        ? 'optin_consent_receipts_total'
        : name === 'email'
          ? 'optin_email_total'
          : `optin_messages_${name}_total`;
    return this.counters.get(full)?.series.get(labels(labelValues)) ?? 0;
  }

  /** Prometheus text exposition. */
  render(): string {
    const out: string[] = [];
    for (const [name, { help, series }] of this.counters) {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      if (series.size === 0) out.push(`${name} 0`);
      for (const [key, v] of series) out.push(`${name}${key} ${v}`);
    }
    const h = 'optin_http_request_duration_seconds';
    out.push(`# HELP ${h} HTTP request latency by route, method and status.`, `# TYPE ${h} histogram`);
    for (const [key, { counts, sum, count }] of this.latency) {
      const inner = key.slice(1, -1);
      buckets.forEach((b, i) => out.push(`${h}_bucket{${inner},le="${b}"} ${counts[i] ?? 0}`));
      out.push(`${h}_bucket{${inner},le="+Inf"} ${count}`, `${h}_sum${key} ${sum}`, `${h}_count${key} ${count}`);
    }
    return `${out.join('\n')}\n`;
  }
}
