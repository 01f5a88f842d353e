// Server reflection as grpcurl and GUI clients use it: a real grpc-js server, a real
// reflection client on the ServerReflectionInfo stream, descriptors linked the way a
// client links them, and a method called through nothing but what reflection said.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create, createFileRegistry, type DescMessage, fromBinary, type JsonValue, toBinary, toJson } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import {
  addReflection,
  HEALTH_SERVICE,
  listProtoFiles,
  listProtoServices,
  protoFilesFor,
  protoRoot,
  REFLECTION_SERVICES,
} from './grpc-reflection.js';

const WENMING_SERVICES = [
  'wenming.awards.v1.AwardsService',
  'wenming.inspection.v1.InspectionService',
  'wenming.lookback.v1.LookbackService',
  'wenming.plansubmission.v1.PlanSubmissionService',
  'wenming.supervision.v1.SupervisionService',
];
const INSPECTION = 'wenming.inspection.v1.InspectionService';

// ─── A reflection client, built from @grpc/reflection's own reflection.proto ──

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}
type ReflectionStream = grpc.ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): ReflectionStream };

const require = createRequire(import.meta.url);
const reflectionProtos = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');

function reflectionClient(address: string, version: 'v1' | 'v1alpha'): ReflectionClient {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [reflectionProtos],
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: {
      reflection: Record<string, { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient }>;
    };
  };
  const Client = loaded.grpc.reflection[version]?.ServerReflection;
  assert.ok(Client);
  return new Client(address, grpc.credentials.createInsecure());
}

/** One request on the ServerReflectionInfo bidi stream, one response back. */
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

async function listServices(client: ReflectionClient): Promise<string[]> {
  const response = await reflect(client, { listServices: '*' });
  return (response.listServicesResponse?.service ?? []).map((s) => s.name).sort();
}

/** What grpcurl does with a symbol: fetch its file and imports, and link them into a registry. */
async function linkedRegistry(client: ReflectionClient, symbol: string) {
  const response = await reflect(client, { fileContainingSymbol: symbol });
  assert.equal(response.errorResponse, undefined, response.errorResponse?.errorMessage);
  const files = (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  assert.ok(files.length > 0);
  // Imports first, as a client links them; every import must be among the files returned.
  const byName = new Map(files.map((file) => [file.name, file]));
  const linked: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto): void => {
    if (linked.includes(file)) return;
    for (const name of file.dependency) {
      const imported = byName.get(name);
      assert.ok(imported, `${file.name} imports ${name}, which reflection did not return`);
      visit(imported);
    }
    linked.push(file);
  };
  for (const file of files) visit(file);
  // Throws when a type cannot be resolved.
  return { files, registry: createFileRegistry(create(FileDescriptorSetSchema, { file: linked })) };
}

// ─── Servers ────────────────────────────────────────────────────────────────

function listen(server: grpc.Server): Promise<string> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(`127.0.0.1:${port}`),
    ),
  );
}

/** Serves a service with stubs that answer every unary method with an empty message. */
function serveStub(server: grpc.Server, serviceName: string): void {
  const definition = protoLoader.loadSync(protoFilesFor([serviceName]), { keepCase: true, includeDirs: [protoRoot] });
  const service = definition[serviceName] as protoLoader.ServiceDefinition;
  const handlers = Object.fromEntries(
    Object.keys(service).map((method) => [method, (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, {})]),
  );
  server.addService(service, handlers);
}

describe('gRPC server reflection', () => {
  const healthOnly = new grpc.Server();
  const withInspection = new grpc.Server();
  let healthAddress = '';
  let inspectionAddress = '';
  const clients: grpc.Client[] = [];

  before(async () => {
    new HealthImplementation({ '': 'SERVING' }).addToServer(healthOnly);
    addReflection(healthOnly, [], [HEALTH_SERVICE]);
    healthAddress = await listen(healthOnly);

    new HealthImplementation({ '': 'SERVING' }).addToServer(withInspection);
    serveStub(withInspection, INSPECTION);
    addReflection(withInspection, listProtoFiles(), [HEALTH_SERVICE, INSPECTION]);
    inspectionAddress = await listen(withInspection);
  });

  after(() => {
    for (const client of clients) client.close();
    healthOnly.forceShutdown();
    withInspection.forceShutdown();
  });

  const client = (address: string, version: 'v1' | 'v1alpha' = 'v1') => {
    const c = reflectionClient(address, version);
    clients.push(c);
    return c;
  };

  it('lists health and reflection itself, on v1 and v1alpha', async () => {
    const expected = [HEALTH_SERVICE, ...REFLECTION_SERVICES].sort();
    assert.deepEqual(await listServices(client(healthAddress)), expected);
    assert.deepEqual(await listServices(client(healthAddress, 'v1alpha')), expected);
  });

  it('lists a Wenming service the server serves, and none it does not (they would answer UNIMPLEMENTED)', async () => {
    const listed = await listServices(client(inspectionAddress));
    assert.deepEqual(listed, [HEALTH_SERVICE, ...REFLECTION_SERVICES, INSPECTION].sort());
  });

  it('returns a symbol’s file with every import, as protoc describes them, so a client can link them', async () => {
    const { files, registry } = await linkedRegistry(client(inspectionAddress), INSPECTION);
    assert.equal(files[0]?.name, 'wenming/inspection/v1/inspection_service.proto');
    assert.ok(files.some((f) => f.name === 'wenming/common/v1/common.proto'));
    assert.ok(files.some((f) => f.name === 'google/protobuf/timestamp.proto'));
    const service = registry.getService(INSPECTION);
    assert.ok(service);
    assert.ok(service.methods.some((m) => m.name === 'OrderRectification' && m.methodKind === 'unary'));
    assert.ok(service.methods.some((m) => m.name === 'StreamRectificationSteps' && m.methodKind === 'server_streaming'));
    // Field names stay as written in proto/, and comments come along for describe.
    const request = registry.getMessage('wenming.inspection.v1.OrderRectificationRequest');
    assert.deepEqual(
      request?.fields.slice(0, 2).map((f) => f.name),
      ['idempotency_key', 'rectification_id'],
    );
    const ordered = registry.getMessage('wenming.inspection.v1.RectificationOrdered');
    assert.match(ordered?.fields.find((f) => f.name === 'requirements')?.jsonName ?? '', /^requirements$/);
    assert.ok(files[0]?.sourceCodeInfo?.location.some((l) => l.leadingComments.includes('Orders a rectification')));
  });

  it('answers NOT_FOUND for an unknown symbol', async () => {
    const response = await reflect(client(healthAddress), { fileContainingSymbol: 'wenming.nope.v1.Nope' });
    assert.equal(response.errorResponse?.errorCode, grpc.status.NOT_FOUND);
  });

  it('is enough to call a method: grpc.health.v1.Health/Check through descriptors from reflection alone', async () => {
    const { registry } = await linkedRegistry(client(healthAddress), HEALTH_SERVICE);
    const check = registry.getService(HEALTH_SERVICE)?.methods.find((m) => m.name === 'Check');
    assert.ok(check);
    const input: DescMessage = check.input;
    const output: DescMessage = check.output;
    const generic = new grpc.Client(healthAddress, grpc.credentials.createInsecure());
    clients.push(generic);
    const response = await new Promise<JsonValue>((resolve, reject) =>
      generic.makeUnaryRequest(
        `/${HEALTH_SERVICE}/Check`,
        () => Buffer.from(toBinary(input, create(input, { service: '' }))),
        (bytes: Buffer) => toJson(output, fromBinary(output, bytes)),
        {},
        (err, value) => (err || value === undefined ? reject(err) : resolve(value)),
      ),
    );
    assert.deepEqual(response, { status: 'SERVING' });
  });

  it('refuses to advertise a service no given file defines', () => {
    const server = new grpc.Server();
    assert.throws(() => addReflection(server, [], [INSPECTION]), /wenming\.inspection\.v1\.InspectionService is defined in none/);
    assert.throws(() => addReflection(server, ['wenming/nope/v1/nope.proto'], []), /not in the generated descriptor sets/);
  });
});

describe('proto/ helpers', () => {
  it('list every service and file proto/ defines', () => {
    assert.deepEqual(listProtoServices(), WENMING_SERVICES);
    const files = listProtoFiles();
    for (const context of ['plansubmission', 'inspection', 'supervision', 'awards', 'lookback']) {
      assert.ok(files.includes(`wenming/${context}/v1/events.proto`), context);
      assert.ok(files.includes(`wenming/${context}/v1/${context}_service.proto`), context);
    }
  });

  it('name the file that defines a service', () => {
    assert.deepEqual(protoFilesFor([INSPECTION, HEALTH_SERVICE]), [
      'health/v1/health.proto',
      'wenming/inspection/v1/inspection_service.proto',
    ]);
  });
});
