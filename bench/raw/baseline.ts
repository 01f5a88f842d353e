// What "the raw driver doing the equivalent" means in the event store benchmark:
// the same rows, the same indexes and the same durability settings, with none of
// the adapter's work (validation, hash chain, idempotency check, stream heads).
export interface RawRow {
  id: string;
  streamId: string;
  revision: number;
  type: string;
  unitId: string;
  occurredAt: string;
  data: unknown;
  metadata: unknown;
}

export interface RawBaseline {
  /** One transaction per call, like one append. */
  appendBatch(rows: RawRow[]): Promise<void>;
  /** Each returns the number of rows read, decoded to objects. */
  readStream(streamId: string): Promise<number>;
  readAll(): Promise<number>;
  readUnit(unitId: string): Promise<number>;
  close(): Promise<void>;
}
