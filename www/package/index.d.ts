// Types of index.js, the package's entry point: the API of cmin.js (both builds share it; the
// declarations come from the Rust types), with init choosing the build.
export * from './cmin.js';
import type { InitInput, SyncInitInput } from './cmin.js';

/** The build init() loaded: 'webgpu' (WebGPU and CPU backends) or 'cpu' (the CPU backend alone). */
export type Build = 'webgpu' | 'cpu';

export interface InitOptions {
  /** 'cpu': the CPU-only build; 'webgpu': the full build; 'auto' (default): the full build where the browser offers a WebGPU adapter. */
  backend?: 'auto' | 'webgpu' | 'cpu';
  /** Where the .wasm is, for apps that host it elsewhere: one file for the build chosen, or one per build. */
  module_or_path?: InitInput | Promise<InitInput> | { webgpu?: InitInput | Promise<InitInput>; cpu?: InitInput | Promise<InitInput> };
}

/** The build loaded, or null before init. */
export declare const build: Build | null;

/** Loads one build and binds the exported classes to it; later calls return the first call's answer. */
export default function init(options?: InitOptions): Promise<Build>;

/** The full build, synchronously, from an already fetched module. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): Build;
