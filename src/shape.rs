//! Tensor shapes: batch, channels and `S` spatial dims in a given memory order.

use crate::{DataFormat, Error};

/// The largest number of dims a shape has: batch, channels and three spatial dims.
pub const MAX_DIMS: usize = 5;

/// The shape of a tensor with `S` spatial dims (`S` is 1, 2 or 3), in a given [`DataFormat`].
///
/// [`shape!`](crate::shape!) builds one in a `const` and fails the build when it overflows.
///
/// A `Shape` that exists is valid: every product of its dims fits in `usize` (the element count,
/// `maps`, `map_len`, and a sample's length `channels × map_len` even when the batch is 0), so
/// kernels can trust it. A *map* is one (sample, channel) pair; `maps() = batch × channels` and
/// `map_len() = d1 × … × dS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape<const S: usize> {
    batch: usize,
    channels: usize,
    spatial: [usize; S],
    format: DataFormat,
    map_len: usize,
    maps: usize,
    len: usize,
}

/// Shape of a `SpatialDropout1D` input.
pub type Shape1D = Shape<1>;
/// Shape of a `SpatialDropout2D` input.
pub type Shape2D = Shape<2>;
/// Shape of a `SpatialDropout3D` input.
pub type Shape3D = Shape<3>;

impl<const S: usize> Shape<S> {
    // Post-monomorphization check: `Shape<0>` or `Shape<4>` fails to compile, not to run.
    const RANK_IS_SUPPORTED: () = assert!(S >= 1 && S <= 3, "spatial rank must be 1, 2 or 3");

    /// Dims in memory order: `S + 2`.
    pub const RANK: usize = S + 2;

    /// A shape from its parts. Fails with [`Error::ShapeOverflow`] when the element count does
    /// not fit in `usize`.
    pub const fn new(
        batch: usize,
        channels: usize,
        spatial: [usize; S],
        format: DataFormat,
    ) -> Result<Self, Error> {
        let () = Self::RANK_IS_SUPPORTED;
        match Layout::checked(batch, channels, &spatial, format) {
            Ok(layout) => Ok(Shape {
                batch,
                channels,
                spatial,
                format,
                map_len: layout.map_len,
                maps: batch * channels,
                len: layout.len,
            }),
            Err(e) => Err(e),
        }
    }

    /// A shape from dims in memory order (`[batch, d1, …, dS, channels]` for channels_last,
    /// `[batch, channels, d1, …, dS]` for channels_first). Fails with [`Error::RankMismatch`]
    /// unless `dims.len() == S + 2`.
    pub fn from_dims(dims: &[usize], format: DataFormat) -> Result<Self, Error> {
        let (batch, channels, spatial) = split_dims(dims, S, format)?;
        let spatial: [usize; S] = spatial.try_into().map_err(|_| Error::RankMismatch {
            expected: Self::RANK,
            found: dims.len(),
        })?;
        Self::new(batch, channels, spatial, format)
    }

    /// Samples in the batch.
    pub const fn batch(&self) -> usize {
        self.batch
    }

    /// Channels (feature maps) per sample.
    pub const fn channels(&self) -> usize {
        self.channels
    }

    /// The spatial dims `d1, …, dS`.
    pub const fn spatial(&self) -> [usize; S] {
        self.spatial
    }

    /// The memory order.
    pub const fn format(&self) -> DataFormat {
        self.format
    }

    /// Maps: `batch × channels`, the number of keep/drop draws of a training call.
    pub const fn maps(&self) -> usize {
        self.maps
    }

    /// Elements per map: `d1 × … × dS`.
    pub const fn map_len(&self) -> usize {
        self.map_len
    }

    /// Elements in the tensor.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True when the tensor holds no element (some dim is 0).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The dims in memory order, `S + 2` of them.
    pub fn dims(&self) -> Dims {
        let mut dims = Dims {
            buf: [0; MAX_DIMS],
            len: S + 2,
        };
        let (first, rest) = dims.buf.split_at_mut(1);
        first.fill(self.batch);
        let (channel_slot, spatial_slots) = match self.format {
            DataFormat::ChannelsFirst => rest.split_at_mut(1),
            DataFormat::ChannelsLast => {
                let (s, c) = rest.split_at_mut(S);
                (c, s)
            }
        };
        channel_slot
            .iter_mut()
            .take(1)
            .for_each(|c| *c = self.channels);
        for (slot, &d) in spatial_slots.iter_mut().zip(&self.spatial) {
            *slot = d;
        }
        dims
    }

    /// The layout the kernels loop over: the spatial rank no longer matters there, so the
    /// firmware holds one copy of each loop, not one per rank.
    pub(crate) const fn layout(&self) -> Layout {
        Layout {
            batch: self.batch,
            channels: self.channels,
            map_len: self.map_len,
            len: self.len,
            format: self.format,
        }
    }
}

/// A [`Shape`] checked at compile time, from [`Shape::new`]'s arguments: batch, channels, the
/// spatial dims (their count is the spatial rank) and, optionally, the [`DataFormat`]
/// (channels_last when left out, as in Keras). Built in an inline `const { }`: an overflowing
/// shape fails the build, and nothing of the check is left in the binary.
///
/// ```
/// use spatial_dropout::{DataFormat, Shape1D, Shape2D, shape};
///
/// const STEPS: Shape1D = shape!(1, 8, [32]);
/// static IMAGE: Shape2D = shape!(4, 3, [28, 28], DataFormat::ChannelsFirst);
/// assert_eq!((STEPS.maps(), STEPS.len()), (8, 256));
/// assert_eq!(&*IMAGE.dims(), &[4, 3, 28, 28]);
/// ```
///
/// ```compile_fail
/// use spatial_dropout::{Shape2D, shape};
///
/// const HUGE: Shape2D = shape!(2, 2, [usize::MAX, 2]); // error: the shape overflows usize
/// ```
#[macro_export]
macro_rules! shape {
    ($batch:expr, $channels:expr, [$($dim:expr),+ $(,)?] $(,)?) => {
        $crate::shape!($batch, $channels, [$($dim),+], $crate::DataFormat::ChannelsLast)
    };
    ($batch:expr, $channels:expr, [$($dim:expr),+ $(,)?], $format:expr $(,)?) => {
        const {
            match $crate::Shape::new($batch, $channels, [$($dim),+], $format) {
                ::core::result::Result::Ok(shape) => shape,
                ::core::result::Result::Err(_) => {
                    ::core::panic!("shape! needs dims whose products fit in usize")
                }
            }
        }
    };
}

/// A shape's dims in memory order, without allocation. Dereferences to `&[usize]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dims {
    buf: [usize; MAX_DIMS],
    len: usize,
}

impl Dims {
    /// The dims as a slice.
    pub fn as_slice(&self) -> &[usize] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

impl core::ops::Deref for Dims {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        self.as_slice()
    }
}

/// A shape with the spatial dims folded into one: what the loops need, and what a layer of any
/// spatial rank checks its dims into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub batch: usize,
    pub channels: usize,
    pub map_len: usize,
    pub len: usize,
    pub format: DataFormat,
}

impl Layout {
    /// The layout of a tensor from its parts, every product checked: the element count, `maps`,
    /// `map_len` and a sample's length `channels × map_len` (checked on its own because a batch
    /// of 0 makes the count 0 whatever this product is, and the kernels step through samples
    /// with it). The one place these rules are written, for [`Shape`] and the layers alike.
    pub(crate) const fn checked(
        batch: usize,
        channels: usize,
        spatial: &[usize],
        format: DataFormat,
    ) -> Result<Layout, Error> {
        // The exact product: a 0 anywhere makes it 0, even after a pair that overflows.
        let mut map_len: Option<usize> = Some(1);
        let mut i = 0;
        while i < spatial.len() {
            if spatial[i] == 0 {
                map_len = Some(0);
                break;
            }
            map_len = match map_len {
                Some(n) => n.checked_mul(spatial[i]),
                None => None,
            };
            i += 1;
        }
        let Some(map_len) = map_len else {
            return Err(Error::ShapeOverflow);
        };
        let maps = match batch.checked_mul(channels) {
            Some(n) => n,
            None => return Err(Error::ShapeOverflow),
        };
        if channels.checked_mul(map_len).is_none() {
            return Err(Error::ShapeOverflow);
        }
        let len = match maps.checked_mul(map_len) {
            Some(n) => n,
            None => return Err(Error::ShapeOverflow),
        };
        Ok(Layout {
            batch,
            channels,
            map_len,
            len,
            format,
        })
    }

    /// The layout of memory-order `dims` of a tensor with `rank` spatial dims
    /// (`[batch, d1, …, dS, channels]` for channels_last, `[batch, channels, d1, …, dS]` for
    /// channels_first). Fails with [`Error::RankMismatch`] unless `dims.len() == rank + 2`, and
    /// with [`Error::ShapeOverflow`].
    pub(crate) fn from_dims(
        dims: &[usize],
        rank: usize,
        format: DataFormat,
    ) -> Result<Self, Error> {
        let (batch, channels, spatial) = split_dims(dims, rank, format)?;
        Layout::checked(batch, channels, spatial, format)
    }

    /// Maps: `batch × channels` (checked when the layout was).
    pub(crate) const fn maps(&self) -> usize {
        self.batch * self.channels
    }
}

/// Batch, channels and the spatial dims of memory-order `dims` of a tensor with `rank` spatial
/// dims. Fails with [`Error::RankMismatch`] unless there are `rank + 2` dims. Inlined: out of
/// line it cost a Cortex-M layer firmware 80 bytes (examples/firmware, size-report.py).
#[inline(always)]
fn split_dims(
    dims: &[usize],
    rank: usize,
    format: DataFormat,
) -> Result<(usize, usize, &[usize]), Error> {
    let rank_error = Error::RankMismatch {
        expected: rank + 2,
        found: dims.len(),
    };
    if dims.len() != rank + 2 {
        return Err(rank_error);
    }
    let (&batch, rest) = dims.split_first().ok_or(rank_error)?;
    let (&channels, spatial) = match format {
        DataFormat::ChannelsFirst => rest.split_first(),
        DataFormat::ChannelsLast => rest.split_last(),
    }
    .ok_or(rank_error)?;
    Ok((batch, channels, spatial))
}
