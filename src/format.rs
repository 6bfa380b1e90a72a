//! Where the channel axis sits in memory.

use core::str::FromStr;

use crate::Error;

/// The memory order of a tensor's dims, as Keras's `data_format`.
///
/// - `ChannelsLast`: `[batch, d1, …, dS, channels]` (Keras's default)
/// - `ChannelsFirst`: `[batch, channels, d1, …, dS]`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DataFormat {
    /// `[batch, channels, d1, …, dS]`: every map is one contiguous run.
    ChannelsFirst,
    /// `[batch, d1, …, dS, channels]`: the channels of a position are contiguous.
    #[default]
    ChannelsLast,
}

impl DataFormat {
    /// Keras's spelling: `"channels_first"` or `"channels_last"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DataFormat::ChannelsFirst => "channels_first",
            DataFormat::ChannelsLast => "channels_last",
        }
    }
}

impl FromStr for DataFormat {
    type Err = Error;

    /// Parses Keras's spellings, ignoring ASCII case as Keras does (`"Channels_Last"` is fine).
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.eq_ignore_ascii_case("channels_first") {
            Ok(DataFormat::ChannelsFirst)
        } else if s.eq_ignore_ascii_case("channels_last") {
            Ok(DataFormat::ChannelsLast)
        } else {
            Err(Error::InvalidDataFormat)
        }
    }
}

impl core::fmt::Display for DataFormat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
