// Build step: the built-in playbooks and signals, parsed once, as JSON keyed by the SHA-1 of each file's text
// (dist/yaml-cache.json). Loading the catalog takes a file's parsed form from here when its text is unchanged, and
// parses the YAML otherwise; a team's own files are always parsed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';

const cache = {};
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (/\.ya?ml$/.test(name)) {
      const text = readFileSync(full, 'utf8');
      const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
      if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
      cache[createHash('sha1').update(text).digest('hex')] = doc.toJS({ maxAliasCount: 100 });
    }
  }
};
walk('playbooks');
walk('signals');
writeFileSync('dist/yaml-cache.json', JSON.stringify(cache));
process.stdout.write(`yaml-cache: ${Object.keys(cache).length} files\n`);

// The PromQL of the built-in catalog, checked once here: its hashes let a start skip Prometheus's grammar.
const { loadCatalog } = await import('../dist/adapters/playbook-files/load-playbooks.js');
const { validQueryHashes } = await import('../dist/adapters/playbook-files/check-promql.js');
const loaded = await loadCatalog();
if (loaded.blocking.length > 0) throw new Error(`the built-in catalog does not load: ${loaded.blocking[0].message}`);
const hashes = validQueryHashes();
writeFileSync('dist/promql-valid.json', JSON.stringify(hashes));
process.stdout.write(`promql-valid: ${hashes.length} queries\n`);
