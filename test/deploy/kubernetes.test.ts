/**
 * deploy/kubernetes: every manifest parses, names only environment variables Triage knows, and together they make
 * a configuration Triage starts with; the probes, ports and shutdown budget agree with the app; kustomize renders it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/app/config.js';
import { findExecutable } from '../support/local-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'deploy/kubernetes');
const POD_NAME = 'triage-7d4b9c6f5-x2k8q';
/** How long shutdown may take after TRIAGE_SHUTDOWN_GRACE_MS: the last root edits (lifecycle.ts, 3 s). */
const ROOT_EDIT_BUDGET_MS = 3_000;
/** config.ts's default TRIAGE_SHUTDOWN_GRACE_MS. */
const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML, checked field by field below
type Manifest = Record<string, any>;

/** Every document of every YAML file in `dir`; a YAML error names the file. */
function loadManifests(dir: string): { file: string; doc: Manifest }[] {
  const out: { file: string; doc: Manifest }[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    out.push(...parseManifests(file, readFileSync(join(dir, file), 'utf8')));
  }
  return out;
}

function parseManifests(file: string, text: string): { file: string; doc: Manifest }[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { file, doc: d.toJS() as Manifest };
  });
}

function only(manifests: { doc: Manifest }[], kind: string): Manifest {
  const found = manifests.filter((m) => m.doc.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]?.doc as Manifest;
}

function appContainer(deployment: Manifest): Manifest {
  const container = deployment.spec?.template?.spec?.containers?.find((c: Manifest) => c.name === 'triage');
  if (!container) throw new Error('the Deployment has no container named triage');
  return container;
}

/** The environment variable names the manifests set: ConfigMap and Secret keys, and the container's own `env`. */
function envNames(manifests: { doc: Manifest }[]): string[] {
  const names: string[] = [];
  for (const { doc } of manifests) {
    if (doc.kind === 'ConfigMap') names.push(...Object.keys(doc.data ?? {}));
    if (doc.kind === 'Secret') names.push(...Object.keys(doc.stringData ?? {}), ...Object.keys(doc.data ?? {}));
    if (doc.kind === 'Deployment') {
      for (const c of doc.spec?.template?.spec?.containers ?? [])
        names.push(...(c.env ?? []).map((e: Manifest) => e.name));
    }
  }
  return names;
}

/** Names Triage does not read (a typo there is silently ignored by Triage, so the test must catch it). */
function unknownEnvNames(names: readonly string[]): string[] {
  return names.filter((n) => !ENV_VARIABLES.includes(n));
}

/** The environment the container gets: envFrom ConfigMap and Secret, then `env` (fieldRefs resolved for one pod). */
function podEnv(manifests: { doc: Manifest }[]): Record<string, string> {
  const deployment = only(manifests, 'Deployment');
  const container = appContainer(deployment);
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = manifests.find((m) => m.doc.kind === 'ConfigMap' && m.doc.metadata.name === from.configMapRef.name);
      if (!cm) throw new Error(`envFrom names a ConfigMap ${from.configMapRef.name} that is not in the manifests`);
      Object.assign(env, cm.doc.data);
    }
    if (from.secretRef) {
      const secret = manifests.find((m) => m.doc.kind === 'Secret' && m.doc.metadata.name === from.secretRef.name);
      if (!secret) throw new Error(`envFrom names a Secret ${from.secretRef.name} that is not in the manifests`);
      Object.assign(env, secret.doc.stringData);
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = POD_NAME;
    else throw new Error(`env ${e.name}: only values and the pod name are resolved by this test`);
  }
  return env;
}

/** Why Kubernetes could kill a pod before Triage has drained: the grace period must cover preStop + drain + edits. */
function shutdownBudgetProblems(deployment: Manifest, env: Record<string, string>): string[] {
  const spec = deployment.spec?.template?.spec ?? {};
  const graceSeconds = spec.terminationGracePeriodSeconds ?? 30;
  const command: string[] = appContainer(deployment).lifecycle?.preStop?.exec?.command ?? [];
  const preStopMs = command[0] === 'sleep' ? Number(command[1]) * 1000 : 0;
  const drainMs = Number(env.TRIAGE_SHUTDOWN_GRACE_MS ?? DEFAULT_SHUTDOWN_GRACE_MS);
  const needed = preStopMs + drainMs + ROOT_EDIT_BUDGET_MS;
  return graceSeconds * 1000 > needed
    ? []
    : [
        `terminationGracePeriodSeconds ${graceSeconds} s must exceed preStop ${preStopMs} ms + TRIAGE_SHUTDOWN_GRACE_MS ${drainMs} ms + ${ROOT_EDIT_BUDGET_MS} ms`,
      ];
}

function containerPort(container: Manifest, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p: Manifest) => p.name === port)?.containerPort;
}

const manifests = loadManifests(DIR);
const deployment = only(manifests, 'Deployment');
const container = appContainer(deployment);
const env = podEnv(manifests);

describe('deploy/kubernetes manifests', () => {
  it('parse, and a YAML error names the file', () => {
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Kustomization', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
    expect(() => parseManifests('broken.yaml', 'kind: Service\nspec: [unclosed\n')).toThrow(/^broken\.yaml: /);
  });

  it('set only environment variables Triage reads, and a misspelt one is flagged', () => {
    const names = envNames(manifests);
    expect(names).toEqual(
      expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'ALERT_WEBHOOK_TOKEN', 'DATABASE_URL']),
    );
    expect(unknownEnvNames(names)).toEqual([]);
    expect(unknownEnvNames([...names, 'PROMETHEUS_ULR'])).toEqual(['PROMETHEUS_ULR']);
  });

  it('keep the tokens and DATABASE_URL in the Secret, not the ConfigMap', () => {
    const secret = only(manifests, 'Secret');
    const configMap = only(manifests, 'ConfigMap');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'ALERT_WEBHOOK_TOKEN', 'DATABASE_URL']) {
      expect(secret.stringData).toHaveProperty(name);
      expect(configMap.data).not.toHaveProperty(name);
    }
  });

  it('give the pod a configuration Triage starts with: PostgreSQL, the webhook route, the pod name as replica', () => {
    const config = loadConfig(env);
    expect(config.store.databaseUrl).toMatch(/^postgres:\/\//);
    expect(config.alerts.webhookChannel).toBeDefined();
    expect(config.alerts.webhookToken).toBeDefined();
    expect(config.store.replicaId).toBe(POD_NAME);
    expect(config.port).toBe(containerPort(container, 'http'));
    // Without the Secret, Triage would refuse to start and say why.
    const withoutSecret = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'SLACK_BOT_TOKEN'));
    expect(() => loadConfig(withoutSecret)).toThrow(/SLACK_BOT_TOKEN is required/);
  });

  it('run two replicas that share runs through DATABASE_URL from the Secret', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const secretName = only(manifests, 'Secret').metadata.name;
    expect(container.envFrom).toContainEqual({ secretRef: { name: secretName } });
  });

  it('probe /readyz for readiness and /healthz for liveness on the port Triage listens on', () => {
    const port = Number(env.PORT ?? 3000);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(containerPort(container, container.readinessProbe.httpGet.port)).toBe(port);
    expect(containerPort(container, container.livenessProbe.httpGet.port)).toBe(port);
    // The routes exist in the app under those paths.
    const app = readFileSync(join(ROOT, 'src/app/http-routes.ts'), 'utf8');
    expect(app).toContain("path: '/readyz'");
    expect(app).toContain("path: '/healthz'");
  });

  it('give Kubernetes a grace period longer than the preStop pause plus the drain, and catch one too short', () => {
    expect(shutdownBudgetProblems(deployment, env)).toEqual([]);
    const spec = deployment.spec.template.spec;
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.TRIAGE_SHUTDOWN_GRACE_MS));
    const short = structuredClone(deployment);
    short.spec.template.spec.terminationGracePeriodSeconds = 30;
    expect(shutdownBudgetProblems(short, env)).toEqual([expect.stringMatching(/must exceed preStop 5000 ms/)]);
    // The default grace applies when the ConfigMap does not set it.
    const { TRIAGE_SHUTDOWN_GRACE_MS: _, ...withoutGrace } = env;
    expect(shutdownBudgetProblems(deployment, withoutGrace)).toEqual([]);
  });

  it('run as a non-root user on a read-only root filesystem, with /tmp writable', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const tmp = container.volumeMounts.find((v: Manifest) => v.mountPath === '/tmp');
    expect(pod.volumes).toContainEqual(expect.objectContaining({ name: tmp.name, emptyDir: expect.any(Object) }));
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeDefined();
  });

  it('select the pods with the Service and the PodDisruptionBudget, which keeps one available', () => {
    const labels = deployment.spec.template.metadata.labels;
    const service = only(manifests, 'Service');
    const pdb = only(manifests, 'PodDisruptionBudget');
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(labels).toMatchObject(service.spec.selector);
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBe(1);
    expect(containerPort(container, service.spec.ports[0].targetPort)).toBe(Number(env.PORT ?? 3000));
  });

  it('list every manifest in kustomization.yaml', () => {
    const kustomization = parseManifests('kustomization.yaml', readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'));
    const listed: string[] = kustomization[0]?.doc.resources ?? [];
    const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(files.sort());
  });

  const kubectl = findExecutable('kubectl', undefined, process.env);
  it.skipIf(!kubectl)('render with kubectl kustomize, all in the triage namespace', () => {
    const result = spawnSync(kubectl ?? 'kubectl', ['kustomize', DIR], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const rendered = parseManifests('kustomize output', result.stdout).map((m) => m.doc);
    expect(rendered).toHaveLength(6);
    for (const doc of rendered.filter((d) => d.kind !== 'Namespace')) expect(doc.metadata.namespace).toBe('triage');
    const image = rendered.find((d) => d.kind === 'Deployment')?.spec.template.spec.containers[0].image;
    expect(image).toMatch(/\/triage:/);
  });
});
