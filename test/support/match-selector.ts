/**
 * Evaluates a `/api/v1/series` selector such as `{job=~"(?i)…"}` or `{job="checkout",datname="orders"}` against
 * one label set, the way Prometheus does (regexes fully anchored, `(?i)` for case), for fakes of the metrics port.
 */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  const body = /^\{(.*)\}$/s.exec(selector.trim())?.[1];
  if (body === undefined) throw new Error(`not a selector: ${selector}`);
  const matcher = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*,?/gy;
  let seen = 0;
  for (let m = matcher.exec(body); m !== null; m = matcher.exec(body)) {
    seen++;
    const [, label = '', op, quoted = '""'] = m;
    const value: string = JSON.parse(quoted);
    const actual = labels[label] ?? '';
    if (op === '=' && actual !== value) return false;
    if (op === '!=' && actual === value) return false;
    if (op === '=~' || op === '!~') {
      const ci = value.startsWith('(?i)');
      const re = new RegExp(`^(?:${ci ? value.slice(4) : value})$`, ci ? 'i' : '');
      if (re.test(actual) !== (op === '=~')) return false;
    }
    if (matcher.lastIndex >= body.length) break;
  }
  if (seen === 0) throw new Error(`no matchers in ${selector}`);
  return true;
}
