// An in-memory stand-in for the slice of EventStoreDBClient the adapter uses, so
// the adapter's own logic (hash chain, retries, idempotency, the position fallback,
// readUnit's index + tail, the subscription's caughtUp counting) runs through the
// contract suite on a machine with no server. It models EventStoreDB as documented
// (byte-offset positions where only record starts are readable, exclusive
// subscription starts, `caughtUp`, links in $all, a lagging projection that
// checkpoints now and then, running the adapter's real projection query); it is
// NOT evidence that a real server behaves so. The *.int.spec.ts is that evidence.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import {
  ANY,
  type AppendExpectedRevision,
  type EventData,
  type EventStoreDBClient,
  NO_STREAM,
  type Position,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EsdbRecord } from './mapping.js';

/** A stored record: what the adapter reads (EsdbRecord), always with a position. */
interface Rec extends EsdbRecord {
  created: Date;
  position: Position;
  /** For a link: the event it points to. */
  target?: Rec;
}

type Handler = (state: unknown, event: Record<string, unknown>) => unknown;

export class FakeEsdbClient {
  private readonly log: Rec[] = [];
  private readonly streams = new Map<string, Rec[]>();
  private readonly subscribers = new Set<FakeSubscription>();
  private nextPosition = 1_000n;
  private projection?: { handlers: Record<string, Handler>; processed: number; checkpoint?: bigint; timer: NodeJS.Timeout };

  /** The adapter takes an EventStoreDBClient; this fake has the methods it calls. */
  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  async appendToStream(streamName: string, events: EventData | EventData[], options: { expectedRevision?: AppendExpectedRevision } = {}) {
    await new Promise((resolve) => setImmediate(resolve)); // let concurrent writers interleave, as over a network
    const expected = options.expectedRevision ?? ANY;
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    const ok =
      expected === ANY ||
      (expected === NO_STREAM && current === NO_STREAM) ||
      (expected === STREAM_EXISTS && current !== NO_STREAM) ||
      expected === current;
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    for (const e of Array.isArray(events) ? events : [events]) {
      this.write(streamName, e.type, JSON.parse(JSON.stringify(e.data)), e.metadata, e.id);
    }
    const last = this.streams.get(streamName)!.at(-1)!;
    return { success: true, nextExpectedRevision: last.revision, position: last.position };
  }

  private write(streamId: string, type: string, data: unknown, metadata: unknown, id: string, target?: Rec): Rec {
    const stream = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, stream);
    const rec: Rec = {
      id,
      type,
      streamId,
      revision: BigInt(stream.length),
      isJson: target === undefined,
      data,
      metadata: metadata === undefined ? undefined : JSON.parse(JSON.stringify(metadata)),
      created: new Date(),
      position: { commit: this.nextPosition, prepare: this.nextPosition },
      ...(target ? { target } : {}),
    };
    this.nextPosition += BigInt(100 + JSON.stringify(data ?? '').length); // records have lengths: p + 1 is no position
    stream.push(rec);
    this.log.push(rec);
    for (const s of this.subscribers) s.offer(rec);
    return rec;
  }

  readStream(
    streamName: string,
    options: { direction?: string; fromRevision?: bigint | string; maxCount?: number | bigint; resolveLinkTos?: boolean } = {},
  ) {
    return reader(() => {
      const stream = this.streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = typeof options.fromRevision === 'bigint' ? options.fromRevision : undefined;
      const picked = backwards
        ? stream.filter((r) => from === undefined || r.revision <= from).reverse()
        : stream.filter((r) => from === undefined || r.revision >= from);
      return picked.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)).map((r) => resolve(r, options.resolveLinkTos === true));
    });
  }

  readAll(options: { direction?: string; fromPosition?: Position | string; maxCount?: number | bigint } = {}) {
    return reader(() => {
      const from = typeof options.fromPosition === 'object' ? options.fromPosition.commit : undefined;
      if (from !== undefined && from !== this.nextPosition && !this.log.some((r) => r.position.commit === from)) {
        throw new Error('Trying to read from an invalid position.');
      }
      const picked =
        options.direction === 'backwards'
          ? this.log.filter((r) => from === undefined || r.position.commit < from).reverse()
          : this.log.filter((r) => from === undefined || r.position.commit >= from);
      return picked
        .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))
        .map((r) => ({ ...resolve(r, false), commitPosition: r.position.commit }));
    });
  }

  subscribeToAll(options: { fromPosition?: Position | string; filter?: { regex?: string } } = {}) {
    const from = typeof options.fromPosition === 'object' ? options.fromPosition.commit : -1n;
    const sub = new FakeSubscription(this.subscribers, options.filter?.regex);
    setImmediate(() => {
      // One synchronous step, as the server's switch to live: no append can fall in between.
      for (const r of this.log) if (r.position.commit > from) sub.offer(r);
      this.subscribers.add(sub);
      sub.emit('caughtUp');
    });
    return sub;
  }

  async setStreamMetadata(): Promise<void> {}

  async getProjectionStatus(name: string) {
    if (!this.projection) throw Object.assign(new Error(`projection ${name} not found`), { type: 'not-found' });
    const c = this.projection.checkpoint;
    return { projectionStatus: 'Running', lastCheckpoint: c === undefined ? '' : `C:${c}/P:${c}` };
  }

  /** Runs the adapter's real query text, a few events per tick, checkpointing every 7 events. */
  async createProjection(_name: string, query: string): Promise<void> {
    let handlers: Record<string, Handler> = {};
    runInNewContext(query, {
      fromAll: () => ({ when: (h: Record<string, Handler>) => (handlers = h) }),
      linkTo: (stream: string, event: { rec: Rec }) =>
        this.write(stream, '$>', `${event.rec.revision}@${event.rec.streamId}`, undefined, randomUUID(), event.rec),
    });
    const timer = setInterval(() => this.project(), 2);
    timer.unref();
    this.projection = { handlers, processed: 0, timer };
  }

  private project(): void {
    const p = this.projection!;
    for (let n = 0; n < 25 && p.processed < this.log.length; n++) {
      const rec = this.log[p.processed++]!;
      if (rec.type !== '$>') {
        const m = rec.metadata;
        const event = { rec, streamId: rec.streamId, eventType: rec.type, metadata: m, metadataRaw: JSON.stringify(m ?? '') };
        p.handlers.$any?.({}, event);
      }
      if (p.processed % 7 === 0) p.checkpoint = rec.position.commit;
    }
  }

  async enableProjection(): Promise<void> {}

  async dispose(): Promise<void> {
    if (this.projection) clearInterval(this.projection.timer);
  }
}

function resolve(rec: Rec, resolveLinks: boolean) {
  return resolveLinks && rec.target ? { event: rec.target, link: rec } : { event: rec };
}

/** A client read: async-iterable, failing (like the real one) only when iterated. */
function reader<T>(items: () => T[]) {
  return {
    async *[Symbol.asyncIterator]() {
      yield* items();
    },
    async cancel() {},
  };
}

/** Like the client's subscription: a readable in object mode that stays open after unsubscribe(). */
class FakeSubscription extends Readable {
  constructor(
    private readonly registry: Set<FakeSubscription>,
    private readonly typeRegex: string | undefined,
  ) {
    super({ objectMode: true });
  }

  offer(rec: Rec): void {
    if (this.typeRegex && !new RegExp(this.typeRegex).test(rec.type)) return;
    this.push({ event: rec, commitPosition: rec.position.commit });
  }

  override _read(): void {}

  async unsubscribe(): Promise<void> {
    this.registry.delete(this);
  }
}
