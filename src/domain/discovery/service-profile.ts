/** What Prometheus knows about one service: which metric families it has, and under which label. */
export interface ServiceProfile {
  service: string;
  /** Family name → the label that carries the service name on that family (e.g. `job`, `container`). */
  families: ReadonlyMap<string, string>;
}

/** True when the profile has a family matching `pattern` (exact, or `*suffix`). Returns the label, or undefined. */
export function labelFor(profile: ServiceProfile, pattern: string): string | undefined {
  if (!pattern.startsWith('*')) return profile.families.get(pattern);
  const suffix = pattern.slice(1);
  for (const [family, label] of profile.families) {
    if (family.endsWith(suffix)) return label;
  }
  return undefined;
}
