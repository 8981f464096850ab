/** dynalite@4 ships no types; this covers the programmatic entry point we use (local/dynamodb.ts). */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** How long a table stays CREATING / DELETING / UPDATING (default 500 ms each). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    ssl?: boolean;
    /** Note: verbose/debug switch a module-wide flag that later instances inherit. */
    verbose?: boolean;
    debug?: boolean;
  }

  /** Returns an unstarted HTTP server; its `close` also closes the LevelDB store. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
