// Types for the generated kernel-wasm.mjs.
export const kernelWasmBase64: string;
