// The generated contracts round-trip what services store and send, and are current:
// every service proto/ defines has its grpc-js definition, method for method, and the
// committed descriptor sets describe every file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import * as protoLoader from '@grpc/proto-loader';
import { AwardsEvent } from './gen/wenming/awards/v1/events.js';
import { Role, TitleKind } from './gen/wenming/common/v1/common.js';
import { EventEnvelope } from './gen/wenming/common/v1/envelope.js';
import { InspectionEvent, RectificationOrdered, Severity } from './gen/wenming/inspection/v1/events.js';
import { AcknowledgeRectificationRequest } from './gen/wenming/inspection/v1/inspection_service.js';
import { grpcServiceDefinitions } from './index.js';

const protoRoot = fileURLToPath(new URL('../../../proto', import.meta.url));

function protoFiles(dir = protoRoot): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return protoFiles(path);
      return entry.name.endsWith('.proto') ? [relative(protoRoot, path).split(sep).join('/')] : [];
    })
    .sort();
}

const fromSources = protoLoader.loadSync(protoFiles(), { keepCase: true, includeDirs: [protoRoot] });

const ordered: RectificationOrdered = {
  rectificationId: 'rect-1',
  findingId: 'finding-7',
  inspectionId: 'insp-3',
  unitId: 'unit-tax-window-2',
  campaignId: 'camp-2025',
  criterionId: 'crit-2.3',
  severity: Severity.SEVERITY_SERIOUS,
  requirements: '公示栏信息过期，三十个工作日内更新并建立定期核查制度',
  deadlineDate: '2025-05-16',
  limitWorkingDays: 30,
  publicConcern: true,
  evidence: [
    {
      evidenceId: 'ev-1',
      fileName: '窗口公示栏-1.jpg',
      mediaType: 'image/jpeg',
      sizeBytes: 482_113,
      sha256: 'a'.repeat(64),
      attachedBy: { id: 'inspector-li', role: Role.ROLE_INSPECTOR, displayName: '李督查', via: '' },
      attachedAt: new Date('2025-04-01T02:30:00.000Z'),
      capturedAt: new Date('2025-04-01T02:12:45.250Z'),
      caption: '公示栏仍为2023年信息',
      showsUnitName: true,
    },
  ],
};

describe('generated messages', () => {
  it('round-trip RectificationOrdered through the wire format: timestamps, an enum, nested evidence', () => {
    const decoded = RectificationOrdered.decode(RectificationOrdered.encode(ordered).finish());
    assert.deepEqual(decoded, ordered);
    assert.ok(decoded.evidence[0]?.attachedAt instanceof Date);
  });

  it('store payloads as proto3 JSON in the envelope and read them back unchanged', () => {
    const data = RectificationOrdered.toJSON(ordered) as Record<string, unknown>;
    assert.equal(data.severity, 'SEVERITY_SERIOUS');
    assert.equal((data.evidence as Array<Record<string, unknown>>)[0]?.attachedAt, '2025-04-01T02:30:00.000Z');
    assert.equal((data.evidence as Array<Record<string, unknown>>)[0]?.sizeBytes, 482_113);

    const envelope: EventEnvelope = {
      id: '0b6f4c7e-3f0a-4d55-9a51-3c1f8a0c2e11',
      type: 'RectificationOrdered',
      streamId: 'rectification-rect-1',
      revision: 0,
      position: 1042,
      occurredAt: new Date('2025-04-01T02:30:00.000Z'),
      recordedAt: new Date('2025-04-01T02:30:00.125Z'),
      data,
      metadata: {
        unitId: 'unit-tax-window-2',
        campaignId: 'camp-2025',
        actor: { id: 'inspector-li', role: Role.ROLE_INSPECTOR, displayName: '', via: '' },
        correlationId: 'corr-9',
        causationId: 'cmd-9',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        schemaVersion: 1,
        prevHash: '0'.repeat(64),
        hash: 'f'.repeat(64),
      },
    };
    const back = EventEnvelope.decode(EventEnvelope.encode(envelope).finish());
    assert.deepEqual(back, envelope);
    assert.deepEqual(RectificationOrdered.fromJSON(back.data), ordered);
    // And through JSON, as Kafka consumers and auditors read it.
    assert.deepEqual(EventEnvelope.fromJSON(JSON.parse(JSON.stringify(EventEnvelope.toJSON(envelope)))), envelope);
  });

  it('carry oneofs as tagged unions, nested ones included', () => {
    const event: AwardsEvent = {
      event: {
        $case: 'titleAwarded',
        value: {
          awardId: 'award-1',
          cycleId: 'cycle-2025-q1',
          subject: {
            subject: {
              $case: 'staff',
              value: { personId: 'p-9', name: '王芳', position: '窗口工作人员', unitId: 'unit-tax-window-2', contact: '' },
            },
          },
          title: TitleKind.TITLE_KIND_ADVANCED_STAFF,
          sheetId: 'sheet-4',
          score: { hundredths: 9650 },
          rank: 1,
          valid: { startDate: '2025-04-01', endDate: '2025-06-30' },
        },
      },
    };
    assert.deepEqual(AwardsEvent.decode(AwardsEvent.encode(event).finish()), event);
    const json = AwardsEvent.toJSON(event) as { titleAwarded: { subject: { staff: { name: string } }; title: string } };
    assert.equal(json.titleAwarded.subject.staff.name, '王芳');
    assert.equal(json.titleAwarded.title, 'TITLE_KIND_ADVANCED_STAFF');
  });

  it('tell an expected revision of 0 from none (proto3 optional)', () => {
    const base = { idempotencyKey: 'k', rectificationId: 'rect-1', responsiblePerson: undefined };
    const zero = AcknowledgeRectificationRequest.decode(AcknowledgeRectificationRequest.encode({ ...base, expectedRevision: 0 }).finish());
    const none = AcknowledgeRectificationRequest.decode(AcknowledgeRectificationRequest.encode(base).finish());
    assert.equal(zero.expectedRevision, 0);
    assert.equal(none.expectedRevision, undefined);
  });

  it('decode an event union from the envelope type name', () => {
    const union: InspectionEvent = { event: { $case: 'rectificationOrdered', value: ordered } };
    const back = InspectionEvent.decode(InspectionEvent.encode(union).finish());
    assert.equal(back.event?.$case, 'rectificationOrdered');
    assert.deepEqual(back.event?.value, ordered);
  });
});

describe('generated code is current with proto/', () => {
  const servicesInProto = Object.entries(fromSources).filter(([, value]) => !('format' in value)) as Array<
    [string, protoLoader.ServiceDefinition]
  >;

  it('has a grpc-js definition for every service proto/ defines, and for no other', () => {
    assert.deepEqual(Object.keys(grpcServiceDefinitions).sort(), servicesInProto.map(([name]) => name).sort());
  });

  it('matches every method of every service: path and streaming', () => {
    for (const [name, fromProto] of servicesInProto) {
      const generated = grpcServiceDefinitions[name as keyof typeof grpcServiceDefinitions];
      const shape = (definition: Record<string, { path: string; requestStream: boolean; responseStream: boolean }>) =>
        Object.values(definition)
          .map((m) => `${m.path} ${m.requestStream ? 'stream ' : ''}→ ${m.responseStream ? 'stream' : 'unary'}`)
          .sort();
      assert.deepEqual(shape(generated), shape(fromProto), name);
    }
  });

  it('names every member of an event union after its message, as the envelope type does', () => {
    const unions = [
      'plansubmission.v1.PlanSubmissionEvent',
      'inspection.v1.InspectionEvent',
      'supervision.v1.SupervisionEvent',
      'awards.v1.AwardsEvent',
      'lookback.v1.LookbackEvent',
    ];
    for (const union of unions) {
      const definition = fromSources[`wenming.${union}`] as protoLoader.MessageTypeDefinition<object, object>;
      const fields = (definition.type as { field: Array<{ name: string; typeName: string }> }).field;
      assert.ok(fields.length > 0, union);
      for (const field of fields) {
        const pascal = field.name.replace(/(^|_)([a-z])/g, (_m, _sep, c: string) => c.toUpperCase());
        assert.equal(field.typeName.split('.').pop(), pascal, `${union}.${field.name}`);
        assert.match(pascal, /(ed|Withdrawn|Drawn|Found|Met)(?=[A-Z]|$)/, `${pascal} should be named in the past tense`);
      }
    }
  });

  it('ships descriptor sets describing every proto file (for server reflection)', () => {
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(new URL('./gen/descriptors/wenming.binpb', import.meta.url)));
    const described = new Set(set.file.map((f) => f.name));
    for (const file of protoFiles()) assert.ok(described.has(file), `${file} is missing: run npm run proto:gen`);
    const inspection = set.file.find((f) => f.name === 'wenming/inspection/v1/events.proto');
    const message = inspection?.messageType.find((m) => m.name === 'RectificationOrdered');
    assert.deepEqual(
      message?.field.map((f) => f.name),
      Object.keys(RectificationOrdered.fromPartial({})).map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
    );
  });
});
