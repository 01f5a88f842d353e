import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { messagingContract } from '../contract/bus-contract.js';
import { SqliteBus } from './sqlite-bus.js';

const dir = mkdtempSync(join(tmpdir(), 'wenming-bus-'));
after(() => rmSync(dir, { recursive: true, force: true }));

messagingContract({
  name: 'in-process bus (SQLite)',
  open: async () => new SqliteBus({ path: join(dir, 'bus.db'), pollIntervalMs: 20 }),
});
