// Connection strings carry passwords (postgresql://wenming:s3cret@db/…,
// mongodb://u:p@a,b/?authSource=…, key=value strings with password=…). Anything
// Wenming prints or logs that may hold one — the startup banner, health answers,
// CLI output, errors from drivers that echo their URL — goes through this, so a
// password never reaches a terminal, a log aggregator or an HTTP client.

const REDACTED = '***';

// scheme://user:password@host — the password runs to the last '@' before the host,
// so an unescaped '@' inside it is hidden too. A user without a password is kept.
const USERINFO = /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@/g;
// password=… in a query string or a libpq key=value string (sslpassword, pass, pwd too).
const PASSWORD_PARAM = /(\b(?:ssl)?(?:password|passwd|pass|pwd)=)(?:'(?:[^'\\]|\\.)*'|[^\s&#;]*)/gi;

/** The text with every connection-string password replaced by `***`; everything else unchanged. */
export function redactSecrets(text: string): string {
  return text.replace(USERINFO, `$1:${REDACTED}@`).replace(PASSWORD_PARAM, `$1${REDACTED}`);
}

/** An error's message (and stack) for printing: redacted, and never the raw driver object. */
export function redactError(err: unknown): string {
  if (err instanceof Error) return redactSecrets(err.stack ?? `${err.name}: ${err.message}`);
  return redactSecrets(String(err));
}
