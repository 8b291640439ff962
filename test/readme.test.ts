import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../src/app/config.js';
import { ERROR_CODES } from '../src/domain/errors.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('documents every error code, and no code that does not exist', () => {
    const section = readme.slice(readme.indexOf('## Error codes'));
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(ERROR_CODES));
  });

  it('documents every environment variable in the configuration table', () => {
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Slack app set-up'));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(ENV_VARIABLES));
  });

  it('starts with the demo and the test command', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm run demo');
    expect(firstBlock).toContain('npm run check');
  });
});
