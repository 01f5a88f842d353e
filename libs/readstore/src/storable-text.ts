// What projections are given of an event's text. Events stored before the edges
// checked text (issue 12) may hold characters no read store can hold: NUL (FerretDB
// and PostgreSQL's jsonb refuse it) and lone surrogates (no UTF-8 encoding; drivers
// refuse or silently change them). Such an event is permanent, so refusing it forever
// would leave its effect missing from every read model. The event keeps the truth —
// look-back and the dossier read the store — and projections get its text with each
// such character replaced by U+FFFD, the Unicode replacement character ("�"), which
// tells a reader something was there. The read stores stay strict: a projection that
// writes such text itself is still refused, and recorded as a failed event.
import type { RecordedEvent } from '@wenming/eventstore';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const UNSTORABLE_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with each NUL and lone surrogate replaced by U+FFFD (also used for failed-event records). */
export function withStorableCharacters(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\uFFFD');
}

/** Whether any string or key in `value` holds a character no read store can hold (iterative: depth cannot overflow it). */
function holdsUnstorable(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (UNSTORABLE.test(key)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

function copyStorable(value: unknown): unknown {
  if (typeof value === 'string') return withStorableCharacters(value);
  if (Array.isArray(value)) return value.map(copyStorable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [withStorableCharacters(key), copyStorable(item)]));
  }
  return value;
}

/** The event itself when all its data is storable (the common case: nothing copied), else a copy with storable text. */
export function storableEvent(event: RecordedEvent): RecordedEvent {
  if (!holdsUnstorable(event.data)) return event;
  return { ...event, data: copyStorable(event.data) as RecordedEvent['data'] };
}
