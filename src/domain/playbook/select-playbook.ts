import type { Playbook } from '../playbook/schema.js';
import type { ParsedSymptom } from '../symptom/symptom.js';

export const GENERAL_PLAYBOOK_ID = 'general';

export interface Selection {
  playbook: Playbook;
  note?: string;
}

/**
 * Picks the playbook whose `match` fits the symptom best: the symptom's first kind weighs most, a named status
 * code adds to it. Nothing matching falls back to the general triage playbook, with a note saying so.
 */
export function selectPlaybook(playbooks: readonly Playbook[], symptom: ParsedSymptom): Selection {
  const general = playbooks.find((p) => p.id === GENERAL_PLAYBOOK_ID);
  let best: { playbook: Playbook; score: number } | null = null;
  for (const playbook of playbooks) {
    if (playbook.id === GENERAL_PLAYBOOK_ID) continue;
    let score = 0;
    symptom.kinds.forEach((kind, i) => {
      if (playbook.match.kinds.includes(kind)) score += 10 / (i + 1);
    });
    for (const code of symptom.statusCodes) if (playbook.match.codes.includes(code)) score += 5;
    if (score > 0 && (!best || score > best.score)) best = { playbook, score };
  }
  if (best) return { playbook: best.playbook };
  const fallback = general ?? playbooks[0];
  if (!fallback) throw new Error('no playbooks loaded');
  const note =
    symptom.kinds.length === 0
      ? `I could not tell what kind of problem "${symptom.text}" describes, so I ran the general triage playbook.`
      : `No playbook is specific to this symptom, so I ran the general triage playbook.`;
  return { playbook: fallback, note };
}
