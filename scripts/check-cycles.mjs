#!/usr/bin/env node
// Finds import loops among the modules of src/: reads every .ts file, follows its relative imports (a `.js`
// specifier names the `.ts` file next to it), and prints each loop as `a.ts → b.ts → a.ts`. Imports of types
// only (`import type`, `export type`) vanish at run time, so they are not followed. Exits 1 when a loop exists.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const srcDir = path.join(root, 'src');

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// Statements that load a module at run time: `import … from '…'`, `export … from '…'`, `import '…'`, `import('…')`.
const STATEMENT =
  /(?:^|[;\n}])\s*(import|export)\s+([^'";]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

/**
 * Whether an import or export clause brings in types only: `import type { A }` vanishes at run time, while
 * `import { type A }` still loads the module (as `import {} from …`, under verbatimModuleSyntax).
 */
function typeOnly(clause) {
  return /^type\b/.test(clause);
}

function resolve(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, path.join(target, 'index.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

const files = walk(srcDir, []).sort();
const graph = new Map();
for (const file of files) {
  const text = stripComments(fs.readFileSync(file, 'utf8'));
  const edges = new Set();
  for (const m of text.matchAll(STATEMENT)) {
    const [, , clause, fromSpecifier, bareSpecifier, dynamicSpecifier] = m;
    if (fromSpecifier !== undefined && typeOnly(clause.trim())) continue;
    const target = resolve(file, fromSpecifier ?? bareSpecifier ?? dynamicSpecifier);
    if (target) edges.add(target);
  }
  graph.set(file, [...edges].sort());
}

// Tarjan's strongly connected components: every module of a component of two or more (or one importing itself)
// is on a loop. Each loop printed is the shortest path back to its first module.
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function connect(v) {
  indices.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!indices.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indices.get(w)));
  }
  if (low.get(v) === indices.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  }
}
for (const file of files) if (!indices.has(file)) connect(file);

/** The shortest path from `start` back to itself within `members`. */
function loopThrough(start, members) {
  const previous = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const chain = [];
        for (let u = v; u !== start; u = previous.get(u)) chain.unshift(u);
        return [start, ...chain, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const name = (file) => path.relative(srcDir, file);
const seen = new Set();
let loops = 0;
for (const component of components) {
  const members = new Set(component);
  for (const start of [...component].sort()) {
    const loop = loopThrough(start, members);
    const key = [...new Set(loop)].sort().join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    loops++;
    console.log(loop.map(name).join(' → '));
  }
}
if (loops > 0) {
  console.error(`${loops} import loop(s) in src/ (type-only imports excluded).`);
  process.exit(1);
}
console.log(`No import loops among ${files.length} modules of src/.`);
