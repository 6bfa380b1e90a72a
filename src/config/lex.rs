//! A strict JSON lexer over bytes: no allocation, no recursion, no panics.
//!
//! It checks RFC 8259's grammar (plus Python's `NaN`, `Infinity` and `-Infinity`, which
//! `json.dumps` writes and `json.loads` reads) with a fixed 128-bit stack of container kinds,
//! so nesting costs no stack and is bounded by [`MAX_DEPTH`]. Every position is a byte offset
//! into the caller's slice; every read goes through `get`.

use crate::Error;

/// Deepest nesting of arrays and objects accepted (serde_json's default limit too).
pub(crate) const MAX_DEPTH: usize = 128;

/// A byte range `start..end` of the document.
pub(crate) type Span = (usize, usize);

/// One token of JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// `{` (true) or `[` (false).
    Open(bool),
    /// `}` (true) or `]` (false).
    Close(bool),
    Comma,
    Colon,
    /// A string, quotes included.
    Str,
    /// A number, or `NaN`, `Infinity`, `-Infinity`.
    Num,
    True,
    False,
    Null,
}

pub(crate) const fn malformed(reason: &'static str, offset: usize) -> Error {
    Error::Json { reason, offset }
}

/// The offset of the first byte at or after `pos` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(pos) {
        pos += 1;
    }
    pos
}

/// The token after the whitespace at `pos`: its kind and span.
pub(crate) fn token(b: &[u8], pos: usize) -> Result<(Tok, Span), Error> {
    let start = skip_ws(b, pos);
    let Some(&c) = b.get(start) else {
        return Err(malformed("unexpected end of input", start));
    };
    let one = |t| Ok((t, (start, start + 1)));
    match c {
        b'{' => one(Tok::Open(true)),
        b'[' => one(Tok::Open(false)),
        b'}' => one(Tok::Close(true)),
        b']' => one(Tok::Close(false)),
        b',' => one(Tok::Comma),
        b':' => one(Tok::Colon),
        b'"' => Ok((Tok::Str, (start, string_end(b, start)?))),
        b'-' | b'0'..=b'9' => Ok((Tok::Num, (start, number_end(b, start)?))),
        b't' => literal(b, start, b"true", Tok::True),
        b'f' => literal(b, start, b"false", Tok::False),
        b'n' => literal(b, start, b"null", Tok::Null),
        b'N' => literal(b, start, b"NaN", Tok::Num),
        b'I' => literal(b, start, b"Infinity", Tok::Num),
        _ => Err(malformed("expected a JSON value", start)),
    }
}

fn literal(b: &[u8], start: usize, text: &[u8], tok: Tok) -> Result<(Tok, Span), Error> {
    let end = start + text.len();
    if b.get(start..end) == Some(text) {
        Ok((tok, (start, end)))
    } else {
        Err(malformed("expected a JSON value", start))
    }
}

/// The end of the string whose opening quote is at `start`: checks escapes, control
/// characters and UTF-8 (pairing of `\u` surrogates is checked when a string is decoded).
fn string_end(b: &[u8], start: usize) -> Result<usize, Error> {
    let mut i = start + 1;
    loop {
        match b.get(i) {
            None => return Err(malformed("unterminated string", start)),
            Some(b'"') => break,
            Some(b'\\') => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = b.get(i + 2..i + 6).unwrap_or(&[]);
                    if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(malformed("invalid \\u escape in a string", i));
                    }
                    i += 6;
                }
                _ => return Err(malformed("invalid escape in a string", i)),
            },
            Some(&c) if c < 0x20 => {
                return Err(malformed("unescaped control character in a string", i));
            }
            Some(_) => i += 1,
        }
    }
    match b.get(start + 1..i).map(core::str::from_utf8) {
        Some(Ok(_)) => Ok(i + 1),
        _ => Err(malformed("invalid UTF-8 in a string", start)),
    }
}

/// The end of the number at `start`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
/// or `-Infinity`.
fn number_end(b: &[u8], start: usize) -> Result<usize, Error> {
    let bad = || malformed("invalid number", start);
    let digits = |mut i: usize| {
        while let Some(b'0'..=b'9') = b.get(i) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if b.get(i) == Some(&b'-') {
        i += 1;
        if b.get(i) == Some(&b'I') {
            return literal(b, i, b"Infinity", Tok::Num).map(|(_, (_, end))| end);
        }
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return Err(bad()),
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return Err(bad());
        }
        i = end;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return Err(bad());
        }
        i = end;
    }
    Ok(i)
}

/// Expects `:` after whitespace at `pos`; returns the offset after it.
fn colon(b: &[u8], pos: usize) -> Result<usize, Error> {
    match token(b, pos)? {
        (Tok::Colon, (_, end)) => Ok(end),
        (_, (start, _)) => Err(malformed("expected `:`", start)),
    }
}

/// Expects a key string then `:`; returns the key's span (quotes included) and the offset
/// after the colon.
fn key(b: &[u8], pos: usize, reason: &'static str) -> Result<(Span, usize), Error> {
    let start = skip_ws(b, pos);
    match b.get(start) {
        None => Err(malformed("unexpected end of input", start)),
        Some(b'"') => {
            let end = string_end(b, start)?;
            Ok(((start, end), colon(b, end)?))
        }
        Some(_) => Err(malformed(reason, start)),
    }
}

/// The span of the complete value after the whitespace at `pos`, checking its whole grammar.
pub(crate) fn value(b: &[u8], pos: usize) -> Result<Span, Error> {
    // Bit d of `objects` tells whether the container at depth d is an object.
    let mut objects: u128 = 0;
    let mut depth: usize = 0;
    let start = skip_ws(b, pos);
    let mut pos = start;
    'value: loop {
        let (tok, (s, e)) = token(b, pos)?;
        pos = e;
        match tok {
            Tok::Open(object) => {
                if depth == MAX_DEPTH {
                    return Err(malformed("nested deeper than 128 levels", s));
                }
                let bit = 1u128 << depth;
                objects = if object {
                    objects | bit
                } else {
                    objects & !bit
                };
                depth += 1;
                let close = skip_ws(b, pos);
                if b.get(close) == Some(if object { &b'}' } else { &b']' }) {
                    pos = close + 1;
                    depth -= 1;
                } else if object {
                    pos = key(b, pos, "expected a string key or `}`")?.1;
                    continue 'value;
                } else {
                    // The token is the array's first value: read it again as one.
                    continue 'value;
                }
            }
            Tok::Str | Tok::Num | Tok::True | Tok::False | Tok::Null => {}
            Tok::Close(_) | Tok::Comma | Tok::Colon => {
                return Err(malformed("expected a JSON value", s));
            }
        }
        // A value is complete: close containers until one wants another element.
        while depth > 0 {
            let object = (objects >> (depth - 1)) & 1 == 1;
            let (tok, (s, e)) = token(b, pos)?;
            pos = e;
            match tok {
                Tok::Comma if object => {
                    pos = key(b, pos, "expected a string key")?.1;
                    continue 'value;
                }
                Tok::Comma => continue 'value,
                Tok::Close(kind) if kind == object => depth -= 1,
                _ if object => return Err(malformed("expected `,` or `}`", s)),
                _ => return Err(malformed("expected `,` or `]`", s)),
            }
        }
        return Ok((start, pos));
    }
}

/// Checks that `b` is one JSON text (whitespace around it allowed); returns the root's span.
pub(crate) fn document(b: &[u8]) -> Result<Span, Error> {
    let span = value(b, 0)?;
    let end = skip_ws(b, span.1);
    if end == b.len() {
        Ok(span)
    } else {
        Err(malformed("trailing characters after the JSON value", end))
    }
}

/// One member of an object: the key's contents (quotes excluded) and the value's span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub key: Span,
    pub value: Span,
}

/// The members of the object whose `{` is at `start`, in document order.
#[derive(Debug)]
pub(crate) struct Members<'a> {
    b: &'a [u8],
    pos: usize,
    first: bool,
    done: bool,
}

impl<'a> Members<'a> {
    pub(crate) fn new(b: &'a [u8], start: usize) -> Self {
        Members {
            b,
            pos: start + 1,
            first: true,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<Member>, Error> {
        let at = skip_ws(self.b, self.pos);
        let key_pos = match (self.b.get(at), self.first) {
            (Some(b'}'), _) => return Ok(None),
            (_, true) => at,
            (Some(b','), false) => at + 1,
            (_, false) => return Err(malformed("expected `,` or `}`", at)),
        };
        let reason = if self.first {
            "expected a string key or `}`"
        } else {
            "expected a string key"
        };
        self.first = false;
        let ((ks, ke), after) = key(self.b, key_pos, reason)?;
        let value = value(self.b, after)?;
        self.pos = value.1;
        Ok(Some(Member {
            key: (ks + 1, ke - 1),
            value,
        }))
    }
}

impl Iterator for Members<'_> {
    type Item = Result<Member, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        if !matches!(step, Ok(Some(_))) {
            self.done = true;
        }
        step.transpose()
    }
}

/// The characters of a string's contents (quotes excluded), escapes decoded; `\u` surrogate
/// escapes must pair up, as a Rust `str` needs.
#[derive(Debug)]
pub(crate) struct Chars<'a> {
    s: &'a str,
    pos: usize,
    base: usize,
}

impl<'a> Chars<'a> {
    /// `span` must be the contents of a string the lexer accepted.
    pub(crate) fn new(b: &'a [u8], span: Span) -> Result<Self, Error> {
        let s = b
            .get(span.0..span.1)
            .and_then(|raw| core::str::from_utf8(raw).ok())
            .ok_or(malformed("invalid UTF-8 in a string", span.0))?;
        Ok(Chars {
            s,
            pos: 0,
            base: span.0,
        })
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.s.get(at..at + 4)?;
        u32::from_str_radix(digits, 16).ok()
    }

    fn escape(&mut self) -> Result<char, Error> {
        let at = self.base + self.pos;
        let bad = malformed("unpaired surrogate escape in a string", at);
        let letter = self.s.as_bytes().get(self.pos + 1).copied();
        self.pos += 2;
        let simple = match letter {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4(self.pos).ok_or(bad)?;
                self.pos += 4;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if self.s.get(self.pos..self.pos + 2) != Some("\\u") {
                        return Err(bad);
                    }
                    let low = self.hex4(self.pos + 2).ok_or(bad)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(bad);
                    }
                    self.pos += 6;
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                return char::from_u32(code).ok_or(bad);
            }
            _ => return Err(malformed("invalid escape in a string", at)),
        };
        Ok(simple)
    }
}

impl Iterator for Chars<'_> {
    type Item = Result<char, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = self.s.get(self.pos..)?.chars().next()?;
        if c == '\\' {
            let decoded = self.escape();
            if decoded.is_err() {
                // Stop after an error.
                self.pos = self.s.len();
            }
            Some(decoded)
        } else {
            self.pos += c.len_utf8();
            Some(Ok(c))
        }
    }
}

/// Whether the string contents at `span` decode to `expected` (at most 64 bytes long, as
/// every string compared is).
pub(crate) fn str_eq(b: &[u8], span: Span, expected: &str) -> Result<bool, Error> {
    Ok(decode::<64>(b, span)?.is_some_and(|s| s == expected))
}

/// The string contents at `span`, decoded into a bounded string; `Ok(None)` when longer than
/// `N` bytes.
pub(crate) fn decode<const N: usize>(
    b: &[u8],
    span: Span,
) -> Result<Option<heapless::String<N>>, Error> {
    let mut out = heapless::String::new();
    for c in Chars::new(b, span)? {
        if out.push(c?).is_err() {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// The contents of the string value at `span` (quotes excluded), if it is a string.
pub(crate) fn string_contents(b: &[u8], span: Span) -> Option<Span> {
    (b.get(span.0) == Some(&b'"') && span.1 >= span.0 + 2).then_some((span.0 + 1, span.1 - 1))
}
