/**
 * Stack traces in the original sources, paid for only when an error leaves a function. Node's
 * --enable-source-maps costs every cold start (the map is read as the bundle loads) and again at
 * the first stack it formats, and process.setSourceMapsEnabled(true) at error time does not map a
 * bundle loaded before it; so the map ships beside the bundle and the handler boundary maps the
 * escaping error's frames itself, reading the map once per container, on the first such error.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // No map beside this file (not a bundle of ours): its frames stay as they are.
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** `    at fn (/var/task/index.js:1:2345)` or `    at /var/task/index.js:1:2345`. */
const FRAME = /^(\s+at (?:.* \()?)(\/[^():]+\.c?js):(\d+):(\d+)(\)?)$/;

/** The stack with every frame in a mapped bundle replaced by its place in the source (repository path). */
export function originalStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      const [, head, file, lineNo, column, tail] = FRAME.exec(line) ?? [];
      if (!file) return line;
      const entry = mapOf(file)?.findEntry(Number(lineNo) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry)) return line;
      // Sources are relative to wherever the bundle was built: the repository path is what a reader needs.
      const source =
        /(?:^|\/)((?:lambdas|node_modules)\/.*)$/.exec(entry.originalSource)?.[1] ?? entry.originalSource;
      return `${head}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    })
    .join('\n');
}

/** The same error, its stack mapped (name and message untouched: Step Functions matches on the name). */
export function withOriginalStack<T>(err: T): T {
  if (err instanceof Error && err.stack) err.stack = originalStack(err.stack);
  return err;
}
