// The JavaScript half of the cross-binding check (tests/fixtures/cross_binding_errors.json): each
// bad input of the fixture, run through the npm package, must throw exactly Rust's message
// (`message`, which tests/cross_bindings.rs checks against Rust's `Display` and the C header's
// status code) as the class docs/wasm.md's table gives Rust's `Error::code()` (`class`).
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as lib from "spatial-dropout";

const fixture = JSON.parse(readFileSync(new URL("../../tests/fixtures/cross_binding_errors.json", import.meta.url), "utf8"));
const CLASSES = { 1: lib.SpatialDropout1D, 2: lib.SpatialDropout2D, 3: lib.SpatialDropout3D };
/** docs/wasm.md's table: the Rust codes that become a RangeError; every other code an Error. */
const RANGE_CODES = [1, 2, 4, 7, 18, 19, 101, 103];
const number = (r) => (typeof r === "string" ? Number(r) : r);

/** Runs one case's call on the package. */
function run({ api, args }) {
  switch (api) {
    case "new": {
      const options = { rate: number(args.rate) };
      for (const key of ["dataFormat", "name", "masks"]) if (key in args) options[key] = args[key];
      return new CLASSES[args.rank](options);
    }
    case "callInPlace":
      return new CLASSES[args.rank]({ rate: 0.5, seed: 1 }).callInPlace(new Float32Array(args.len), args.dims, true);
    case "backward": {
      const layer = new CLASSES[args.rank]({ rate: 0.5, seed: 1 });
      if (args.forward) layer.call(new Float32Array(args.len), args.forward, true);
      return layer.backward(new Float32Array(args.len), args.dims);
    }
    case "maskWords":
      return lib.maskWords({ maps: args.maps, rate: number(args.rate), seed: args.seed, masks: args.masks });
    case "fromConfig":
      return CLASSES[args.rank].fromConfig(args.json);
    default:
      throw new Error(`unknown api ${api}`);
  }
}

test("the fixture names at least one case per class", () => {
  const classes = new Set(fixture.cases.map((c) => c.class));
  if (!classes.has("RangeError") || !classes.has("Error") || fixture.cases.length < 20) throw new Error("fixture too small");
});

for (const c of fixture.cases) {
  test(`${c.id} ${c.api} ${JSON.stringify(c.args)}: Rust's message, ${c.class}`, () => {
    const expectedClass = RANGE_CODES.includes(c.code) ? "RangeError" : "Error";
    if (expectedClass !== c.class) throw new Error(`fixture: code ${c.code} is a ${expectedClass} in docs/wasm.md, not ${c.class}`);
    let error;
    try {
      run(c);
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Error("accepted");
    if (error.constructor.name !== c.class) throw new Error(`threw ${error.constructor.name}: ${error.message}`);
    if (error.message !== c.message) throw new Error(`message differs from Rust's:\n  js:   ${error.message}\n  rust: ${c.message}`);
  });
}
