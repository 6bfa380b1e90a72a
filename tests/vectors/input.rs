// The input of every known-answer case in `known_answers.json`, in one place for every reader
// of the vectors: the host tests (`tests/common`), the Cortex-M firmware (`examples/firmware`)
// and the wasm crate's tests (`wasm/tests`) include this file with `#[path]`.
// (`make_known_answers.py` states the same rule in Python, and the JS tests in JavaScript.)

/// Element `i` (flat memory index) of the input: ±inf and −0.0 at fixed positions, otherwise a
/// value that is exact in `f32` (both operands are below 2^24). No NaN: the payload of a NaN
/// product is not specified on wasm, so bit-exact vectors cannot hold one.
pub fn known_input(i: usize) -> f32 {
    if i % 89 == 5 {
        f32::INFINITY
    } else if i % 83 == 7 {
        -0.0
    } else if i % 79 == 3 {
        f32::NEG_INFINITY
    } else {
        (((i * 7919) % 2003) as f32 - 1001.0) / 64.0
    }
}
