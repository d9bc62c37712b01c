/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with conjugate-gradient row solves
 * (Takács, Pilászy & Tikk 2011), WebAssembly SIMD kernels and worker-thread parallelism.
 * See README.md in this folder.
 */
export { AlsSolver, trainAls, type AlsModel, type AlsParams } from "./train";
export { alsLoss } from "./loss";
export { scoreUser, topKForUsers } from "./recommend";
