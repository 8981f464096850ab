/**
 * `kong-portal-provisioner`: the command-line client of the provisioning API (local or deployed).
 * Thin on purpose: the commands live in ./cli/run.ts, parsing in ./cli/args.ts, printing in
 * ./cli/format.ts. Run through bin/kong-portal-provisioner.cjs (the package bin) or `npx tsx bin/cli.ts`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from './cli/run';

runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  fetch: globalThis.fetch,
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
})
  .then((code) => {
    // exitCode rather than exit(): piped stdout is flushed before the process ends.
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`kong-portal-provisioner: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 5;
  });
