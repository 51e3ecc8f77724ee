// Types of cmin-client.js (the page side of the package's worker).
// Every value's type is derived from the module's Rust types (cmin.d.ts).
import type {
  Analysis, CminError, LibraryVideo, LoadOptions, LocalizeOptions, LocalizeResult, LongWorldInfo, SearchOptions,
  SearchResult, VideoInfo, WorkerModel, WorldInfo,
} from './cmin.js';
export type { LibraryVideo, LongWorldInfo, VideoInfo, WorkerModel, WorldInfo } from './cmin.js';

/** As `Cmin.load`; a `Response` is read on the page, URLs are resolved against it. */
export type WorkerLoadOptions = LoadOptions;

/** `Cmin.localize`'s result for a text query: it carries the parse and the timings. */
export type WorkerLocalizeResult = LocalizeResult;

export class CminWorker {
  constructor(url?: string | URL);
  load(options?: WorkerLoadOptions): Promise<WorkerModel>;
  world(seed: number): Promise<WorldInfo>;
  /** A world video at least `seconds` long (scenes joined end to end), the current video. */
  long(seed: number, seconds: number): Promise<LongWorldInfo>;
  /** World videos encoded as the library `search` runs across (replacing the last one). */
  library(seeds: number[]): Promise<LibraryVideo[]>;
  /** The library's best moments (`topK` default 10); `video` indexes the library. */
  search(text: string, options?: SearchOptions): Promise<SearchResult>;
  video(video: { features: Float32Array; numClips: number; featureDim: number; duration: number }): Promise<VideoInfo>;
  parse(text: string): Promise<Analysis>;
  /** `Cmin.localize`'s options (topK, nmsThreshold, includeRaw, correctTypos, signal). */
  localize(text: string, options?: LocalizeOptions): Promise<WorkerLocalizeResult>;
  terminate(): void;
}

/** Errors the worker's promises reject with. */
export type CminWorkerError = CminError;

/** Reads a 2-D float32/float64 `.npy`; throws with the reason for anything else. */
export function readNpy(buffer: ArrayBuffer): { features: Float32Array; numClips: number; featureDim: number };
