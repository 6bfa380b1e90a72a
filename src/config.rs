//! Keras JSON: `get_config` and `serialize_keras_object` out, `from_config` in, and the
//! SpatialDropout layers of a whole `model.to_json()` found in place. No allocation: text goes
//! into the caller's `&mut [u8]` and is read from the caller's `&[u8]`.
//!
//! The reader is a strict, iterative lexer ([`lex`]) rather than a serde deserializer: Keras's
//! forms need specific errors per key, `dtype` is a string or an object, Python escapes
//! astral characters as surrogate pairs, and a model document must be walked without
//! recursion on hostile nesting. Numbers go through [`num`], not `core`'s float code, which
//! is large on a microcontroller and keeps panic paths.

mod lex;

use crate::num;

// docs/json.md's example is compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../docs/json.md")]
struct JsonReadme;

use core::ops::Range;

use lex::{Members, Span, Tok};

use crate::layer::{CLASS_NAMES, DEFAULT_NAMES};
use crate::{DataFormat, Error, MAX_NAME_LEN, Name, Rate, SpatialDropout, SpatialDropoutNd};

/// Longest text [`SpatialDropoutNd::write_config`] can write: a name of [`MAX_NAME_LEN`] bytes
/// that all need `\u00XX` escapes, the longest rate and seed, and `channels_first`.
pub const MAX_CONFIG_LEN: usize = CONFIG_KEYS_LEN + MAX_RATE_LEN + MAX_SEED_LEN + MAX_NAME_JSON_LEN;

/// Longest text [`SpatialDropoutNd::write_serialized`] can write.
pub const MAX_SERIALIZED_LEN: usize = SERIALIZED_HEAD.len()
    + "SpatialDropout3D".len()
    + SERIALIZED_CONFIG.len()
    + MAX_CONFIG_LEN
    + SERIALIZED_TAIL.len();

/// `{"rate":`, `,"seed":`, `,"name":`, the dtype and data_format members and `}`.
const CONFIG_KEYS_LEN: usize =
    r#"{"rate":,"seed":,"name":,"dtype":"float32","data_format":"channels_first"}"#.len();
/// The `data_format` member of [`CONFIG_KEYS_LEN`], which 1D configs do not have.
const DATA_FORMAT_MEMBER_LEN: usize = r#","data_format":"channels_first""#.len();
/// `2.2250738585072014e-308`: 17 digits, a point, `e-308`.
const MAX_RATE_LEN: usize = 23;
/// `18446744073709551615`.
const MAX_SEED_LEN: usize = 20;
/// Quotes and six bytes (`\u0001`) per name byte.
const MAX_NAME_JSON_LEN: usize = 2 + 6 * MAX_NAME_LEN;

const SERIALIZED_HEAD: &str = r#"{"module":"keras.layers","class_name":""#;
const SERIALIZED_CONFIG: &str = r#"","config":"#;
const SERIALIZED_TAIL: &str = r#","registered_name":null}"#;

/// `dtype` objects naming a float32 policy: Keras 3 (`DTypePolicy`, and `FloatDTypePolicy` in
/// some earlier Keras 3 releases) and tf.keras (`Policy`).
const POLICY_CLASSES: [&str; 3] = ["DTypePolicy", "FloatDTypePolicy", "Policy"];

const SEED_RANGE: &str = "null or an integer from 0 to 18446744073709551615";

/// Where JSON text goes: first a counter (to check the caller's buffer), then the buffer.
pub(crate) use crate::num::TextSink;

struct Count(usize);

impl TextSink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

struct Fill<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl TextSink for Fill<'_> {
    fn put(&mut self, bytes: &[u8]) {
        // Always fits: the buffer was checked against the counted length. `checked_add` (not
        // `saturating_add`) lets the compiler see that `slot` is as long as `bytes`, so no
        // length-mismatch panic survives (the firmware's link-time proof).
        let end = self.len.checked_add(bytes.len());
        if let Some(slot) = end.and_then(|end| self.buf.get_mut(self.len..end)) {
            slot.copy_from_slice(bytes);
        }
        self.len = end.unwrap_or(usize::MAX);
    }
}

/// Counts what `emit` writes, then writes it if `buf` is large enough (else writes nothing).
fn write_checked(buf: &mut [u8], emit: &dyn Fn(&mut dyn TextSink)) -> Result<usize, Error> {
    let mut count = Count(0);
    emit(&mut count);
    if count.0 > buf.len() {
        return Err(Error::BufferTooSmall {
            needed: count.0,
            found: buf.len(),
        });
    }
    let mut fill = Fill { buf, len: 0 };
    emit(&mut fill);
    Ok(fill.len)
}

/// A string as Python's `json.dumps` writes it (`ensure_ascii=True`): quotes, `\"`, `\\`,
/// `\n`-style escapes, and `\uxxxx` (lower-case, UTF-16) for everything outside `' '..='~'`.
fn write_py_str(s: &str, w: &mut dyn TextSink) {
    w.put(b"\"");
    for c in s.chars() {
        match c {
            '"' => w.put(b"\\\""),
            '\\' => w.put(b"\\\\"),
            '\n' => w.put(b"\\n"),
            '\r' => w.put(b"\\r"),
            '\t' => w.put(b"\\t"),
            '\u{8}' => w.put(b"\\b"),
            '\u{c}' => w.put(b"\\f"),
            ' '..='~' => w.put(&[c as u8]),
            _ => {
                let mut units = [0u16; 2];
                for &unit in c.encode_utf16(&mut units).iter() {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let nibble = |shift: u16| HEX[usize::from((unit >> shift) & 0xF)];
                    w.put(&[b'\\', b'u', nibble(12), nibble(8), nibble(4), nibble(0)]);
                }
            }
        }
    }
    w.put(b"\"");
}

/// The length of [`write_py_str`]'s output for `s`, counted on its UTF-8 bytes so that it is a
/// `const fn`: a character outside printable ASCII is `\uXXXX` (6 bytes), or a surrogate pair
/// of them (12) outside the BMP, which a 4-byte UTF-8 sequence encodes.
const fn py_str_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut len = 2;
    let mut i = 0;
    while i < bytes.len() {
        len += match bytes[i] {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            b' '..=b'~' => 1,
            0x80..=0xbf => 0,
            0xf0..=0xff => 12,
            _ => 6,
        };
        i += 1;
    }
    len
}

fn write_u64(v: u64, w: &mut dyn TextSink) {
    let mut text = [0u8; 20];
    let n = num::decimal_digits(v, &mut text);
    w.put(text.get(..n).unwrap_or(&[]));
}

/// A JSON value's span, kind-checked and decoded on demand.
#[derive(Debug, Clone, Copy)]
struct Value<'a> {
    doc: &'a [u8],
    span: Span,
}

impl<'a> Value<'a> {
    fn first(&self) -> Option<u8> {
        self.doc.get(self.span.0).copied()
    }

    fn is_null(&self) -> bool {
        self.first() == Some(b'n')
    }

    fn is_object(&self) -> bool {
        self.first() == Some(b'{')
    }

    fn bytes(&self) -> &'a [u8] {
        self.doc.get(self.span.0..self.span.1).unwrap_or(&[])
    }

    /// The string's contents, if this is a string.
    fn string(&self) -> Option<Span> {
        lex::string_contents(self.doc, self.span)
    }

    /// `Ok(None)` when not a number; `Err` past [`num::MAX_DIGITS`] significant digits.
    fn number(&self, key: &'static str) -> Result<Option<f64>, Error> {
        match lex::token(self.doc, self.span.0) {
            Ok((Tok::Num, _)) => num::parse(self.bytes())
                .map(Some)
                .ok_or(Error::InvalidValue {
                    key,
                    expected: "a number of at most 40 significant digits",
                }),
            _ => Ok(None),
        }
    }

    fn members(&self) -> Members<'a> {
        Members::new(self.doc, self.span.0)
    }
}

/// The keys of a layer object that the reader looks at (the last of a repeated key wins, as
/// in Python's `json.loads`).
#[derive(Debug, Default, Clone, Copy)]
struct Keys {
    class_name: Option<Span>,
    config: Option<Span>,
    rate: Option<Span>,
    seed: Option<Span>,
    name: Option<Span>,
    dtype: Option<Span>,
    data_format: Option<Span>,
    noise_shape: Option<Span>,
}

impl Keys {
    fn read(object: Value<'_>) -> Result<Keys, Error> {
        let mut keys = Keys::default();
        for member in object.members() {
            let member = member?;
            let Some(key) = lex::decode::<MAX_NAME_LEN>(object.doc, member.key)? else {
                continue;
            };
            let slot = match key.as_str() {
                "class_name" => &mut keys.class_name,
                "config" => &mut keys.config,
                "rate" => &mut keys.rate,
                "seed" => &mut keys.seed,
                "name" => &mut keys.name,
                "dtype" => &mut keys.dtype,
                "data_format" => &mut keys.data_format,
                "noise_shape" => &mut keys.noise_shape,
                _ => continue,
            };
            *slot = Some(member.value);
        }
        Ok(keys)
    }
}

/// The rank of a class name of ours, if it is one.
fn class_rank(doc: &[u8], contents: Span) -> Result<Option<usize>, Error> {
    for (i, class) in CLASS_NAMES.iter().enumerate() {
        if lex::str_eq(doc, contents, class)? {
            return Ok(Some(i + 1));
        }
    }
    Ok(None)
}

impl<const S: usize> SpatialDropout<S> {
    /// The longest text [`write_config`](SpatialDropoutNd::write_config) writes for a layer of this rank
    /// named `name`, whatever its rate, seed and data format: a `const fn`, so a firmware sizes
    /// its buffer at compile time instead of taking [`MAX_CONFIG_LEN`] (503 B, for a name of
    /// 64 bytes that all need `\u00XX` escapes).
    ///
    /// ```
    /// use spatial_dropout::{SpatialDropout1D, SpatialDropout2D};
    ///
    /// const LEN: usize = SpatialDropout1D::max_config_len(SpatialDropout1D::DEFAULT_NAME);
    /// assert_eq!(LEN, 105); // 1D configs have no data_format
    /// assert_eq!(SpatialDropout2D::max_config_len("drop"), 123);
    ///
    /// let layer = SpatialDropout1D::new(0.5)?.with_seed(7);
    /// let mut buf = [0u8; LEN];
    /// let n = layer.write_config(&mut buf)?;
    /// assert_eq!(n, layer.config_len());
    /// # Ok::<(), spatial_dropout::Error>(())
    /// ```
    pub const fn max_config_len(name: &str) -> usize {
        let keys = if S == 1 {
            CONFIG_KEYS_LEN - DATA_FORMAT_MEMBER_LEN
        } else {
            CONFIG_KEYS_LEN
        };
        keys + MAX_RATE_LEN + MAX_SEED_LEN + py_str_len(name)
    }

    /// Builds a layer from Keras JSON. Accepts, as one JSON text:
    ///
    /// - a config, as `get_config()` writes it (Keras 3, or Keras 2 / tf.keras with
    ///   `trainable` and `noise_shape: null` and no `data_format`, read as `channels_last`);
    /// - a serialized layer `{"class_name": …, "config": {…}, …}`, including a layer entry
    ///   cut from `model.to_json()` with its other keys (`name`, `inbound_nodes`, …);
    /// - `dtype` as `"float32"`, `null`, or a float32 `DTypePolicy` / `Policy` object.
    ///
    /// A missing `seed` or `"seed": null` gives a layer with no config seed: its generator
    /// starts from seed 0, so call [`reseed`](SpatialDropoutNd::reseed) with entropy before training, as
    /// Keras draws a fresh seed. A missing name gives the entry's `name`, then Keras's default.
    /// Other keys are ignored.
    ///
    /// Fails with [`Error::Json`] (malformed JSON, with the byte offset),
    /// [`Error::WrongClass`] (another class or rank), [`Error::MissingKey`] (`rate`, or
    /// `config` after a `class_name`), [`Error::InvalidRate`], [`Error::InvalidDataFormat`],
    /// [`Error::UnsupportedDtype`], [`Error::NameTooLong`], [`Error::NoiseShape`] or
    /// [`Error::InvalidValue`] (a key of the wrong JSON type, a seed out of range,
    /// `channels_first` for a 1D layer).
    pub fn from_config(json: &[u8]) -> Result<Self, Error> {
        SpatialDropoutNd::from_config(S, json).and_then(Self::from_nd)
    }

    /// Builds the SpatialDropout layer called `name` in a whole `model.to_json()` document
    /// (Sequential or Functional, Keras 3 or Keras 2, nested models included; the first
    /// such layer in document order). Fails with [`Error::LayerNotFound`] when no
    /// SpatialDropout layer has that name, [`Error::WrongClass`] when it has another rank,
    /// and as [`from_config`](Self::from_config) does on its config.
    pub fn from_model_json(model_json: &[u8], name: &str) -> Result<Self, Error> {
        let layer = ModelLayers::new(model_json)?
            .find(|layer| layer.is_named(name))
            .ok_or(Error::LayerNotFound)?;
        layer.build()
    }
}

impl SpatialDropoutNd {
    /// The length of [`write_config`](Self::write_config)'s output, at most
    /// [`MAX_CONFIG_LEN`].
    pub fn config_len(&self) -> usize {
        let mut count = Count(0);
        self.emit_config(&mut count);
        count.0
    }

    /// Writes Keras's `get_config()` as compact JSON into `buf` and returns its length: the
    /// bytes of Python's `json.dumps(layer.get_config(), separators=(",", ":"))` for the same
    /// layer in Keras 3, e.g.
    /// `{"rate":0.25,"seed":7,"name":"spatial_dropout3d","dtype":"float32","data_format":"channels_last"}`
    /// (`SpatialDropout1D` has no `data_format`; `seed` is `null` for a layer without one).
    ///
    /// Fails with [`Error::BufferTooSmall`] when `buf` is shorter than
    /// [`config_len`](Self::config_len), writing nothing. A buffer of [`MAX_CONFIG_LEN`]
    /// bytes always fits.
    pub fn write_config(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_checked(buf, &|w| self.emit_config(w))
    }

    /// The length of [`write_serialized`](Self::write_serialized)'s output, at most
    /// [`MAX_SERIALIZED_LEN`].
    pub fn serialized_len(&self) -> usize {
        let mut count = Count(0);
        self.emit_serialized(&mut count);
        count.0
    }

    /// Writes Keras's `keras.saving.serialize_keras_object(layer)` as compact JSON:
    /// `{"module":"keras.layers","class_name":"SpatialDropout2D","config":{…},"registered_name":null}`.
    ///
    /// Fails with [`Error::BufferTooSmall`] when `buf` is shorter than
    /// [`serialized_len`](Self::serialized_len), writing nothing.
    pub fn write_serialized(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_checked(buf, &|w| self.emit_serialized(w))
    }

    fn emit_config(&self, w: &mut dyn TextSink) {
        w.put(br#"{"rate":"#);
        num::write_repr(self.rate().get(), w);
        w.put(br#","seed":"#);
        match self.seed() {
            Some(seed) => write_u64(seed, w),
            None => w.put(b"null"),
        }
        w.put(br#","name":"#);
        write_py_str(self.name(), w);
        w.put(br#","dtype":"float32""#);
        if self.rank() != 1 {
            w.put(br#","data_format":""#);
            w.put(self.data_format().as_str().as_bytes());
            w.put(b"\"");
        }
        w.put(b"}");
    }

    fn emit_serialized(&self, w: &mut dyn TextSink) {
        w.put(SERIALIZED_HEAD.as_bytes());
        w.put(self.class_name().as_bytes());
        w.put(SERIALIZED_CONFIG.as_bytes());
        self.emit_config(w);
        w.put(SERIALIZED_TAIL.as_bytes());
    }

    /// A layer of spatial rank `rank` (1, 2 or 3) from Keras JSON: everything
    /// [`SpatialDropout::from_config`] reads, with the class it names checked against `rank`
    /// ([`Error::WrongClass`] for another), or [`Error::InvalidValue`] for a rank outside 1–3.
    pub fn from_config(rank: usize, json: &[u8]) -> Result<Self, Error> {
        let class = Self::with_rate(rank, Rate::ZERO)?.class_name();
        let (keys, entry_name) = locate_config(json, rank, class)?;
        Self::build(rank, json, keys, entry_name)
    }

    /// Checks every key of a config, then builds the layer.
    fn build(rank: usize, doc: &[u8], keys: Keys, entry_name: Option<Span>) -> Result<Self, Error> {
        let config = read_config(doc, keys, entry_name)?;
        let mut layer = Self::with_rate(rank, config.rate)?;
        if let Some(seed) = config.seed {
            layer = layer.with_seed(seed);
        }
        if let Some(name) = config.name {
            layer.set_bounded_name(name);
        }
        layer.set_data_format(config.format)?;
        Ok(layer)
    }
}

/// The rank-independent part of [`SpatialDropout::from_config`]: the keys of the config in
/// `json` (a config, or a serialized layer of class `class_name`, spatial rank `rank`) and the
/// entry's `name`. One function for every rank keeps the per-rank code small.
fn locate_config(
    json: &[u8],
    rank: usize,
    class_name: &'static str,
) -> Result<(Keys, Option<Span>), Error> {
    let span = lex::document(json)?;
    let root = Value { doc: json, span };
    if !root.is_object() {
        return Err(lex::malformed("expected a JSON object", span.0));
    }
    let outer = Keys::read(root)?;
    let Some(class) = outer.class_name else {
        return Ok((outer, None));
    };
    let class = Value {
        doc: json,
        span: class,
    };
    let contents = class.string().ok_or(Error::InvalidValue {
        key: "class_name",
        expected: "a string",
    })?;
    match class_rank(json, contents)? {
        Some(found) if found == rank && rank <= 3 => {}
        found => {
            return Err(Error::WrongClass {
                expected: class_name,
                found: found.and_then(|r| CLASS_NAMES.get(r - 1).copied()),
            });
        }
    }
    let config = outer.config.ok_or(Error::MissingKey { key: "config" })?;
    let config = Value {
        doc: json,
        span: config,
    };
    if !config.is_object() {
        return Err(Error::InvalidValue {
            key: "config",
            expected: "an object",
        });
    }
    Ok((Keys::read(config)?, outer.name))
}

/// The checked values of a config's keys.
struct Config {
    rate: Rate,
    seed: Option<u64>,
    format: DataFormat,
    /// The config's `name`, else the layer entry's; `None`: Keras's default.
    name: Option<Name>,
}

/// The checked values of a config's keys, in the order [`SpatialDropout::from_config`]
/// reports their errors; the rank-dependent rest is [`SpatialDropout::build`].
fn read_config(doc: &[u8], keys: Keys, entry_name: Option<Span>) -> Result<Config, Error> {
    let value = |span: Option<Span>| {
        span.map(|span| Value { doc, span })
            .filter(|v| !v.is_null())
    };
    if value(keys.noise_shape).is_some() {
        return Err(Error::NoiseShape);
    }
    let rate = keys.rate.ok_or(Error::MissingKey { key: "rate" })?;
    let rate = Value { doc, span: rate }
        .number("rate")?
        .ok_or(Error::InvalidValue {
            key: "rate",
            expected: "a number between 0 and 1",
        })?;
    let rate = Rate::new(rate)?;
    let seed = match value(keys.seed) {
        None => None,
        Some(seed) => Some(parse_seed(seed.bytes()).ok_or(Error::InvalidValue {
            key: "seed",
            expected: SEED_RANGE,
        })?),
    };
    let format = match value(keys.data_format) {
        None => DataFormat::ChannelsLast,
        Some(format) => {
            let contents = format.string().ok_or(Error::InvalidDataFormat)?;
            let text =
                lex::decode::<MAX_NAME_LEN>(doc, contents)?.ok_or(Error::InvalidDataFormat)?;
            text.parse()?
        }
    };
    if let Some(dtype) = value(keys.dtype) {
        check_dtype(dtype)?;
    }
    let name = match value(keys.name).or(value(entry_name)) {
        None => None,
        Some(name) => {
            let contents = name.string().ok_or(Error::InvalidValue {
                key: "name",
                expected: "a string",
            })?;
            Some(
                lex::decode::<MAX_NAME_LEN>(doc, contents)?
                    .ok_or(Error::NameTooLong { max: MAX_NAME_LEN })?,
            )
        }
    };
    Ok(Config {
        rate,
        seed,
        format,
        name,
    })
}

/// A decimal integer in `0 ..= u64::MAX`, as JSON writes it (no sign, fraction or exponent).
fn parse_seed(text: &[u8]) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u64, |acc, &c| {
        let digit = c.checked_sub(b'0').filter(|d| *d < 10)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `"float32"`, or a `DTypePolicy`/`Policy` object whose config names `float32`.
fn check_dtype(dtype: Value<'_>) -> Result<(), Error> {
    let doc = dtype.doc;
    if let Some(contents) = dtype.string() {
        return if lex::str_eq(doc, contents, "float32")? {
            Ok(())
        } else {
            Err(Error::UnsupportedDtype)
        };
    }
    if !dtype.is_object() {
        return Err(Error::InvalidValue {
            key: "dtype",
            expected: "\"float32\" or a DTypePolicy object",
        });
    }
    let keys = Keys::read(dtype)?;
    let is_policy = match keys.class_name.and_then(|s| lex::string_contents(doc, s)) {
        Some(class) => {
            let mut any = false;
            for policy in POLICY_CLASSES {
                any |= lex::str_eq(doc, class, policy)?;
            }
            any
        }
        None => false,
    };
    let config = keys
        .config
        .map(|span| Value { doc, span })
        .filter(Value::is_object);
    let name = match config {
        Some(config) => Keys::read(config)?.name,
        None => None,
    };
    match name.and_then(|s| lex::string_contents(doc, s)) {
        Some(name) if is_policy && lex::str_eq(doc, name, "float32")? => Ok(()),
        _ => Err(Error::UnsupportedDtype),
    }
}

/// The SpatialDropout layers of a `model.to_json()` document (or any JSON text), in document
/// order: every object whose `class_name` is `SpatialDropout1D`, `2D` or `3D`, at any depth.
///
/// [`new`](Self::new) checks the whole document once; the iterator then walks it without
/// allocating or recursing.
///
/// ```
/// use spatial_dropout::{ModelLayers, SpatialDropout2D};
///
/// let model = br#"{"class_name": "Sequential", "config": {"name": "m", "layers": [
///   {"class_name": "Dense", "config": {"name": "dense", "units": 4}},
///   {"class_name": "SpatialDropout2D", "config": {"rate": 0.3, "seed": 1, "name": "drop",
///     "dtype": "float32", "data_format": "channels_last"}}]}}"#;
/// let found: Vec<_> = ModelLayers::new(model)?.collect();
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].class_name(), found[0].rank()), ("SpatialDropout2D", 2));
/// assert_eq!(found[0].name()?, "drop");
/// let layer: SpatialDropout2D = found[0].build()?;
/// assert_eq!(layer.seed(), Some(1));
/// # Ok::<(), spatial_dropout::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ModelLayers<'a> {
    doc: &'a [u8],
    pos: usize,
}

impl<'a> ModelLayers<'a> {
    /// Checks that `model_json` is well-formed JSON ([`Error::Json`] otherwise).
    pub fn new(model_json: &'a [u8]) -> Result<Self, Error> {
        lex::document(model_json)?;
        Ok(ModelLayers {
            doc: model_json,
            pos: 0,
        })
    }
}

impl<'a> Iterator for ModelLayers<'a> {
    type Item = LayerJson<'a>;

    fn next(&mut self) -> Option<LayerJson<'a>> {
        loop {
            // The document was checked: the only error left is its end.
            let (tok, (start, end)) = lex::token(self.doc, self.pos).ok()?;
            self.pos = end;
            if tok != Tok::Open(true) {
                continue;
            }
            if let Some(layer) = LayerJson::at(self.doc, start) {
                self.pos = layer.span.1;
                return Some(layer);
            }
        }
    }
}

/// One SpatialDropout layer object found by [`ModelLayers`].
#[derive(Debug, Clone, Copy)]
pub struct LayerJson<'a> {
    doc: &'a [u8],
    span: Span,
    rank: usize,
    name: Option<Span>,
}

impl<'a> LayerJson<'a> {
    /// The layer at the object starting at `start`, if its `class_name` is one of ours.
    fn at(doc: &'a [u8], start: usize) -> Option<Self> {
        let object = Value {
            doc,
            span: lex::value(doc, start).ok()?,
        };
        let keys = Keys::read(object).ok()?;
        let class = lex::string_contents(doc, keys.class_name?)?;
        let rank = class_rank(doc, class).ok()??;
        let config_name = keys
            .config
            .map(|span| Value { doc, span })
            .filter(Value::is_object)
            .and_then(|config| Keys::read(config).ok()?.name);
        let name = config_name
            .or(keys.name)
            .and_then(|span| lex::string_contents(doc, span));
        Some(LayerJson {
            doc,
            span: object.span,
            rank,
            name,
        })
    }

    /// `"SpatialDropout1D"`, `"SpatialDropout2D"` or `"SpatialDropout3D"`.
    pub fn class_name(&self) -> &'static str {
        CLASS_NAMES
            .get(self.rank.wrapping_sub(1))
            .copied()
            .unwrap_or("")
    }

    /// The spatial rank: 1, 2 or 3.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The layer's name: its config's `name`, else the entry's `name`, else Keras's default
    /// for the class. Fails on a name longer than [`MAX_NAME_LEN`] or a bad escape.
    pub fn name(&self) -> Result<Name, Error> {
        let default = || {
            Name::try_from(
                DEFAULT_NAMES
                    .get(self.rank.wrapping_sub(1))
                    .copied()
                    .unwrap_or_default(),
            )
            .map_err(|_| Error::NameTooLong { max: MAX_NAME_LEN })
        };
        match self.name {
            None => default(),
            Some(span) => {
                lex::decode(self.doc, span)?.ok_or(Error::NameTooLong { max: MAX_NAME_LEN })
            }
        }
    }

    /// Whether [`name`](Self::name) is `name`.
    pub fn is_named(&self, name: &str) -> bool {
        match self.name {
            Some(span) => lex::str_eq(self.doc, span, name).unwrap_or(false),
            None => self.name().is_ok_and(|n| n == name),
        }
    }

    /// The layer object's text.
    pub fn json(&self) -> &'a [u8] {
        self.doc.get(self.span.0..self.span.1).unwrap_or(&[])
    }

    /// Where the layer object sits in the document, in bytes.
    pub fn range(&self) -> Range<usize> {
        self.span.0..self.span.1
    }

    /// Builds the layer, as [`SpatialDropout::from_config`] does on [`json`](Self::json);
    /// [`Error::WrongClass`] when `S` is not [`rank`](Self::rank).
    pub fn build<const S: usize>(&self) -> Result<SpatialDropout<S>, Error> {
        SpatialDropout::from_config(self.json())
    }

    /// Builds the layer at its own rank, whatever it is.
    pub fn build_nd(&self) -> Result<SpatialDropoutNd, Error> {
        SpatialDropoutNd::from_config(self.rank, self.json())
    }
}
