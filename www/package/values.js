// Reading what a page passes. Every value from the caller that is more than a primitive is
// read here, in JavaScript, and the module imports these functions with `catch`: a getter or
// iterator that throws, a Proxy (trapping or revoked), a detached buffer, an object that only
// claims to be a typed array or an array with a lying length becomes an error the Rust side
// returns with a code, and never an exception unwinding through wasm frames (which leaks
// wasm's shadow stack and can leave a promise unsettled). What comes back is a fresh value
// owned by this module: a plain copy, or a view this module built from intrinsic getters.

import { coded } from './files.js';

const TypedArray = Object.getPrototypeOf(Uint8Array);
const getter = (prototype, name) => Object.getOwnPropertyDescriptor(prototype, name).get;
// The intrinsic getters read internal slots, so they cannot be fooled by own properties, a
// changed prototype or a Proxy (which they refuse with a TypeError).
const typedArrayTag = getter(TypedArray.prototype, Symbol.toStringTag);
const typedArrayBuffer = getter(TypedArray.prototype, 'buffer');
const typedArrayOffset = getter(TypedArray.prototype, 'byteOffset');
const typedArrayBytes = getter(TypedArray.prototype, 'byteLength');
const typedArrayLength = getter(TypedArray.prototype, 'length');
const dataViewBuffer = getter(DataView.prototype, 'buffer');
const dataViewOffset = getter(DataView.prototype, 'byteOffset');
const dataViewBytes = getter(DataView.prototype, 'byteLength');
const arrayBufferBytes = getter(ArrayBuffer.prototype, 'byteLength');
const arrayBufferDetached = getter(ArrayBuffer.prototype, 'detached'); // undefined before Chrome 114

function attempt(read) {
  try {
    return read();
  } catch {
    return undefined;
  }
}

// The typed array's name ('Float32Array', ...) when `value` really is one, else undefined.
function typedArrayName(value) {
  return attempt(() => typedArrayTag.call(value));
}

function isArrayBuffer(value) {
  return attempt(() => arrayBufferBytes.call(value)) !== undefined;
}

function isDataView(value) {
  return attempt(() => dataViewBytes.call(value)) !== undefined;
}

function detached(buffer) {
  return arrayBufferDetached ? arrayBufferDetached.call(buffer) : false;
}

/**
 * The bytes of an ArrayBuffer, a typed array or a DataView, as a fresh Uint8Array view, after
 * checking their length against `limit`.
 */
export function readBytes(value, what, limit) {
  let buffer, offset, length;
  if (isArrayBuffer(value)) {
    [buffer, offset, length] = [value, 0, arrayBufferBytes.call(value)];
  } else if (typedArrayName(value) !== undefined) {
    [buffer, offset, length] = [typedArrayBuffer.call(value), typedArrayOffset.call(value), typedArrayBytes.call(value)];
  } else if (isDataView(value)) {
    [buffer, offset, length] = [dataViewBuffer.call(value), dataViewOffset.call(value), dataViewBytes.call(value)];
  } else {
    throw coded('bad-options', `${what} must be an ArrayBuffer or Uint8Array`);
  }
  if (isArrayBuffer(buffer) && detached(buffer)) {
    throw coded('bad-options', `${what}: its ArrayBuffer is detached (it was transferred)`);
  }
  if (length > limit) {
    throw coded('too-large', `${what} is ${length} bytes, above the limit of ${limit}`);
  }
  return new Uint8Array(buffer, offset, length);
}

/**
 * How many numbers `value` holds, when it is a Float32Array, a Float64Array or an array;
 * `null` for anything else.
 */
export function floatsLength(value) {
  const name = typedArrayName(value);
  if (name === 'Float32Array' || name === 'Float64Array') {
    if (detached(typedArrayBuffer.call(value))) throw coded('bad-options', 'features: its ArrayBuffer is detached (it was transferred)');
    return typedArrayLength.call(value);
  }
  if (name === undefined && Array.isArray(value)) return value.length;
  return null;
}

/**
 * `count` numbers from `value` (see `floatsLength`, which the caller checked first) as a
 * fresh Float32Array or Float64Array: an array's elements are read one by one, and any that
 * is not a number is refused.
 */
export function readFloats(value, what, count) {
  const name = typedArrayName(value);
  if (name === 'Float32Array' || name === 'Float64Array') {
    if (typedArrayLength.call(value) !== count) throw coded('bad-options', `${what} changed length while being read`);
    const View = name === 'Float32Array' ? Float32Array : Float64Array;
    return new View(typedArrayBuffer.call(value), typedArrayOffset.call(value), count);
  }
  if (value.length !== count) throw coded('bad-options', `${what} changed length while being read`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = value[i];
    if (typeof v !== 'number') throw coded('bad-options', `${what} must hold only numbers (element ${i} is ${typeof v})`);
    out[i] = v;
  }
  return out;
}

/**
 * A plain copy of `value` (a parse, a config): structured cloning reads each own property once,
 * through its getters, and refuses Proxies, functions and symbols.
 */
export function readPlain(value, what) {
  try {
    return structuredClone(value);
  } catch (e) {
    throw coded('bad-options', `${what} must be plain data (objects, arrays, strings, numbers): ${e?.message ?? e}`);
  }
}

/** `object[name]` for an object or function, undefined for anything else. */
export function readField(object, name, what) {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) return undefined;
  try {
    return object[name];
  } catch (e) {
    throw coded('bad-options', `${what}.${name} could not be read: ${e?.message ?? e}`);
  }
}

/**
 * The elements of an array as a fresh array, each read once; an array longer than `limit` or
 * anything else is refused.
 */
export function readItems(value, what, limit) {
  if (!Array.isArray(value)) throw coded('bad-options', `${what} must be an array`);
  try {
    const length = value.length;
    if (!(length <= limit)) throw coded('too-large', `${what} holds ${length} items, above the limit of ${limit}`);
    const out = new Array(length);
    for (let i = 0; i < length; i++) out[i] = value[i];
    return out;
  } catch (e) {
    if (e?.name === 'CminError') throw e;
    throw coded('bad-options', `${what} could not be read: ${e?.message ?? e}`);
  }
}
