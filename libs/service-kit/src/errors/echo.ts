// Errors quote what the caller sent (an id, a field name) so the caller can see what
// was wrong. Quoted whole, a 100 KB value becomes a 100 KB gRPC status message: the
// grpc-message trailer then exceeds the peer's header limit and the call never ends.
// So every echo is cut, and whatever a caller is told has a ceiling.

/** Characters of a caller's value an error quotes. */
export const MAX_ECHO = 200;
/** Characters of any error message or trailer value a caller is sent. */
export const MAX_ERROR_MESSAGE = 1000;

/** The text cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function truncateEcho(text: string, max: number = MAX_ECHO): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
