/**
 * The JSON Schemas editors use for playbooks and signals files: committed, current, and true to the loader (every
 * bundled file passes them, and a typo an editor should flag fails them).
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderSchemas } from '../src/adapters/playbook-files/json-schemas.js';
import { listYaml } from '../src/adapters/playbook-files/read-yaml.js';

async function validatorFor(file: string) {
  const schema = JSON.parse(await readFile(file, 'utf8'));
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema);
}

describe('JSON Schemas of the YAML files', () => {
  it('are committed and up to date (npm run schemas writes them)', async () => {
    for (const [file, text] of Object.entries(renderSchemas())) {
      expect(await readFile(file, 'utf8'), `${file} is stale: run npm run schemas`).toBe(text);
    }
  });

  it.each([
    ['playbooks', 'schemas/playbook.schema.json'],
    ['signals', 'schemas/signals.schema.json'],
  ])('accept every bundled file in %s/, each naming its schema for editors', async (dir, schemaFile) => {
    const validate = await validatorFor(schemaFile);
    const files = await listYaml(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text, file).toMatch(/^# yaml-language-server: \$schema=(?:\.\.\/)+schemas\/\w+\.schema\.json$/m);
      expect(validate(parse(text)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('flag what the loader refuses: an unknown key and a wrong type', async () => {
    const playbook = await validatorFor('schemas/playbook.schema.json');
    expect(
      playbook({ version: 1, id: 'x', title: 'X', steps: [{ id: 'a', title: 'A', signal: 's', treshold: {} }] }),
    ).toBe(false);
    const signals = await validatorFor('schemas/signals.schema.json');
    expect(
      signals({ version: 1, signals: [{ id: 'x', title: 'X', unit: 'furlongs', reduce: 'max', direction: 'up' }] }),
    ).toBe(false);
    expect(signals({ version: 1, conventions: [{ id: 'a', title: 'A', server: { requests: 'r_total' } }] })).toBe(
      false,
    );
  });
});
