/**
 * Values from the API reach a terminal: a control character in one (an escape sequence, a line
 * break, a C1 control, a Unicode line separator) could repaint the screen or fake a line of output.
 * Every string in an answer is shown with those escaped as \uXXXX, before anything is printed.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const escape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function printable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(CONTROL, escape);
  if (Array.isArray(value)) return value.map(printable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k) as string, printable(v)]));
  return value;
}
