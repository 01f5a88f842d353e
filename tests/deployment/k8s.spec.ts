// The Kubernetes manifests in infra/k8s: every file parses, the kustomization lists
// them all, every built service has a Deployment and a Service that select the same
// pods, probes /readyz and /healthz on the port it listens on, and starts with an
// environment (the image's ENV, then the ConfigMap, the Secret and the container's
// own env) that the real config loader accepts for exactly that service.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@wenming/service-kit';
import { parseAllDocuments } from 'yaml';
import { builtServices, imageEnv, loadRecording, ROOT, unreadVariables } from './container-env.js';

const DIR = join(ROOT, 'infra/k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: DeploymentSpec & ServiceSpec;
}
interface Container {
  name: string;
  image: string;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface DeploymentSpec {
  replicas?: number;
  strategy?: { type: string };
  selector?: { matchLabels: Record<string, string> };
  template?: {
    metadata: { labels: Record<string, string> };
    spec: { containers: Container[]; volumes?: Array<{ name: string }> };
  };
}
interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: Array<{ name: string; port: number; targetPort: string | number }>;
}
interface Kustomization {
  resources: string[];
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

function parseFile(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  // A file with only comments parses to one empty document.
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) assert.deepEqual(doc.errors, [], `${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return list.map((doc) => doc.toJS()).filter((value) => value !== null && value !== undefined);
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  assert.equal(found.length, 1, `${found.length} ${kind}s named ${name}`);
  return found[0]!;
}

function isSubset(labels: Record<string, string>, of: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => of[k] === v);
}

describe('infra/k8s', () => {
  let files: string[];
  let manifests: Manifest[];
  let kustomization: Kustomization;
  before(() => {
    files = readdirSync(DIR)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    kustomization = parseFile('kustomization.yaml')[0] as Kustomization;
    manifests = files.filter((f) => f !== 'kustomization.yaml').flatMap((f) => parseFile(f) as Manifest[]);
  });

  /** The container of a service's Deployment and the environment it starts with. */
  function container(service: string): { deployment: Manifest; container: Container; env: Record<string, string>; set: string[] } {
    const deployment = find(manifests, 'Deployment', `wenming-${service}`);
    const containers = deployment.spec?.template?.spec.containers ?? [];
    assert.equal(containers.length, 1, `wenming-${service} runs one container`);
    const c = containers[0]!;
    const env: Record<string, string> = { ...imageEnv() };
    const set = new Set<string>();
    for (const from of c.envFrom ?? []) {
      const source = from.configMapRef
        ? find(manifests, 'ConfigMap', from.configMapRef.name).data
        : from.secretRef
          ? find(manifests, 'Secret', from.secretRef.name).stringData
          : undefined;
      assert.ok(source, `wenming-${service}: envFrom ${JSON.stringify(from)} names nothing in infra/k8s`);
      Object.assign(env, source);
      for (const name of Object.keys(source)) set.add(name);
    }
    // The Secret ships a placeholder the loader refuses (see below): stand in what an operator generates.
    if (/change-?me/i.test(env.WENMING_JWT_SECRET ?? '')) env.WENMING_JWT_SECRET = 'k8s-spec-generated-secret-0123456789abcdef';
    for (const { name, value, valueFrom } of c.env ?? []) {
      assert.equal(valueFrom, undefined, `${name}: only literal values are checked here`);
      env[name] = value ?? '';
      set.add(name);
    }
    return { deployment, container: c, env, set: [...set] };
  }

  it('parses, and the kustomization applies every manifest', () => {
    assert.deepEqual(
      [...kustomization.resources].sort(),
      files.filter((f) => f !== 'kustomization.yaml'),
    );
    for (const m of manifests) assert.ok(m.apiVersion && m.kind && m.metadata?.name, JSON.stringify(m).slice(0, 200));
    const deployments = manifests.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name);
    assert.deepEqual(
      deployments.sort(),
      builtServices().map((s) => `wenming-${s}`),
    );
  });

  for (const service of builtServices()) {
    describe(service, () => {
      it('has a Deployment and a Service selecting the same pods, on the ports it listens on', () => {
        const { deployment, container: c, env } = container(service);
        const spec = deployment.spec!;
        const labels = spec.template!.metadata.labels;
        assert.ok(isSubset(spec.selector!.matchLabels, labels), 'the Deployment selects its own pods');
        const svc = find(manifests, 'Service', `wenming-${service}`).spec!;
        assert.ok(svc.selector && Object.keys(svc.selector).length > 0 && isSubset(svc.selector, labels), 'the Service selects those pods');

        const { config } = loadRecording(env);
        const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        assert.deepEqual(ports, { http: config.httpPort, grpc: config.grpcPort });
        assert.deepEqual(
          Object.fromEntries((svc.ports ?? []).map((p) => [p.name, p.targetPort])),
          { http: 'http', grpc: 'grpc' },
          'the Service forwards to the named container ports',
        );
        const image = kustomization.images?.find((i) => c.image === i.name || c.image.startsWith(`${i.name}:`));
        assert.ok(image?.newName, `${c.image} is not rewritten by the kustomization's images`);
      });

      it('is ready on /readyz and alive on /healthz, on its HTTP port', () => {
        const { container: c } = container(service);
        assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
        assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'http' });
      });

      it('starts with an environment the config loader accepts for exactly this service', () => {
        const { deployment, container: c, env, set } = container(service);
        const { config, read } = loadRecording(env);
        assert.deepEqual(config.services, [service]);
        assert.equal(config.profile, 'production');
        assert.equal(config.messaging.kind, 'kafka');
        assert.equal(config.auth.mode, 'hs256');
        assert.deepEqual(config.warnings, []);
        // Replicas share read models only through MongoDB.
        if ((deployment.spec!.replicas ?? 1) > 1) assert.equal(config.readStore.kind, 'mongodb');
        // Every name the ConfigMap, the Secret and the container set is read by something.
        assert.deepEqual(unreadVariables(set, read), []);
        // The data directory (the image's WENMING_DATA_DIR) is a volume the unprivileged user can write.
        const mount = c.volumeMounts?.find((m) => m.mountPath === config.dataDir);
        assert.ok(mount, `nothing is mounted at ${config.dataDir}`);
        assert.ok(
          deployment.spec!.template!.spec.volumes?.some((v) => v.name === mount.name),
          `volume ${mount.name} is not defined`,
        );
      });
    });
  }

  it("points look-back at inspection's Service, on its gRPC port (issue 13)", () => {
    const { config } = loadRecording(container('lookback').env);
    const svc = find(manifests, 'Service', 'wenming-inspection').spec!;
    const grpcPort = svc.ports?.find((p) => p.name === 'grpc');
    assert.ok(grpcPort, 'wenming-inspection has a grpc port');
    assert.equal(config.inspectionGrpc, `wenming-inspection:${grpcPort.port}`, 'WENMING_INSPECTION_GRPC of wenming-lookback');
    // Without it the loader refuses to start look-back alone: it would call its own port.
    const { WENMING_INSPECTION_GRPC: _, ...without } = container('lookback').env;
    assert.throws(
      () => loadConfig(without),
      (err) => err instanceof ConfigError && err.variable === 'WENMING_INSPECTION_GRPC',
    );
  });

  it('points every service at PostgreSQL, the event store tested here; EventStoreDB only as a commented alternative (issue 13 item 16)', () => {
    for (const service of builtServices()) {
      const url = new URL(loadRecording(container(service).env).config.eventStoreUrl);
      assert.equal(url.protocol, 'postgresql:', `wenming-${service}: EVENTSTORE_URL`);
      assert.equal(url.hostname, 'postgres', `wenming-${service}: the city's PostgreSQL Service`);
      // A password belongs in wenming-secrets, never in the ConfigMap.
      assert.equal(url.password, '', `wenming-${service}: a password in the shipped EVENTSTORE_URL`);
    }
    for (const m of manifests) {
      for (const [name, value] of Object.entries({ ...m.data, ...m.stringData })) {
        assert.doesNotMatch(value, /^esdb(\+discover)?:/, `${m.kind} ${m.metadata.name}: ${name} points at EventStoreDB`);
      }
    }
    const configText = readFileSync(join(DIR, 'config.yaml'), 'utf8');
    assert.match(configText, /^\s*#\s*EVENTSTORE_URL:\s*esdb:\/\//m, 'config.yaml shows the EventStoreDB alternative, commented out');
  });

  it('runs the relay in exactly one pod: one Deployment, one replica, never two during a rollout', () => {
    const relays = builtServices().filter((s) => loadRecording(container(s).env).config.messaging.relay);
    assert.deepEqual(relays, ['plan-submission']);
    const spec = container('plan-submission').deployment.spec!;
    assert.equal(spec.replicas, 1);
    assert.equal(spec.strategy?.type, 'Recreate');
  });

  it('ships the token secret as a placeholder the services refuse, so an unedited apply does not run with a published key', () => {
    const placeholder = find(manifests, 'Secret', 'wenming-secrets').stringData?.WENMING_JWT_SECRET;
    assert.ok(placeholder, 'wenming-secrets has a WENMING_JWT_SECRET');
    assert.throws(
      () => loadConfig({ ...container('inspection').env, WENMING_JWT_SECRET: placeholder }),
      (err) => err instanceof ConfigError && err.variable === 'WENMING_JWT_SECRET',
    );
  });

  it('probes routes the HTTP server has', () => {
    const health = readFileSync(join(ROOT, 'libs/service-kit/src/health.ts'), 'utf8');
    for (const path of ['/readyz', '/healthz']) assert.match(health, new RegExp(`app\\.get\\(\\s*'${path}'`), path);
  });
});
