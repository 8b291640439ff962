/**
 * JSON for the run store's document columns that gives back what it was given: `Date` values come back as Dates
 * (encoded `{"$date": "<ISO>"}`) and non-finite numbers as themselves (`{"$num": "NaN"}`), where plain JSON would turn
 * them into strings and nulls. Nothing Triage stores has an object whose only key is `$date` or `$num`.
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, encoded: unknown) {
    // Date.prototype.toJSON has already run on `encoded`; the holder still has the Date itself.
    const raw = this[key];
    if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString() };
    if (typeof raw === 'number' && !Number.isFinite(raw)) return { $num: String(raw) };
    return encoded;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    const tagged = value as { $date?: unknown; $num?: unknown };
    if (typeof tagged.$date === 'string') return new Date(tagged.$date);
    if (typeof tagged.$num === 'string') return Number(tagged.$num);
    return value;
  }) as T;
}
