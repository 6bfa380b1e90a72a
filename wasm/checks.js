// Argument checks shared by the package entry (index.js) and the TF.js plugin (tfjs/index.js),
// so that both describe a bad value and refuse a bad rate with the same words.

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

/** The rate as Keras checks it: a number in [0, 1] (TypeError / RangeError otherwise). */
export function checkRate(rate) {
  if (typeof rate !== "number") {
    throw new TypeError(`\`rate\` must be a number between 0 and 1, got ${describe(rate)}`);
  }
  if (!(rate >= 0 && rate <= 1)) {
    throw new RangeError(
      `Invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${rate}`,
    );
  }
  return rate;
}
