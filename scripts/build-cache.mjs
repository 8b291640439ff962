// Build step: the built-in playbooks and signals, parsed and checked against their schema once, as JSON keyed by
// the SHA-1 of each file's text (dist/yaml-cache.json, each entry `{ what, value }`: the kind of file and the
// schema's output). Loading the catalog takes a file's value from here when its text is unchanged, skipping the YAML
// parser and the schema, and parses and checks it otherwise; a team's own files always are.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

// A cache from an earlier build must not vouch for itself: these modules read it when it exists.
rmSync('dist/yaml-cache.json', { force: true });
rmSync('dist/promql-valid.json', { force: true });
const { parseYamlText } = await import('../dist/adapters/playbook-files/read-yaml.js');
const { PlaybookSchema } = await import('../dist/domain/playbook/schema.js');
const { SignalsFileSchema } = await import('../dist/domain/signals/schema.js');

const cache = {};
// `what` is the kind loadCatalog passes to parseYamlText for the files of that directory.
const walk = (dir, schema, what) => {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, schema, what);
    else if (/\.ya?ml$/.test(name)) {
      const text = readFileSync(full, 'utf8');
      const { value } = parseYamlText(text, full, schema, what);
      // Only what passes, and only what JSON keeps exactly (no undefined, Infinity or the like).
      if (value === undefined || !isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value)) continue;
      cache[createHash('sha1').update(text).digest('hex')] = { what, value };
    }
  }
};
walk('playbooks', PlaybookSchema, 'playbook');
walk('signals', SignalsFileSchema, 'signals');
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
