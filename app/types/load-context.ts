// What the HTTP server (scripts/serve.ts) hands every loader and action.
import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The TCP peer of the request, for the loopback-only standalone mode. */
    remoteAddress: string;
  }
}
