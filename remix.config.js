/**
 * Remix classic compiler (DESIGN.md): it understands `*.server.ts` modules, which keep
 * server code (database, secrets) out of the browser bundle.
 * @type {import('@remix-run/dev').AppConfig}
 */
export default {
  appDirectory: "app",
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
