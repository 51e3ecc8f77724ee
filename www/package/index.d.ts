// Types of index.js, the package's entry point: the API of cmin.js (both builds share it; the
// declarations come from the Rust types), with init choosing the build.
export * from './cmin.js';
import type { Build, InitOptions, SyncInitInput } from './cmin.js';

/** The build loaded, or null before init. */
export declare const build: Build | null;

/** Loads one build and binds the exported classes to it; later calls return the first call's answer. */
export default function init(options?: InitOptions): Promise<Build>;

/** The full build, synchronously, from an already fetched module. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): Build;
