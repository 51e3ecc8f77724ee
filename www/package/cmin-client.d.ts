// Types of cmin-client.js (the page side of the package's worker).
import type {
  CminErrorCode, DeviceReport, LoadOptions, LocalizeOptions, LocalizeResult, Analysis, SearchOptions, SearchResult,
  WorldActor, WorldEvent, WorldPose, WorldQuery,
} from './cmin.js';

/** As `Cmin.load`; a `Response` is read on the page, URLs are resolved against it. */
export type WorkerLoadOptions = LoadOptions;

export interface WorkerModel {
  backend: 'webgpu' | 'cpu';
  fallbackReason: string | null;
  config: Record<string, unknown>;
  parser: boolean;
  device: DeviceReport;
}

export interface WorldInfo {
  seed: number;
  duration: number;
  steps: number;
  stepSeconds: number;
  featureDim: number;
  actors: WorldActor[];
  events: WorldEvent[];
  queries: WorldQuery[];
  /** poses[step][actor]. */
  poses: WorldPose[][];
}

/** A long world video: as `WorldInfo` (a pose's `visible` says whether its actor is on stage), with how it was read. */
export interface LongWorldInfo extends WorldInfo {
  /** Windows of the model's clips it was read in, and its clips at the model's clip length. */
  windows: number;
  numClips: number;
}

/** One video of a library. */
export interface LibraryVideo {
  seed: number;
  duration: number;
  queries: WorldQuery[];
}

export interface VideoInfo {
  numClips: number;
  featureDim: number;
  duration: number;
  encoded: boolean;
}

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
export interface CminWorkerError extends Error {
  name: 'CminError';
  code: CminErrorCode;
}

/** Reads a 2-D float32/float64 `.npy`; throws with the reason for anything else. */
export function readNpy(buffer: ArrayBuffer): { features: Float32Array; numClips: number; featureDim: number };
