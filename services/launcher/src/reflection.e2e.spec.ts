// grpcurl-style reflection against the running platform (in-process, real servers):
// it lists exactly what the process serves, health and reflection included, and
// every service a module registers, with descriptors a client can use.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  type CreateModule,
  HEALTH_SERVICE,
  listProtoServices,
  loadConfig,
  protoFilesFor,
  protoRoot,
  REFLECTION_SERVICES,
} from '@wenming/service-kit';
import { type RunningPlatform, startPlatform } from './platform.js';

const INSPECTION = 'wenming.inspection.v1.InspectionService';
const require = createRequire(import.meta.url);
const dirs: string[] = [];
const running: RunningPlatform[] = [];
const clients: grpc.Client[] = [];

after(async () => {
  for (const client of clients) client.close();
  for (const platform of running) await platform.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** With a stub module, the real module serving the same service must stay out (WENMING_SERVICES). */
async function start(modules: CreateModule[] = [], services = 'all'): Promise<RunningPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'wenming-reflection-'));
  dirs.push(dir);
  const config = loadConfig({ WENMING_DATA_DIR: dir, HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent', WENMING_SERVICES: services });
  const platform = await startPlatform(config, { modules });
  running.push(platform);
  return platform;
}

// ─── A reflection client, as grpcurl has one ────────────────────────────────

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}
type ReflectionClient = grpc.Client & {
  ServerReflectionInfo(): grpc.ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
};

function reflectionClient(address: string): ReflectionClient {
  const protos = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');
  const definition = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [protos], defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  clients.push(client);
  return client;
}

function reflect(client: ReflectionClient, request: Record<string, unknown>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.once('data', (response: ReflectionResponse) => {
      stream.end();
      resolve(response);
    });
    stream.once('error', reject);
    stream.write({ host: '', ...request });
  });
}

async function listServices(address: string): Promise<string[]> {
  const response = await reflect(reflectionClient(address), { listServices: '*' });
  return (response.listServicesResponse?.service ?? []).map((s) => s.name).sort();
}

/** The status a service answers an empty call to its first unary method with (OK, or whatever error it gives). */
async function answerOf(address: string, serviceName: string): Promise<grpc.status> {
  const healthProtos = join(require.resolve('grpc-health-check/package.json'), '..', 'proto');
  const definition = protoLoader.loadSync(protoFilesFor([serviceName]), { keepCase: true, includeDirs: [protoRoot, healthProtos] });
  const method = Object.values(definition[serviceName] as protoLoader.ServiceDefinition).find((m) => !m.requestStream && !m.responseStream);
  assert.ok(method, `${serviceName} has a unary method`);
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  clients.push(client);
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      method.path,
      () => Buffer.alloc(0), // an empty message is valid input for any method
      (bytes: Buffer) => bytes,
      new grpc.Metadata(),
      (err) => resolve(err ? err.code : grpc.status.OK),
    ),
  );
}

/** Fails when reflection advertises a service that would answer UNIMPLEMENTED. */
async function assertEveryListedServiceIsServed(address: string, listed: string[]): Promise<void> {
  for (const name of listed.filter((n) => !(REFLECTION_SERVICES as readonly string[]).includes(n))) {
    assert.notEqual(await answerOf(address, name), grpc.status.UNIMPLEMENTED, `${name} is listed but not served`);
  }
}

// A module serving InspectionService with stubs, as a real service module will.
const inspectionStub: CreateModule = (_config, deps) => {
  const definition = protoLoader.loadSync(protoFilesFor([INSPECTION]), { keepCase: true, includeDirs: [protoRoot] });
  const service = definition[INSPECTION] as protoLoader.ServiceDefinition;
  const handlers = Object.fromEntries(
    Object.keys(service).map((method) => [method, (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, {})]),
  );
  deps.grpc.addService(service, handlers);
  return { name: 'inspection-stub', grpcServices: [INSPECTION], start: async () => {}, stop: async () => {}, ready: () => true };
};

describe('reflection on the running platform', () => {
  it('lists health and reflection, only services of proto/, and only what it serves', async () => {
    const platform = await start();
    const listed = await listServices(platform.grpcAddress);
    for (const name of [HEALTH_SERVICE, ...REFLECTION_SERVICES]) assert.ok(listed.includes(name), `${name} in ${listed}`);
    const known = new Set([HEALTH_SERVICE, ...REFLECTION_SERVICES, ...listProtoServices()]);
    for (const name of listed) assert.ok(known.has(name), `${name} is not a service of proto/`);
    await assertEveryListedServiceIsServed(platform.grpcAddress, listed);
  });

  it('lists a service a module registers, with descriptors of it and its imports', async () => {
    const platform = await start([inspectionStub], 'plan-submission');
    const listed = await listServices(platform.grpcAddress);
    assert.ok(listed.includes(INSPECTION), listed.join(', '));
    await assertEveryListedServiceIsServed(platform.grpcAddress, listed);
    const response = await reflect(reflectionClient(platform.grpcAddress), { fileContainingSymbol: INSPECTION });
    assert.equal(response.errorResponse, undefined, response.errorResponse?.errorMessage);
    assert.ok((response.fileDescriptorResponse?.fileDescriptorProto.length ?? 0) >= 3, 'the file and its imports');
  });

  it('does not list a service defined in proto/ that no module serves (it answers UNIMPLEMENTED)', async () => {
    const platform = await start([inspectionStub], 'plan-submission');
    const listed = await listServices(platform.grpcAddress);
    const unserved = listProtoServices().filter((name) => !listed.includes(name));
    assert.ok(unserved.length > 0, 'some service of proto/ is not served here');
    for (const name of unserved) assert.equal(await answerOf(platform.grpcAddress, name), grpc.status.UNIMPLEMENTED, name);
  });
});
