//! The TypeScript declarations of the objects that cross the boundary as plain JS values
//! (options, results, reports), emitted into the package's `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/**
 * A file for `Cmin.load`: a URL (fetched, cached, progress reported), `{ url, integrity }`
 * (integrity 'sha256-<base64>' or 64 hex digits, checked on every load), a `Response`, a
 * `Blob`, or the bytes.
 */
export type FileSource = string | URL | { url: string | URL; integrity?: string } | Response | Blob | ArrayBuffer | ArrayBufferView;
/** `onProgress` events, one file at a time, then `ready` once the model is usable. */
export type LoadProgress =
  | { status: 'initiate'; file: 'weights' | 'embeddings' | 'parser'; url: string | null }
  | { status: 'progress'; file: 'weights' | 'embeddings' | 'parser'; url: string | null; loaded: number; total: number; progress: number | null }
  | { status: 'done'; file: 'weights' | 'embeddings' | 'parser'; url: string | null; loaded: number; total: number; fromCache: boolean }
  | { status: 'ready'; backend: 'webgpu' | 'cpu' };
/** Options of `Cmin.load`; every field may be left out (`await Cmin.load()` works). */
export interface LoadOptions {
  /** Weights (safetensors): ours carry their config; a reference state dict needs `config`. Default: the demo's world model. */
  weights?: FileSource;
  /** Word vectors: cmin's compact file or GloVe text. Default: the package's 50-d GloVe. */
  embeddings?: FileSource;
  /** The parser model; with it, `localize` also takes text. Default: the package's parser; `null` for none. */
  parser?: FileSource | null;
  /** Model config (snake_case fields of CminConfig); required for reference weights. */
  config?: object;
  /** Default 'auto': WebGPU when an adapter exists, else the CPU. */
  backend?: 'auto' | 'webgpu' | 'cpu';
  /** Called as files arrive. */
  onProgress?: (event: LoadProgress) => void;
  /** Cancels the downloads (the promise rejects with code 'aborted'). */
  signal?: AbortSignal;
  /** Keep fetched files in the Cache API (default true). */
  cache?: boolean;
  /** The cache's name (default 'cmin-wasm'). */
  cacheName?: string;
}
/** `model.device`: what the model runs on. */
export interface DeviceReport {
  backend: 'webgpu' | 'cpu';
  /** Why 'auto' chose the CPU, as a sentence; null otherwise. */
  fallbackReason: string | null;
  /** WebGPU only: what the adapter says of itself (software adapters: vendor 'google', architecture 'swiftshader', or isFallbackAdapter). */
  adapter: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean;
    limits: {
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      maxComputeWorkgroupStorageSize: number;
      maxComputeInvocationsPerWorkgroup: number;
      maxComputeWorkgroupsPerDimension: number;
    };
  } | null;
}
/** `error.code` of every error the package throws (`error.name` is 'CminError'). */
export type CminErrorCode =
  | 'bad-options' | 'bad-config' | 'bad-weights' | 'bad-embeddings' | 'bad-parser' | 'bad-file'
  | 'fetch-failed' | 'integrity-mismatch' | 'aborted' | 'webgpu-unavailable' | 'device-lost'
  | 'video-empty' | 'feature-dim-mismatch' | 'feature-length-mismatch' | 'non-finite-feature' | 'bad-duration'
  | 'video-mismatch' | 'video-freed' | 'query-empty' | 'word-dim-mismatch' | 'bad-parse' | 'unknown-label' | 'no-parser'
  | 'no-model' | 'no-video' | 'terminated' | 'worker-crashed' | 'numeric-overflow' | 'too-large'
  | 'cmin-freed' | 'parser-freed' | 'world-freed' | 'init-failed' | 'internal';
export interface CminError extends Error {
  name: 'CminError';
  code: CminErrorCode;
}
/** A dependency parse: `heads[i]` is 0 for the root or the 1-based index of token i's head. */
export interface ParsedQuery {
  tokens: string[];
  heads: number[];
  deprels: string[];
}
export interface LocalizeOptions {
  /** Moments to return after NMS (default 5). */
  topK?: number;
  /** Suppress moments overlapping a better one by more than this IoU (default 0.5). */
  nmsThreshold?: number;
  /** Also return every proposal's score and offsets (default false). */
  includeRaw?: boolean;
  /** Read a text query's words that have no vector as the likeliest known word ("purpel" as
   *  "purple"; default true); the result lists them in `corrections`. */
  correctTypos?: boolean;
  /** Rejects with code 'aborted' once fired (checked before the model runs and after it). */
  signal?: AbortSignal;
}
/** `encodeVideo`'s options. */
export interface VideoOptions {
  /** How the video's length is read: 'model' (default) reads a video longer than the model's
   *  window (its clips at `config.clip_seconds`) as overlapping windows at that clip length;
   *  'whole' resamples any video to the model's clips (the reference's way); a number is the
   *  seconds per clip to read it at. */
  timeScale?: 'model' | 'whole' | number;
}
/** `search`'s options: as localize's, without `includeRaw`; `topK` counts across all videos. */
export type SearchOptions = Omit<LocalizeOptions, 'includeRaw'>;
/** A moment of a search, with the video it is in. */
export interface FoundMoment {
  /** Index into the `videos` array searched. */
  video: number;
  /** That Video's `id`. */
  videoId: number;
  /** Seconds. */
  start: number;
  end: number;
  score: number;
}
export interface SearchResult extends QueryReading {
  /** Best first, across every video. */
  moments: FoundMoment[];
}
export interface Moment {
  /** Seconds. */
  start: number;
  end: number;
  score: number;
}
/** A word of the query read as another: `{ from: 'purpel', to: 'purple' }`. */
export interface Correction {
  from: string;
  to: string;
}

/** How the query was read: what `localize` and `search` results both carry. */
export interface QueryReading {
  /** The words the model read (lower-cased, `. ? , ( )` dropped, truncated to the limit). */
  words: string[];
  /** Words without a vector (read as zeros). */
  unknownWords: string[];
  /** Original word count when the query was cut to the model's limit, else null. */
  truncatedFrom: number | null;
  /** The parse of a text query (as `parse(text)` gives it, of `readAs`); null when the query was a parse. */
  parse: ParseResult | null;
  /** Words of a text query that had no vector, read as the likeliest known word (unless `correctTypos: false`). */
  corrections: Correction[];
  /** A text query as the model read it (its corrections made); null when the query was a parse. */
  readAs: string | null;
  /** Milliseconds spent parsing the text (or reading the given parse) and running the model. */
  timings: { parse: number; inference: number };
}
export interface LocalizeResult extends QueryReading {
  /** Best first. */
  moments: Moment[];
  /** Video-to-query attention, row-major [numClips x words.length] (paper Fig. 8); for a
   *  video read in windows, each clip's row from the window that answers for it. */
  attention: Float32Array;
  /** Per clip, the best score of a candidate moment covering it [numClips]: how well the query
   *  matches each stretch of the video. */
  relevance: Float32Array;
  /** The video's clips (`Video.numClips`). */
  numClips: number;
  /** With `includeRaw`: score of every proposal [windows x modelClips x anchors] (illegal ones too). */
  scores?: Float32Array;
  /** With `includeRaw`: (start, end) offsets of every proposal [windows x modelClips x anchors x 2]. */
  offsets?: Float32Array;
  /** With `includeRaw`: the reference's top-1 rule, [start, end] clip indices. */
  top1Clips?: [number, number];
}
"#;
