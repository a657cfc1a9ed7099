/**
 * The deployment an airline runs: every Kubernetes manifest under deploy/kubernetes is
 * validated against the Kubernetes schemas (kubernetes-models), and the pieces fit together
 * (probes on the routes the ground serves, selectors matching the pods, the secret holding
 * what the pods read, every variable one the ground knows). The Dockerfile copies files that
 * exist, and the ground's code imports nothing outside what the image installs.
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { GROUND_ENV_VARS } from '../src/config.ts';
import { GROUND_DIR } from './fleet-support.ts';

const ROOT = path.resolve(GROUND_DIR, '..');
const K8S = path.join(GROUND_DIR, 'deploy/kubernetes');
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

/** Parses and validates one YAML file; throws naming the document that fails. */
function validated(file: string): Doc[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs.map((d, i) => {
    if (d.errors.length) throw new Error(`${path.basename(file)} document ${i}: ${d.errors[0]!.message}`);
    const doc = d.toJS() as Doc;
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) throw new Error(`${path.basename(file)} document ${i}: no schema for ${doc.apiVersion} ${doc.kind}`);
    new Model(doc as never).validate();
    return doc;
  });
}

function manifests(): Doc[] {
  const kustomization = parseAllDocuments(fs.readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as {
    resources: string[];
  };
  const files = fs
    .readdirSync(K8S)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();
  assert.deepEqual([...kustomization.resources].sort(), files, 'kustomization.yaml lists every manifest');
  return files.flatMap((f) => validated(path.join(K8S, f)));
}

test('every manifest validates against the Kubernetes schemas, and the set is complete', () => {
  const docs = manifests();
  assert.deepEqual(docs.map((d) => d.kind).sort(), [
    'ConfigMap',
    'Deployment',
    'HorizontalPodAutoscaler',
    'PodDisruptionBudget',
    'Secret',
    'Service',
  ]);
});

test('garbage manifests are refused by the same validation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ifec-k8s-'));
  try {
    const bad = {
      'replicas.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two, selector: {matchLabels: {a: b}}, template: {spec: {containers: []}}}\n',
      'no-containers.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {selector: {matchLabels: {a: b}}, template: {spec: {}}}\n',
      'port.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: "http"}]}\n',
      'kind.yaml': 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n',
      'yaml.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: x\n',
    };
    for (const [name, text] of Object.entries(bad)) {
      fs.writeFileSync(path.join(dir, name), text);
      assert.throws(() => validated(path.join(dir, name)), Error, name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the Deployment, Service, autoscaler, disruption budget and Secret fit together and with the ground', () => {
  const docs = manifests();
  const of = <T>(kind: string) => docs.find((d) => d.kind === kind) as unknown as T;
  type Probe = { httpGet: { path: string; port: string } };
  const deployment = of<{
    metadata: { name: string };
    spec: {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          containers: {
            ports: { name: string; containerPort: number }[];
            readinessProbe: Probe;
            livenessProbe: Probe;
            env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
            envFrom: { configMapRef: { name: string } }[];
            volumeMounts: { name: string; mountPath: string }[];
          }[];
          volumes: { name: string; secret?: { secretName: string; items: { key: string; path: string }[] } }[];
        };
      };
    };
  }>('Deployment');
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0]!;
  assert.deepEqual(deployment.spec.selector.matchLabels, pod.metadata.labels);
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz', 'a database outage must not restart the pods');
  const http = container.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
  assert.equal(http?.containerPort, 8090, 'the probes use the port the ground listens on (GROUND_PORT in the image)');
  assert.ok(deployment.spec.replicas >= 2);

  const service = of<{ spec: { selector: Record<string, string>; ports: { targetPort: string }[] } }>('Service');
  for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(pod.metadata.labels[k], v);
  assert.equal(service.spec.ports[0]!.targetPort, 'http');
  const hpa = of<{
    spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
  }>('HorizontalPodAutoscaler');
  assert.deepEqual(
    [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
    ['Deployment', deployment.metadata.name],
  );
  const pdb = of<{ spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>(
    'PodDisruptionBudget',
  );
  assert.deepEqual(pdb.spec.selector.matchLabels, pod.metadata.labels);
  assert.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, 'a node can be drained');

  // Secrets: DATABASE_URL and the signing key come from the Secret, the key as a mounted file.
  const secret = of<{ metadata: { name: string }; stringData: Record<string, string> }>('Secret');
  const url = container.env.find((e) => e.name === 'DATABASE_URL')!;
  assert.deepEqual(url.valueFrom?.secretKeyRef, { name: secret.metadata.name, key: 'database-url' });
  assert.ok(secret.stringData['database-url']);
  const keyFile = container.env.find((e) => e.name === 'GROUND_SIGNING_KEY_FILE')!.value!;
  const mount = container.volumeMounts.find((m) => keyFile.startsWith(`${m.mountPath}/`))!;
  const volume = pod.spec.volumes.find((v) => v.name === mount.name)!;
  assert.equal(volume.secret?.secretName, secret.metadata.name);
  assert.deepEqual(
    volume.secret.items.map((i) => i.path),
    [path.basename(keyFile)],
  );
  assert.ok(secret.stringData[volume.secret.items[0]!.key]!.includes('PRIVATE KEY'));

  // Every variable set is one the ground reads (a typo would be silently ignored).
  const configMap = of<{ metadata: { name: string }; data: Record<string, string> }>('ConfigMap');
  assert.equal(container.envFrom[0]!.configMapRef.name, configMap.metadata.name);
  for (const name of [...Object.keys(configMap.data), ...container.env.map((e) => e.name)])
    assert.ok(GROUND_ENV_VARS.includes(name), `${name} is a ground setting`);
});

test('the Dockerfile copies files that exist and starts the CLI; the ground imports only what the image installs', () => {
  const dockerfile = fs.readFileSync(path.join(GROUND_DIR, 'deploy/Dockerfile'), 'utf8');
  const copies = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1]!);
  assert.ok(copies.length > 5);
  for (const source of copies) assert.ok(fs.existsSync(path.join(ROOT, source)), `COPY ${source}`);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  assert.ok(fs.existsSync(path.join(ROOT, cmd.at(-2)!)), 'the command runs the CLI');
  assert.match(dockerfile, /--workspace @ifec\/ground-sync --workspace @ifec\/protocol/);

  const allowed = (pkg: string) =>
    new Set([
      ...Object.keys(
        (
          JSON.parse(fs.readFileSync(path.join(ROOT, pkg, 'package.json'), 'utf8')) as {
            dependencies: Record<string, string>;
          }
        ).dependencies,
      ),
      ...builtinModules,
      ...builtinModules.map((m) => `node:${m}`),
    ]);
  for (const [workspace, deps] of [
    ['ground-sync', allowed('ground-sync')],
    ['protocol', allowed('protocol')],
  ] as const) {
    const files = (fs.readdirSync(path.join(ROOT, workspace, 'src'), { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    for (const file of files) {
      const source = fs.readFileSync(path.join(ROOT, workspace, 'src', file), 'utf8');
      for (const [, spec] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
        if (spec!.startsWith('.')) {
          const target = path.resolve(path.dirname(path.join(ROOT, workspace, 'src', file)), spec!);
          assert.ok(
            target.startsWith(path.join(ROOT, workspace, 'src')),
            `${workspace}/src/${file} imports ${spec} from outside the image`,
          );
        } else {
          const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
          assert.ok(
            deps.has(name) || deps.has(spec!),
            `${workspace}/src/${file} imports ${spec}, not a dependency of ${workspace}`,
          );
        }
      }
    }
  }
});
