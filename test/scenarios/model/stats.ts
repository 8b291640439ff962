/** Normal and log-normal helpers for latency distributions. */

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Standard normal quantile (Acklam's rational approximation). */
export function normInv(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** A log-normal latency distribution given by its median (seconds) and log-space sigma. */
export interface Latency {
  median: number;
  sigma: number;
  /** A timeout: no observation is longer (the tail piles up at the cap). */
  cap?: number;
}

/** Mean of a log-normal. */
export function lognormalMean(l: Latency): number {
  return l.median * Math.exp((l.sigma * l.sigma) / 2);
}

/** P(X ≤ x) for a log-normal (1 at and above its cap). */
export function lognormalCdf(l: Latency, x: number): number {
  if (x <= 0) return 0;
  if (l.cap !== undefined && x >= l.cap) return 1;
  return normCdf((Math.log(x) - Math.log(l.median)) / l.sigma);
}

/** Mean of min(X, cap) (the plain mean without a cap). */
export function lognormalCappedMean(l: Latency): number {
  const mean = lognormalMean(l);
  if (l.cap === undefined) return mean;
  const z = (Math.log(l.cap) - Math.log(l.median)) / l.sigma;
  return mean * normCdf(z - l.sigma) + l.cap * (1 - normCdf(z));
}

/** The q-quantile of a log-normal. */
export function lognormalQuantile(l: Latency, q: number): number {
  return l.median * Math.exp(l.sigma * normInv(q));
}

/** A rough expected maximum of n draws (the (1 − 1/(n+1)) quantile). */
export function lognormalMaxOf(l: Latency, n: number): number {
  if (n < 1) return 0;
  return Math.min(lognormalQuantile(l, 1 - 1 / (n + 1)), l.cap ?? Number.POSITIVE_INFINITY);
}

/** Bucket layouts real libraries use. */
export const BUCKETS = {
  /** prom-client's default (also client_golang's DefBuckets). */
  promClient: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  /** OpenTelemetry semantic-convention advice for http.server/client.request.duration and db.client.operation.duration. */
  otel: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  /** ingress-nginx's default. */
  ingressNginx: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  /** Istio's istio_request_duration_milliseconds (milliseconds!). */
  istioMs: [
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
  ],
} as const;
