/**
 * Writes the JSON Schemas of the playbook and signals files (schemas/*.schema.json) from their zod schemas, so
 * editors complete and check both (`# yaml-language-server: $schema=…` at the top of each file).
 *
 *   npm run schemas          (test/schemas.test.ts fails when the committed files are out of date)
 */
import { writeFile } from 'node:fs/promises';
import { renderSchemas } from '../src/adapters/playbook-files/json-schemas.js';

for (const [file, text] of Object.entries(renderSchemas())) {
  await writeFile(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
