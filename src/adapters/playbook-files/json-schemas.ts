import { z } from 'zod';
import { PlaybookSchema } from '../../domain/playbook/schema.js';
import { SignalsFileSchema } from '../../domain/signals/schema.js';

/** The JSON Schema of one file kind, generated from its zod schema (inputs: defaults are optional). */
function schemaOf(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'ref' });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}

/** File name → text of every JSON Schema Triage publishes for its YAML files. */
export function renderSchemas(): Record<string, string> {
  return {
    'schemas/playbook.schema.json': schemaOf(PlaybookSchema, 'Triage playbook or module'),
    'schemas/signals.schema.json': schemaOf(
      SignalsFileSchema,
      'Triage signals, conventions, causes and service mappings',
    ),
  };
}
