// Types for build.mjs (the kernel's build tool, also used by the test that checks the
// committed module against its source).
export const ASC_FLAGS: Record<string, unknown>;
export function compileKernel(): Promise<Uint8Array>;
export function kernelModuleText(bytes: Uint8Array): string;
