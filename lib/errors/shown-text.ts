/**
 * What a message may show of the values it quotes: every message edgefleet prints passes here, so
 * that no caller can forget it. A value from a hostile or careless input (a 50 MB inventory cell, a
 * private key pasted where a public one belongs) is cut to a readable length or not shown at all.
 */

/** Longest value shown inside double quotes: enough to recognise it, short enough to read. */
export const MAX_QUOTED_LENGTH = 80;

/**
 * Longest line of a message, for a value quoted otherwise (unquoted, or holding a quote itself);
 * the longest lines edgefleet writes (the planner's, a problem many stores share) are under 600.
 */
export const MAX_LINE_LENGTH = 1000;

/** Longest message: a full list of synth's problems (50, each one line) is well within it. */
export const MAX_MESSAGE_LENGTH = 64 * 1024;

/** Shown instead of anything that looks like a private key. */
export const PRIVATE_KEY_PLACEHOLDER = '[private key not shown]';

/**
 * What looks like a private key, in any case: an age identity (`AGE-SECRET-KEY-1...`, as `age-keygen`
 * writes it), and a PEM private key (RSA, EC, OpenSSH, PKCS #8, PGP...) from its first line to the end of
 * its last, or to the end of the text when its last line is missing.
 */
const PRIVATE_KEY = new RegExp(
  [/AGE-SECRET-KEY-1[0-9A-Z]*/, /-----BEGIN[ A-Z0-9]*PRIVATE KEY[ A-Z]*-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY[ A-Z]*-----\r?\n?|$)/]
    .map((p) => p.source)
    .join('|'),
  'gi',
);

/** A double-quoted value on one line. */
const QUOTED = /"([^"\n]*)"/g;

/** Whether `text` holds something that looks like a private key. */
export function looksLikePrivateKey(text: string): boolean {
  PRIVATE_KEY.lastIndex = 0;
  return PRIVATE_KEY.test(text);
}

/** `text` with everything that looks like a private key replaced by {@link PRIVATE_KEY_PLACEHOLDER}. */
export function withoutPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY, PRIVATE_KEY_PLACEHOLDER);
}

/**
 * `message` as it may be shown: without private keys, each double-quoted value cut to
 * {@link MAX_QUOTED_LENGTH} characters, each line to {@link MAX_LINE_LENGTH} and the whole to
 * {@link MAX_MESSAGE_LENGTH}, each cut saying how much it left out (`"AAAA… (49999950 more characters)"`).
 * A message shown already comes out as it was.
 */
export function shownMessage(message: string): string {
  const quotedCut = withoutPrivateKeys(message).replace(QUOTED, (whole, value: string) =>
    value.length > MAX_QUOTED_LENGTH ? `"${cut(value, MAX_QUOTED_LENGTH)}"` : whole,
  );
  const linesCut = quotedCut
    .split('\n')
    .map((line) => cut(line, MAX_LINE_LENGTH))
    .join('\n');
  return cut(linesCut, MAX_MESSAGE_LENGTH);
}

/** `text` cut to at most `max` characters, the last of them saying how many it left out (never inside a surrogate pair). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (left: number) => `… (${left} more characters)`;
  let end = max - note(text.length).length;
  if (/[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return `${text.slice(0, end)}${note(text.length - end)}`;
}
