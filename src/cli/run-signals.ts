import type { ServiceExplanation } from '../application/diagnose/explain-service.js';
import type { SignalCatalog } from '../domain/signals/signal.js';
import type { CliIo } from './cli-io.js';

/** `triage signals list`: every signal with the conventions that provide it, in the order they are tried. */
export function printSignals(catalog: SignalCatalog, io: CliIo, json: boolean): void {
  const signals = [...catalog.signals.values()];
  if (json) {
    io.stdout(
      `${JSON.stringify(
        {
          signals: signals.map((s) => ({
            id: s.name,
            title: s.title,
            unit: s.unit,
            scope: s.scope,
            conventions: s.variants.map((v) => ({
              convention: v.convention,
              requires: v.requires,
              query: v.query,
              ...(v.services ? { services: v.services } : {}),
              ...(v.unavailable ? { unavailable: v.unavailable } : {}),
            })),
          })),
          conventions: catalog.conventions,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  io.stdout(`${signals.length} signals from ${catalog.conventions.length} conventions (tried in this order):\n\n`);
  for (const s of signals) {
    const scope = s.scope === 'dependency' ? ' (read on each data store, cache or queue of the service)' : '';
    io.stdout(`${s.name}  ${s.title} [${s.unit}]${scope}\n`);
    for (const v of s.variants) {
      const only = v.services ? ` (only ${v.services.join(', ')})` : '';
      const cannot = v.unavailable ? ` — cannot tell: ${v.unavailable}` : '';
      io.stdout(`    ${v.convention.padEnd(28)} ${v.requires.join(' + ')}${only}${cannot}\n`);
    }
  }
  io.stdout('\nConventions:\n');
  for (const c of catalog.conventions) {
    io.stdout(`  ${c.id.padEnd(28)} ${c.title} (${c.file})\n`);
  }
}

/** `triage signals explain`: what Triage reads for one service, and what it looked for and did not find. */
export function printExplanation(explanation: ServiceExplanation, asked: string, io: CliIo, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(explanation, null, 2)}\n`);
    return;
  }
  if (!explanation.found) {
    io.stdout(`No service called "${asked}" in Prometheus for this window (tried ${explanation.tried.join(', ')}).\n`);
    if (explanation.suggestions.length) io.stdout(`Closest names: ${explanation.suggestions.join(', ')}\n`);
    return;
  }
  io.stdout(`${explanation.service}: found as ${explanation.seenAs.slice(0, 4).join('; ')}\n`);
  for (const note of explanation.notes) io.stdout(`  ${note}\n`);
  if (explanation.callees.length) io.stdout(`  Calls: ${explanation.callees.join(', ')}\n`);
  const found = explanation.signals.filter((s) => s.status === 'found');
  io.stdout(`\nRead (${found.length}):\n`);
  for (const s of found) {
    if (s.status !== 'found') continue;
    const on = s.entity !== explanation.service ? ` [${s.entity}]` : '';
    const inferred = s.inferredFrom ? ' (inferred from the name)' : '';
    io.stdout(`  ✓ ${s.signal.padEnd(28)} ${s.convention}${inferred}${on}: ${s.series}\n`);
  }
  const other = explanation.signals.filter((s) => s.status !== 'found');
  io.stdout(`\nNot measured (${other.length}) — map these in a signals file (triage signals list shows the names):\n`);
  for (const s of other) {
    if (s.status === 'unavailable') io.stdout(`  – ${s.signal.padEnd(28)} ${s.reason}\n`);
    else if (s.status === 'missing')
      io.stdout(
        `  ✗ ${s.signal.padEnd(28)} looked for ${s.lookedFor.slice(0, 4).join('; ')}${s.lookedFor.length > 4 ? '; …' : ''}\n`,
      );
  }
}
