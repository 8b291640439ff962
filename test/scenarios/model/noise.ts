/**
 * Deterministic noise. Every value is a pure function of (key, time), so a scenario renders the same text in any
 * order and on any machine, and the TSDB cache keyed by the text's hash keeps hitting.
 */

/** FNV-1a, 32 bits. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit integers into one (murmur3 finaliser). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b | 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from a key and an integer-ish position. */
export function uniform(key: number, position: number): number {
  return mix32(mix32(key, Math.floor(position)), Math.floor(position / 4294967296)) / 4294967296;
}

/** White noise in [-1, 1). */
export function white(key: number, t: number): number {
  return uniform(key, t) * 2 - 1;
}

/** Smooth value noise in [-1, 1]: random knots every `periodSeconds`, cosine-interpolated. */
export function smooth(key: number, t: number, periodSeconds: number): number {
  const x = t / periodSeconds;
  const i = Math.floor(x);
  const f = x - i;
  const a = white(key, i);
  const b = white(key, i + 1);
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return a * (1 - w) + b * w;
}

/** A small seeded PRNG (mulberry32) for structural choices: pod names, IPs, phases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let r = state;
    r = Math.imul(r ^ (r >>> 15), r | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** A keyed noise source for one scenario: `n.white('cpu', t)` etc. */
export class Noise {
  readonly #seed: number;
  readonly #keys = new Map<string, number>();

  constructor(seed: string) {
    this.#seed = hash32(seed);
  }

  key(name: string): number {
    let k = this.#keys.get(name);
    if (k === undefined) {
      k = mix32(this.#seed, hash32(name));
      this.#keys.set(name, k);
    }
    return k;
  }

  white(name: string, t: number): number {
    return white(this.key(name), t);
  }

  smooth(name: string, t: number, periodSeconds: number): number {
    return smooth(this.key(name), t, periodSeconds);
  }

  uniform(name: string, position: number): number {
    return uniform(this.key(name), position);
  }

  /** 1 + amp·(a smooth wander over 20 min + white jitter): a multiplicative factor around 1. */
  factor(name: string, t: number, amp: number): number {
    return 1 + amp * (0.6 * this.smooth(name, t, 1200) + 0.4 * this.white(`${name}:w`, t));
  }
}
