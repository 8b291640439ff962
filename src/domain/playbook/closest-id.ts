import { editDistance } from '../discovery/closest-names.js';

/** The known id closest to a misspelt one, for "did you mean" in validation messages; undefined when none is near. */
export function closestId(id: string, known: Iterable<string>): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(id, candidate);
    if (distance <= Math.max(2, Math.floor(id.length / 3)) && (!best || distance < best.distance))
      best = { id: candidate, distance };
  }
  return best?.id;
}
