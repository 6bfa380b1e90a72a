// Type checks shared by the package's API (api.js) and the TF.js plugin (tfjs/index.js), so that
// both describe a bad argument with the same words. Values are the Rust core's to check.

/** A bad value as an error message shows it: its type and, where short, its value. */
export function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an Array";
  if (ArrayBuffer.isView(value)) return `a ${value[Symbol.toStringTag] ?? "typed array"}`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The rate: a number (its range is Rust's to check: `Rate::new`'s message). */
export function checkRate(rate) {
  if (typeof rate !== "number") {
    throw new TypeError(`\`rate\` must be a number between 0 and 1, got ${describe(rate)}`);
  }
  return rate;
}

/**
 * The mask scheme's name, or undefined for the default ("keras"). Only the type is checked here:
 * the core knows the names and says which it takes.
 */
export function checkMasks(masks) {
  if (masks === undefined) return undefined;
  if (typeof masks !== "string") {
    throw new TypeError(
      `\`masks\` must be a scheme name ("keras", "keras-xla", "keras-3.4", "keras-3.4-xla" or "xorshift"), got ${describe(masks)}`,
    );
  }
  return masks;
}

/** A call number (Keras's `seed_generator.state[1]`) as the bigint the wasm side takes. */
export function checkCall(k, what) {
  if (typeof k === "number") {
    if (!Number.isSafeInteger(k) || k < 0) {
      throw new RangeError(
        `${what} must be a non-negative integer no larger than Number.MAX_SAFE_INTEGER (use a bigint for larger call numbers, up to 2^64 - 1), got ${k}`,
      );
    }
    return BigInt(k);
  }
  if (typeof k === "bigint") {
    if (k < 0n || k >= (1n << 64n)) throw new RangeError(`${what} must be in [0, 2^64 - 1] as a bigint, got ${k}n`);
    return k;
  }
  throw new TypeError(`${what} must be a non-negative integer number or bigint, got ${describe(k)}`);
}
