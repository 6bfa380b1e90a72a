//! How the loops are tuned for the target: every target-dependent choice of `kernel.rs`, and
//! the one `cfg` that picks among them.
//!
//! The choices change speed, stack and code size, never results: every profile computes the
//! same bits. The small profile is the one bare-metal firmware gets; the `small-profile` feature
//! forces it on any target, which is how the host tests, proptest, Miri and the fuzzers run it
//! against the reference model (`.ci/core.sh`, `.ci/hardening.sh`) as well as QEMU does.

/// One set of tuning choices for the walks in `kernel.rs`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    /// Channel lanes held on the stack for channels_last tensors: small channel counts are
    /// repeated to fill a block of up to `lanes` elements, larger ones are handled `lanes`
    /// channels at a time.
    pub lanes: usize,
    /// Lanes for tensors of at most `small_tensor` elements, whose calls are short enough that
    /// zeroing a big lane block would show (equal to `lanes`: one walk only).
    pub small_lanes: usize,
    pub small_tensor: usize,
    /// Maps shorter than this go through a branch-free masked multiply, one map after another:
    /// with random decisions a branch per run mispredicts about every other map, which costs
    /// more than a short map's elements. 0: runs for every map.
    pub short_map: usize,
    /// Masked maps of 1, 2, 4, …, 64 elements taken 16 elements at a time with each element's
    /// lane at a constant index, instead of a loop per map (and, with `inline_sources`, the next
    /// maps' decisions drawn between those groups).
    pub fixed_maps: bool,
    /// Kept runs four elements at a time: for compilers that do not unroll at `opt-level = "s"`.
    pub unroll: bool,
    /// channels_last with 1, 2, 4, …, 32 channels as one select with a 32-lane row in
    /// registers, instead of a lane block.
    pub repeat_rows: bool,
    /// channels_last samples of other channel counts selected with rows of up to 64 channels in
    /// registers (`Sink::select_period`), longer rows a fixed-size window at a time through a
    /// short block of repeated lanes (`Sink::select_window`, aligned for 68+ channels), instead
    /// of through a lane block as long as `lanes` in calls of its length.
    pub windows: bool,
    /// Fill the lane block one lane at a time instead of doubling with slice copies (which
    /// link `memcpy`: 886 bytes on a Cortex-M4).
    pub lane_by_lane: bool,
    /// The Keras scheme computes 32 maps' Philox blocks as vector lanes (`mask.rs`) rather than
    /// one block at a time.
    pub philox_lanes: bool,
    /// The walks instantiated for each source of decisions (a generator, mask words, Philox),
    /// so that draws inline into the loops that overlap them with the writes, instead of one
    /// instance for all sources behind `dyn`.
    pub inline_sources: bool,
    /// Runs of scaled elements start their vector loop on a 16-byte boundary of the output, the
    /// elements before it one at a time.
    pub align_runs: bool,
}

/// Hosts: a whole row of up to 1024 channels in one 4 KiB lane block (1 KiB for tensors of up
/// to 16 Ki elements), long selects for small channel counts, fixed-size windows for the
/// others, masked maps below 128 elements (unrolled for 1, 2, 4, …, 64); the compiler vectorizes
/// the plain loops itself.
pub(crate) const HOST: Profile = Profile {
    lanes: 1024,
    small_lanes: 256,
    small_tensor: 16 * 1024,
    short_map: 128,
    fixed_maps: true,
    unroll: false,
    repeat_rows: true,
    windows: true,
    lane_by_lane: false,
    philox_lanes: true,
    inline_sources: true,
    align_runs: true,
};

/// wasm: the loops its speed and size were measured with (`docs/wasm.md`): the host's choices
/// without the unrolled selects (the repeated-row select alone cost 1 KB of `.wasm` for a gain
/// only native vector units show), with the lane block of small tensors at 128 lanes, masked
/// maps below 64 elements and one instance of the walks for every source. The host's later
/// loops (windows, rows in registers, fixed-length maps, draws between writes) are not
/// measured in wasm yet, so they stay out of it.
pub(crate) const WASM: Profile = Profile {
    small_lanes: 128,
    short_map: 64,
    repeat_rows: false,
    windows: false,
    fixed_maps: false,
    inline_sources: false,
    align_runs: false,
    ..HOST
};

/// Bare metal (a Cortex-M with a 512-byte stack budget, little flash): 16 lanes (64 bytes; 32
/// measured 528 bytes of stack on a Cortex-M4), runs for every map (a Cortex-M pays a cycle or
/// two for a missed branch, and the masked path costs 340 bytes of flash and a 272-byte frame),
/// kept runs four at a time (4.5 instead of 5 instructions per element out of place, 3.75
/// instead of 5 in place; docs/speed.md), no repeated rows, lanes copied one by one, Philox one
/// block at a time (lanes spill its registers: 144 instructions a map and 392 B more flash).
pub(crate) const SMALL: Profile = Profile {
    lanes: 16,
    small_lanes: 16,
    small_tensor: 0,
    short_map: 0,
    fixed_maps: false,
    unroll: true,
    repeat_rows: false,
    windows: false,
    lane_by_lane: true,
    philox_lanes: false,
    inline_sources: false,
    align_runs: false,
};

/// The profile of this build. Small-stack targets get [`SMALL`]: bare metal and ESP-IDF, whose
/// tasks' stacks are a few KiB (a host-sized lane block would be 4 KiB of one).
pub(crate) const PROFILE: Profile = if cfg!(any(
    target_os = "none",
    target_os = "espidf",
    feature = "small-profile"
)) {
    SMALL
} else if cfg!(target_family = "wasm") {
    WASM
} else {
    HOST
};
