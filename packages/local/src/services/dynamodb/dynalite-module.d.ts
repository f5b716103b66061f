declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    path?: string;
  }

  /** An http.Server whose `request` listener is dynalite's handler; it is never listened on here. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
