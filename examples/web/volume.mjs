// The demo's input: a batch of 3D feature volumes (8 channels of 16×16×16 per volume, built from
// smooth deterministic patterns), laid out as the tensor a SpatialDropout1D/2D/3D layer takes.
//
// No DOM here: the page and its Chromium test (under Node) both import this module, so they
// feed the layer the same floats.

/** Channels per volume. */
export const CHANNELS = 8;
/** Edge of the cube: depth = rows = cols. */
export const EDGE = 16;

/** What each channel shows, for the page's labels. */
export const CHANNEL_NAMES = [
  "waves",
  "egg crate",
  "moving blob",
  "rings",
  "ramp",
  "lattice",
  "swirl",
  "saddle",
];

const TAU = 2 * Math.PI;

/**
 * The value of volume `n`, channel `c` at depth `z`, row `y`, column `x`, as an f32. Every map
 * holds non-zero values, so a dropped map (all +0) always differs from its input.
 */
export function voxel(n, c, z, y, x) {
  const u = (x + 0.5) / EDGE;
  const v = (y + 0.5) / EDGE;
  const w = (z + 0.5) / EDGE;
  const p = 0.37 * n; // each volume of the batch is a shifted copy
  let value;
  switch (c) {
    case 0:
      value = Math.sin(TAU * (u + 0.5 * w + p));
      break;
    case 1:
      value = Math.cos(TAU * (v + p)) * Math.cos(TAU * u);
      break;
    case 2: {
      const cx = 0.5 + 0.3 * Math.cos(TAU * (w + p));
      const cy = 0.5 + 0.3 * Math.sin(TAU * (w + p));
      value = 1.6 * Math.exp(-((u - cx) ** 2 + (v - cy) ** 2) / 0.03) - 0.4;
      break;
    }
    case 3:
      value = Math.sin(TAU * 2.5 * Math.hypot(u - 0.5, v - 0.5, w - 0.5) + TAU * p);
      break;
    case 4:
      value = (u + v + w) / 1.5 - 1 + 0.2 * Math.sin(TAU * p);
      break;
    case 5:
      value = Math.sin(3 * Math.PI * u) * Math.sin(3 * Math.PI * v) * Math.cos(Math.PI * (w + p));
      break;
    case 6:
      value = Math.sin(3 * Math.atan2(v - 0.5, u - 0.5) + TAU * (w + p));
      break;
    default:
      value = 4 * (u - 0.5) * (v - 0.5) + 0.6 * (w - 0.5) - 0.3 * Math.cos(TAU * p);
      break;
  }
  return Math.fround(value);
}

/**
 * How `volumes` volumes become the input of a layer of spatial rank `rank` (1, 2 or 3) in
 * `format` ("channels_last" or "channels_first"):
 * - rank 3: each volume is one sample, [N, D, H, W, C] (or [N, C, D, H, W]);
 * - rank 2: each depth slice is one sample, [N·D, H, W, C] (or [N·D, C, H, W]);
 * - rank 1: each row of each slice is one sample, [N·D·H, W, C].
 * So a dropped map is a whole channel of a volume, of a slice, or of a row.
 *
 * Returns `{ shape, samples, sampleOf(n, z, y), index(n, c, z, y, x) }`: the dims in memory
 * order, the batch size the layer sees, the layer's sample holding a voxel, and the voxel's
 * flat index.
 */
export function layout(rank, format, volumes) {
  const D = EDGE;
  const C = CHANNELS;
  const first = format === "channels_first";
  if (rank === 3) {
    return {
      shape: first ? [volumes, C, D, D, D] : [volumes, D, D, D, C],
      samples: volumes,
      sampleOf: (n) => n,
      index: first
        ? (n, c, z, y, x) => (((n * C + c) * D + z) * D + y) * D + x
        : (n, c, z, y, x) => (((n * D + z) * D + y) * D + x) * C + c,
    };
  }
  if (rank === 2) {
    return {
      shape: first ? [volumes * D, C, D, D] : [volumes * D, D, D, C],
      samples: volumes * D,
      sampleOf: (n, z) => n * D + z,
      index: first
        ? (n, c, z, y, x) => (((n * D + z) * C + c) * D + y) * D + x
        : (n, c, z, y, x) => (((n * D + z) * D + y) * D + x) * C + c,
    };
  }
  if (rank === 1) {
    return {
      shape: first ? [volumes * D * D, C, D] : [volumes * D * D, D, C],
      samples: volumes * D * D,
      sampleOf: (n, z, y) => (n * D + z) * D + y,
      index: first
        ? (n, c, z, y, x) => (((n * D + z) * D + y) * C + c) * D + x
        : (n, c, z, y, x) => (((n * D + z) * D + y) * D + x) * C + c,
    };
  }
  throw new RangeError(`spatial rank must be 1, 2 or 3, got ${rank}`);
}

/** The input tensor for `layout(rank, format, volumes)`: `{ data: Float32Array, ...layout }`. */
export function makeInput(rank, format, volumes) {
  const l = layout(rank, format, volumes);
  const data = new Float32Array(volumes * CHANNELS * EDGE ** 3);
  for (let n = 0; n < volumes; n++) {
    for (let c = 0; c < CHANNELS; c++) {
      for (let z = 0; z < EDGE; z++) {
        for (let y = 0; y < EDGE; y++) {
          for (let x = 0; x < EDGE; x++) data[l.index(n, c, z, y, x)] = voxel(n, c, z, y, x);
        }
      }
    }
  }
  return { data, ...l };
}
