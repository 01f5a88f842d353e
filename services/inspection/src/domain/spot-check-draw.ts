// 双随机 (double random): a key spot check draws its target units and, for each,
// its inspectors at random. The draw is a pure function of what is recorded — the
// seed, the candidate lists in their recorded order, the counts — so anyone can
// re-run it from the SpotCheckDrawn event and get the very same result.
//
// Algorithm "cyrb128-sfc32-fisher-yates/v1": the seed's UTF-16 code units are
// hashed by cyrb128 into four 32-bit words that seed the sfc32 generator; units are
// drawn by a partial Fisher–Yates shuffle of the candidate list; then, unit by unit
// in draw order, inspectors are drawn the same way from those not excluded from
// pairing with the unit (回避). Changing any step is a new algorithm version.
import type { Decider } from '@wenming/service-kit';
import { ForbiddenTransitionError, type Person, requireText, unreachable, ValidationError } from './shared.js';

export const DRAW_ALGORITHM = 'cyrb128-sfc32-fisher-yates/v1';

export interface DrawCandidate {
  id: string;
  name?: string;
  excludedPairings?: string[];
}

export interface DrawAssignment {
  unitId: string;
  inspectorIds: string[];
}

export interface DrawInput {
  seed: string;
  unitCandidates: DrawCandidate[];
  inspectorCandidates: DrawCandidate[];
  unitsToDraw: number;
  inspectorsPerUnit: number;
}

export interface DrawResult {
  drawnUnitIds: string[];
  assignments: DrawAssignment[];
}

// ── The generator ───────────────────────────────────────────────────────────────

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32: a small, fast generator with a 128-bit state; returns integers in [0, 2^32). */
export function seededGenerator(seed: string): () => number {
  let [a, b, c, d] = cyrb128(seed);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** An unbiased integer in [0, n), by rejection of the short last range. */
function below(next: () => number, n: number): number {
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const x = next();
    if (x < limit) return x % n;
  }
}

/** The first k of a Fisher–Yates shuffle. */
function drawK<T>(next: () => number, items: readonly T[], k: number): T[] {
  const pool = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + below(next, pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}

export function checkDrawInput(input: DrawInput): void {
  requireText('seed', input.seed);
  const checkList = (field: string, list: DrawCandidate[]) => {
    if (list.length === 0) throw new ValidationError(field, 'needs at least one candidate');
    const seen = new Set<string>();
    list.forEach((c, i) => {
      requireText(`${field}[${i}].id`, c.id);
      if (seen.has(c.id)) throw new ValidationError(`${field}[${i}].id`, `${c.id} appears twice`);
      seen.add(c.id);
    });
  };
  checkList('unitCandidates', input.unitCandidates);
  checkList('inspectorCandidates', input.inspectorCandidates);
  if (!Number.isInteger(input.unitsToDraw) || input.unitsToDraw < 1 || input.unitsToDraw > input.unitCandidates.length) {
    throw new ValidationError('unitsToDraw', `must be 1 to ${input.unitCandidates.length} (the unit candidates)`);
  }
  if (!Number.isInteger(input.inspectorsPerUnit) || input.inspectorsPerUnit < 1) {
    throw new ValidationError('inspectorsPerUnit', 'must be 1 or more');
  }
}

/** Runs the draw. Pure: the same input always gives the same result. */
export function runDraw(input: DrawInput): DrawResult {
  checkDrawInput(input);
  const next = seededGenerator(input.seed);
  const units = drawK(next, input.unitCandidates, input.unitsToDraw);
  const assignments = units.map((unit) => {
    const eligible = input.inspectorCandidates.filter(
      (i) => !(i.excludedPairings ?? []).includes(unit.id) && !(unit.excludedPairings ?? []).includes(i.id),
    );
    if (eligible.length < input.inspectorsPerUnit) {
      throw new ValidationError(
        'inspectorCandidates',
        `only ${eligible.length} inspectors may be paired with unit ${unit.id}; ${input.inspectorsPerUnit} needed`,
      );
    }
    return { unitId: unit.id, inspectorIds: drawK(next, eligible, input.inspectorsPerUnit).map((i) => i.id) };
  });
  return { drawnUnitIds: units.map((u) => u.id), assignments };
}

// ── The aggregate (stream draw-<drawId>) ────────────────────────────────────────

export interface SpotCheckDrawn {
  type: 'SpotCheckDrawn';
  data: DrawInput &
    DrawResult & {
      drawId: string;
      campaignId: string;
      inspectionId?: string;
      algorithm: string;
      seedSource?: string;
      witnesses?: Person[];
    };
}
export type DrawEvent = SpotCheckDrawn;

export interface DrawSpotCheck {
  type: 'DrawSpotCheck';
  data: DrawInput & { drawId: string; campaignId: string; inspectionId?: string; seedSource?: string; witnesses?: Person[] };
}
export type DrawCommand = DrawSpotCheck;

export type DrawState = { status: 'none' } | { status: 'drawn'; draw: SpotCheckDrawn['data'] };

export const drawDecider: Decider<DrawCommand, DrawEvent, DrawState> = {
  initialState: () => ({ status: 'none' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'SpotCheckDrawn':
        return { status: 'drawn', draw: event.data };
      default:
        return unreachable(event.type);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'DrawSpotCheck': {
        if (state.status !== 'none') throw new ForbiddenTransitionError(state.status, 'draw again', 'a recorded draw is never redrawn');
        const d = command.data;
        requireText('drawId', d.drawId);
        requireText('campaignId', d.campaignId);
        const result = runDraw(d);
        return [
          {
            type: 'SpotCheckDrawn',
            data: {
              drawId: d.drawId,
              campaignId: d.campaignId,
              ...(d.inspectionId ? { inspectionId: d.inspectionId } : {}),
              algorithm: DRAW_ALGORITHM,
              seed: d.seed,
              ...(d.seedSource ? { seedSource: d.seedSource } : {}),
              unitCandidates: d.unitCandidates,
              inspectorCandidates: d.inspectorCandidates,
              unitsToDraw: d.unitsToDraw,
              inspectorsPerUnit: d.inspectorsPerUnit,
              ...result,
              ...(d.witnesses?.length ? { witnesses: d.witnesses } : {}),
            },
          },
        ];
      }
      default:
        return unreachable(command.type);
    }
  },
};

/** Re-runs a recorded draw and compares. */
export function verifyDraw(recorded: SpotCheckDrawn['data']): { matches: boolean; recomputed: DrawResult; difference: string } {
  if (recorded.algorithm !== DRAW_ALGORITHM) {
    return { matches: false, recomputed: { drawnUnitIds: [], assignments: [] }, difference: `unknown algorithm ${recorded.algorithm}` };
  }
  const recomputed = runDraw(recorded);
  // Compared field by field: a stored event's keys need not keep their order.
  const canonical = (r: DrawResult) => JSON.stringify([r.drawnUnitIds, r.assignments.map((x) => [x.unitId, x.inspectorIds])]);
  const a = canonical(recorded);
  const b = canonical(recomputed);
  return { matches: a === b, recomputed, difference: a === b ? '' : `recorded ${a}, re-run gives ${b}` };
}
