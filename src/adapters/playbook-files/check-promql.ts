import { parser } from '@prometheus-io/lezer-promql';

/** Checks PromQL syntax with Prometheus's own lezer grammar; returns the first error, or null. */
export function checkPromql(query: string): string | null {
  if (query.trim() === '') return 'the query is empty';
  const tree = parser.parse(query);
  let error: number | null = null;
  tree.iterate({
    enter: (node) => {
      if (error === null && node.type.isError) error = node.from;
      return error === null;
    },
  });
  if (error === null) return null;
  const at = error as number;
  const line = query.slice(0, at).split('\n').length;
  const col = at - query.lastIndexOf('\n', at - 1);
  const near = query.slice(Math.max(0, at - 10), at + 10).replace(/\n/g, ' ');
  return `unexpected input at ${line}:${col} near "${near}"`;
}
