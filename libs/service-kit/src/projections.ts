// For tests and the demo: a module's read models have applied everything appended to
// the event store so far (the runner's `caughtUp` only says it caught up once, at start).
import type { EventStore } from '@wenming/eventstore';
import type { ProjectionRunner } from '@wenming/readstore';

/** Resolves once every projection of the runner (asked afresh each time: it exists once started) is live at the store's head. */
export async function projectionsCaughtUp(store: EventStore, runner: () => ProjectionRunner | undefined): Promise<void> {
  const head = await store.headPosition();
  for (let i = 0; i < 400; i++) {
    const status = runner()?.status() ?? [];
    if (status.length > 0 && status.every((s) => s.position >= head && s.state === 'live')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('projections did not catch up within 10 s');
}
