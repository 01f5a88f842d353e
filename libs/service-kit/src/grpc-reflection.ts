// gRPC server reflection (v1 and v1alpha), so grpcurl and GUI clients can list the
// services and describe and call every method without a copy of proto/.
//
// @grpc/reflection answers from the file descriptors of a package definition. The
// descriptors proto-loader derives from .proto files merge the files of a package
// and drop their imports, which real clients cannot link ("cannot resolve type"), so
// the descriptors served here are the ones `buf build` wrote at generation time
// (`npm run proto:gen`, committed under @wenming/contracts/descriptors/): exactly
// what protoc would produce, comments included. proto-loader still reads the .proto
// sources to say which services proto/ defines.
//
// Reflection lists only the services the server really serves: one defined in
// proto/ but not registered would answer UNIMPLEMENTED, so it is not advertised.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

/** Absolute path of the repository's proto/ directory (the buf module). */
export const protoRoot = fileURLToPath(new URL('../../../proto', import.meta.url));

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;

const require = createRequire(import.meta.url);
const DESCRIPTOR_SETS = ['wenming', 'grpc-health-v1', 'grpc-reflection-v1'];
/** Described whatever the caller asks for: health and reflection are on every server. */
const ALWAYS_DESCRIBED = ['health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];

/** Every .proto file under proto/, relative to it (`wenming/inspection/v1/events.proto`), sorted. */
export function listProtoFiles(root: string = protoRoot): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.proto')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** Fully-qualified names of every gRPC service defined under proto/ (`wenming.inspection.v1.InspectionService`, …), read from the sources. */
export function listProtoServices(root: string = protoRoot): string[] {
  const files = listProtoFiles(root);
  if (files.length === 0) return [];
  const definition = protoLoader.loadSync(files, { keepCase: true, includeDirs: [root] });
  // Messages and enums carry a `format`; a service is a map of method definitions.
  return Object.entries(definition)
    .filter(([, value]) => !('format' in value))
    .map(([name]) => name)
    .sort();
}

// ─── Descriptor sets ────────────────────────────────────────────────────────

/** The serialized FileDescriptorSets `buf build` wrote (wenming, grpc-health-v1, grpc-reflection-v1), read from @wenming/contracts. */
function readDescriptorSets(): Buffer[] {
  return DESCRIPTOR_SETS.map((set) => readFileSync(require.resolve(`@wenming/contracts/descriptors/${set}.binpb`)));
}

let describedFiles: Map<string, FileDescriptorProto> | undefined;

/**
 * Every file of the generated descriptor sets, by name, parsed once for reflection and
 * for proto-json-schema. A file in more than one set (google/protobuf/…) is kept once.
 */
export function descriptorFiles(): Map<string, FileDescriptorProto> {
  describedFiles ??= new Map(
    readDescriptorSets().flatMap((bytes) => fromBinary(FileDescriptorSetSchema, bytes).file.map((file) => [file.name, file] as const)),
  );
  return describedFiles;
}

/** Fully-qualified names of the services a file defines. */
function servicesOf(file: FileDescriptorProto): string[] {
  return file.service.map((service) => (file.package ? `${file.package}.${service.name}` : service.name));
}

/** The named files and everything they import, transitively. */
function withImports(names: string[]): FileDescriptorProto[] {
  const files = descriptorFiles();
  const seen = new Map<string, FileDescriptorProto>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const file = files.get(name);
    if (!file) {
      throw new Error(`addReflection: ${name} is not in the generated descriptor sets; run npm run proto:gen`);
    }
    seen.set(name, file);
    for (const dependency of file.dependency) visit(dependency);
  };
  for (const name of names) visit(name);
  return [...seen.values()];
}

/** The proto files (paths under proto/) that define the named services, from the generated descriptors. */
export function protoFilesFor(services: readonly string[]): string[] {
  const wanted = new Set(services);
  return [...descriptorFiles().values()]
    .filter((file) => servicesOf(file).some((name) => wanted.has(name)))
    .map((file) => file.name)
    .sort();
}

/**
 * Registers the reflection service on `server`, describing `protoFiles` (paths under
 * proto/, e.g. protoFilesFor(services), or all of listProtoFiles()) with their
 * imports, plus grpc.health.v1 and reflection itself.
 * `services` names what the server serves (fully-qualified); reflection lists those
 * and itself, nothing else. Throws when a named service is in none of the files.
 * Call it once, before the server starts.
 */
export function addReflection(server: grpc.Server, protoFiles: string[], services: readonly string[]): void {
  const files = withImports([...protoFiles, ...ALWAYS_DESCRIBED]);
  const defined = new Set(files.flatMap(servicesOf));
  const unknown = services.filter((name) => !defined.has(name));
  if (unknown.length > 0) {
    throw new Error(`addReflection: ${unknown.join(', ')} is defined in none of ${protoFiles.join(', ') || 'the files given'}`);
  }
  // @grpc/reflection reads nothing of a package definition but the file descriptors
  // its entries carry, so one entry carrying them all is a complete definition for it.
  const carrier: protoLoader.ProtobufTypeDefinition = {
    format: 'FileDescriptorSet',
    type: {},
    fileDescriptorProtos: files.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file))),
  };
  const listed = [...new Set([...services, ...REFLECTION_SERVICES])];
  new ReflectionService({ descriptors: carrier } as protoLoader.PackageDefinition, { services: listed }).addToServer(server);
}
