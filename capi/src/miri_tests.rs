//! The exports called through raw pointers, as C calls them, so that `cargo +nightly miri test`
//! (run by `.ci/hardening.sh`) checks every `unsafe` block of this crate for undefined
//! behaviour: storage cast to the handle, slices made from pointers and lengths, in-place calls
//! where input and output are one buffer, partly overlapping buffers, null and misaligned
//! pointers, text written into caller buffers, out-parameters, and mask words written by
//! `spatial_dropout_keras_mask`.

// Test code: a failed expectation should panic, and C's casts are spelled as C spells them.
#![allow(
    clippy::unwrap_used,
    clippy::as_conversions,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use core::ffi::CStr;
use core::ptr;

use spatial_dropout::{
    DataFormat, Masks, Rate, SeedableRng, Shape, XorShiftRng, keras_mask, spatial_dropout,
};

use super::*;

/// Caller storage as C declares it: `SPATIAL_DROPOUT_LAYER_SIZE` bytes, aligned.
#[repr(C, align(8))]
struct Storage([u8; LAYER_SIZE]);

fn storage() -> Storage {
    Storage([0; LAYER_SIZE])
}

fn layer_ptr(s: &mut Storage) -> *mut spatial_dropout_layer {
    s.0.as_mut_ptr().cast()
}

const DIMS: [usize; 4] = [2, 3, 2, 4]; // channels_last [batch, rows, cols, channels]
const LEN: usize = 48;

fn input() -> [f32; LEN] {
    core::array::from_fn(|i| f32::from(u16::try_from(i).unwrap_or(0)) - 20.5)
}

/// `SPATIAL_DROPOUT_MASKS_XORSHIFT`: the scheme [`expected`] computes.
const XORSHIFT: i32 = 4;

/// The same call through the Rust kernel with the XorShift scheme, for comparison.
fn expected(seed: u64) -> [f32; LEN] {
    let shape = Shape::<2>::from_dims(&DIMS, DataFormat::ChannelsLast).unwrap();
    let mut out = [0.0; LEN];
    let rng = &mut XorShiftRng::seed_from_u64(seed);
    spatial_dropout(&input(), &mut out, &shape, Rate::new(0.5).unwrap(), rng).unwrap();
    out
}

#[test]
fn create_call_backward_reseed_through_pointers() {
    let mut s = storage();
    let l = layer_ptr(&mut s);
    // SAFETY: the pointers come from live locals of the stated lengths.
    unsafe {
        assert_eq!(
            spatial_dropout_create(l, 2, 0.5, CHANNELS_LAST, 1, 9, c"drop".as_ptr()),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(spatial_dropout_set_masks(l, XORSHIFT), SPATIAL_DROPOUT_OK);
        let x = input();
        let mut y = [f32::NAN; LEN];
        let status =
            spatial_dropout_call(l, x.as_ptr(), LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1);
        assert_eq!(status, SPATIAL_DROPOUT_OK);
        assert_eq!(y, expected(9));

        let mut dx = [f32::NAN; LEN];
        let status =
            spatial_dropout_backward(l, x.as_ptr(), LEN, dx.as_mut_ptr(), LEN, DIMS.as_ptr(), 4);
        assert_eq!(status, SPATIAL_DROPOUT_OK);
        assert_eq!(dx, y);

        // In place, and out of place with output == input.
        assert_eq!(spatial_dropout_reseed(l, 9), SPATIAL_DROPOUT_OK);
        let mut data = input();
        assert_eq!(
            spatial_dropout_call_in_place(l, data.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(data, expected(9));
        assert_eq!(spatial_dropout_reseed(l, 9), SPATIAL_DROPOUT_OK);
        let mut same = input();
        let p = same.as_mut_ptr();
        assert_eq!(
            spatial_dropout_call(l, p, LEN, p, LEN, DIMS.as_ptr(), 4, 1),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(same, expected(9));

        let (mut rank, mut rate, mut format, mut has_seed, mut seed) =
            (0u32, 0.0f64, -1i32, 0, 0u64);
        assert_eq!(
            spatial_dropout_get_info(
                l,
                &mut rank,
                &mut rate,
                &mut format,
                &mut has_seed,
                &mut seed
            ),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(
            (rank, rate, format, has_seed, seed),
            (2, 0.5, CHANNELS_LAST, 1, 9)
        );
        let mut name = [0 as c_char; 8];
        let mut len = 0usize;
        assert_eq!(
            spatial_dropout_get_name(l, name.as_mut_ptr(), name.len(), &mut len),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!((len, name[0] as u8, name[4]), (4, b'd', 0));
    }
}

#[test]
fn bad_pointers_are_errors_and_change_nothing() {
    let mut s = storage();
    let l = layer_ptr(&mut s);
    // SAFETY: as above; the null and misaligned pointers are what the functions must refuse.
    unsafe {
        // Never created: zeroed storage.
        let x = input();
        let mut y = [7.0f32; LEN];
        let status =
            spatial_dropout_call(l, x.as_ptr(), LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_NOT_CREATED);
        assert_eq!(
            spatial_dropout_create(ptr::null_mut(), 2, 0.5, 0, 0, 0, ptr::null()),
            SPATIAL_DROPOUT_ERROR_NULL_POINTER
        );
        let misaligned = l
            .cast::<u8>()
            .wrapping_add(1)
            .cast::<spatial_dropout_layer>();
        assert_eq!(
            spatial_dropout_create(misaligned, 2, 0.5, 0, 0, 0, ptr::null()),
            SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT
        );
        assert_eq!(
            spatial_dropout_create(l, 4, 0.5, 0, 0, 0, ptr::null()),
            SPATIAL_DROPOUT_ERROR_BAD_RANK
        );
        assert_eq!(
            spatial_dropout_create(l, 2, 1.5, 0, 0, 0, ptr::null()),
            SPATIAL_DROPOUT_ERROR_INVALID_RATE
        );

        assert_eq!(
            spatial_dropout_create(l, 2, 0.5, CHANNELS_LAST, 1, 3, ptr::null()),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(spatial_dropout_set_masks(l, XORSHIFT), SPATIAL_DROPOUT_OK);
        let status = spatial_dropout_call(
            l,
            ptr::null(),
            LEN,
            y.as_mut_ptr(),
            LEN,
            DIMS.as_ptr(),
            4,
            1,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_NULL_POINTER);
        let status = spatial_dropout_call(
            l,
            x.as_ptr(),
            LEN,
            y.as_mut_ptr(),
            LEN - 1,
            DIMS.as_ptr(),
            4,
            1,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
        // Output overlapping the input by half.
        let mut both = [1.0f32; LEN + LEN / 2];
        let p = both.as_mut_ptr();
        let status = spatial_dropout_call(l, p, LEN, p.add(LEN / 2), LEN, DIMS.as_ptr(), 4, 1);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_OVERLAP);
        assert!(both.iter().all(|&v| v == 1.0));
        assert!(y.iter().all(|&v| v == 7.0), "a failed call wrote");
        // A misaligned float pointer.
        // One byte past a 4-aligned address: misaligned wherever the buffer lands.
        let floats = [0.0f32; LEN + 1];
        let odd = floats.as_ptr().cast::<u8>().wrapping_add(1).cast::<f32>();
        let status = spatial_dropout_call(l, odd, LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
        // The generator did not move: the first good call gives seed 3's first mask.
        assert_eq!(
            spatial_dropout_call(l, x.as_ptr(), LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(y, expected(3));
        assert!(!spatial_dropout_error_message(SPATIAL_DROPOUT_ERROR_OVERLAP).is_null());
    }
}

#[cfg(feature = "json")]
#[test]
fn json_through_pointers() {
    use crate::json::{spatial_dropout_from_config, spatial_dropout_get_config};

    let mut s = storage();
    let l = layer_ptr(&mut s);
    let config =
        br#"{"rate":0.5,"seed":9,"name":"sd","dtype":"float32","data_format":"channels_last"}"#;
    // SAFETY: as above.
    unsafe {
        let status = spatial_dropout_from_config(l, 0, config.as_ptr().cast(), config.len());
        assert_ne!(
            status, SPATIAL_DROPOUT_OK,
            "rank 0 takes the rank from a class_name, which a bare config lacks"
        );
        assert_eq!(
            spatial_dropout_from_config(l, 2, config.as_ptr().cast(), config.len()),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(spatial_dropout_set_masks(l, XORSHIFT), SPATIAL_DROPOUT_OK);
        let mut buf = [0 as c_char; 128];
        let mut len = 0usize;
        assert_eq!(
            spatial_dropout_get_config(l, buf.as_mut_ptr(), buf.len(), &mut len),
            SPATIAL_DROPOUT_OK
        );
        let written: Vec<u8> = buf[..len].iter().map(|&c| c as u8).collect();
        assert_eq!(written, config);
        assert_eq!(buf[len], 0, "NUL-terminated");
        let mut small = [0x55 as c_char; 10];
        assert_eq!(
            spatial_dropout_get_config(l, small.as_mut_ptr(), small.len(), &mut len),
            SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL
        );
        assert_eq!(len, config.len(), "the length needed, without the NUL");
        assert!(small.iter().all(|&c| c == 0x55));
        let x = input();
        let mut y = [0.0f32; LEN];
        assert_eq!(
            spatial_dropout_call(l, x.as_ptr(), LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(y, expected(9));
    }
}

/// The Keras masks of a layer: scheme and call number through out-pointers, and the stateless
/// mask written into caller words, each against the core's `keras_mask`.
#[test]
fn masks_calls_and_keras_mask_through_pointers() {
    const MAPS: usize = 2 * 4; // DIMS: batch 2, channels 4
    let core = |call: u64, masks: Masks| {
        let mut keep = [0u32; 1];
        keras_mask(&mut keep, MAPS, Rate::new(0.5).unwrap(), 9, call, masks).unwrap();
        keep[0]
    };
    let kept = |y: &[f32; LEN]| {
        // channels_last [2, 3, 2, 4]: element i is map (i / 24) * 4 + i % 4
        let mut keep = 0u32;
        for (i, &v) in y.iter().enumerate() {
            if v != 0.0 {
                keep |= 1 << ((i / 24) * 4 + i % 4);
            }
        }
        keep
    };
    let mut s = storage();
    let l = layer_ptr(&mut s);
    // SAFETY: the pointers come from live locals of the stated lengths; the null and
    // misaligned pointers are what the functions must refuse.
    unsafe {
        assert_eq!(
            spatial_dropout_create(l, 2, 0.5, CHANNELS_LAST, 1, 9, ptr::null()),
            SPATIAL_DROPOUT_OK
        );
        let (mut masks, mut calls) = (-1i32, u64::MAX);
        assert_eq!(spatial_dropout_get_masks(l, &mut masks), SPATIAL_DROPOUT_OK);
        assert_eq!(spatial_dropout_get_calls(l, &mut calls), SPATIAL_DROPOUT_OK);
        assert_eq!((masks, calls), (0, 0));
        // Every input element is nonzero, so the output shows the mask.
        let x = [1.0f32; LEN];
        let mut y = [f32::NAN; LEN];
        for (code, scheme) in [
            (0, Masks::Keras),
            (1, Masks::KerasXla),
            (3, Masks::Keras34Xla),
        ] {
            assert_eq!(spatial_dropout_set_masks(l, code), SPATIAL_DROPOUT_OK);
            assert_eq!(spatial_dropout_set_calls(l, 41), SPATIAL_DROPOUT_OK);
            let status =
                spatial_dropout_call(l, x.as_ptr(), LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1);
            assert_eq!(status, SPATIAL_DROPOUT_OK);
            assert_eq!(kept(&y), core(41, scheme), "{scheme}");
            assert_eq!(spatial_dropout_get_calls(l, &mut calls), SPATIAL_DROPOUT_OK);
            assert_eq!(calls, 42);
            assert_eq!(spatial_dropout_get_masks(l, &mut masks), SPATIAL_DROPOUT_OK);
            assert_eq!(masks, code);
        }

        // Out-pointers: null and misaligned are refused and not written.
        let mut words = [0u64; 2];
        let odd = words.as_mut_ptr().cast::<u8>().wrapping_add(1);
        assert_eq!(
            spatial_dropout_get_calls(l, ptr::null_mut()),
            SPATIAL_DROPOUT_ERROR_NULL_POINTER
        );
        assert_eq!(
            spatial_dropout_get_calls(l, odd.cast()),
            SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT
        );
        assert_eq!(
            spatial_dropout_get_masks(l, odd.cast()),
            SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT
        );
        assert_eq!(words, [0, 0]);
        assert_eq!(
            spatial_dropout_set_masks(l, 5),
            SPATIAL_DROPOUT_ERROR_INVALID_MASKS
        );
        assert_eq!(
            spatial_dropout_set_calls(ptr::null_mut(), 1),
            SPATIAL_DROPOUT_ERROR_NULL_POINTER
        );

        // The stateless mask: into caller words, the word after it untouched.
        let mut keep = [0xa5a5_a5a5u32; 3];
        let status = spatial_dropout_keras_mask(keep.as_mut_ptr(), 2, 40, 0.5, 9, 7, 2);
        assert_eq!(status, SPATIAL_DROPOUT_OK);
        let mut want = [0u32; 2];
        keras_mask(&mut want, 40, Rate::new(0.5).unwrap(), 9, 7, Masks::Keras34).unwrap();
        assert_eq!(keep, [want[0], want[1], 0xa5a5_a5a5]);
        let odd = keep.as_mut_ptr().cast::<u8>().wrapping_add(1).cast::<u32>();
        let refused = [
            (
                spatial_dropout_keras_mask(odd, 2, 40, 0.5, 9, 7, 0),
                SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT,
            ),
            (
                spatial_dropout_keras_mask(ptr::null_mut(), 2, 40, 0.5, 9, 7, 0),
                SPATIAL_DROPOUT_ERROR_NULL_POINTER,
            ),
            (
                spatial_dropout_keras_mask(keep.as_mut_ptr(), 1, 40, 0.5, 9, 7, 0),
                SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT,
            ),
            (
                spatial_dropout_keras_mask(keep.as_mut_ptr(), 2, 40, 0.5, 9, 7, XORSHIFT),
                SPATIAL_DROPOUT_ERROR_NOT_KERAS,
            ),
            (
                spatial_dropout_keras_mask(keep.as_mut_ptr(), 2, 40, 0.5, 9, 7, -1),
                SPATIAL_DROPOUT_ERROR_INVALID_MASKS,
            ),
            (
                spatial_dropout_keras_mask(keep.as_mut_ptr(), 2, 40, f64::NAN, 9, 7, 0),
                SPATIAL_DROPOUT_ERROR_INVALID_RATE,
            ),
        ];
        for (got, wanted) in refused {
            assert_eq!(got, wanted);
        }
        assert_eq!(
            keep,
            [want[0], want[1], 0xa5a5_a5a5],
            "a refused call wrote"
        );
        assert_eq!(
            spatial_dropout_keras_mask(ptr::null_mut(), 0, 0, 0.5, 9, 7, 0),
            SPATIAL_DROPOUT_OK
        );
    }
}

/// A zeroed `spatial_dropout_error`, as a C caller declares one.
fn no_error() -> spatial_dropout_error {
    spatial_dropout_error::of(Ok(()))
}

/// The message `spatial_dropout_describe` writes for `err`, through a C buffer.
///
/// # Safety
/// `err` is null or filled by an `_ex` function.
unsafe fn described(err: *const spatial_dropout_error) -> String {
    let mut buf = [0x55 as c_char; 256];
    // SAFETY: `buf` holds `buf.len()` writable bytes; `err` as the caller says.
    let n = unsafe { spatial_dropout_describe(err, buf.as_mut_ptr(), buf.len()) };
    assert!(n < buf.len());
    assert_eq!(buf[n], 0, "NUL-terminated");
    String::from_utf8(buf[..n].iter().map(|&c| c as u8).collect()).unwrap()
}

/// The `_ex` twins write the detail through the caller's pointer; `describe` reads its static
/// texts back and writes into a caller buffer, cut short or not at all.
#[test]
fn detail_through_pointers() {
    let mut s = storage();
    let l = layer_ptr(&mut s);
    let mut err = no_error();
    let e: *mut spatial_dropout_error = &mut err;
    // SAFETY: as above; the null and misaligned pointers are what the functions must refuse.
    unsafe {
        assert_eq!(
            spatial_dropout_create_ex(l, 2, 1.5, 0, 0, 0, ptr::null(), e),
            SPATIAL_DROPOUT_ERROR_INVALID_RATE
        );
        assert_eq!((*e).rate, 1.5);
        assert!(described(e).ends_with("rate=1.5"));
        assert_eq!(
            spatial_dropout_create_ex(l, 2, 0.5, CHANNELS_LAST, 1, 3, ptr::null(), e),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(described(e), "ok");
        // A misaligned `err`: refused before the call runs.
        let mut two = [no_error(), no_error()];
        let odd = two
            .as_mut_ptr()
            .cast::<u8>()
            .wrapping_add(1)
            .cast::<spatial_dropout_error>();
        assert_eq!(
            spatial_dropout_set_calls_ex(l, 5, odd),
            SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT
        );
        let mut calls = 9u64;
        assert_eq!(
            spatial_dropout_get_calls_ex(l, &mut calls, e),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(calls, 0, "the call with a misaligned err did not run");
        assert_eq!(spatial_dropout_set_calls_ex(l, 0, e), SPATIAL_DROPOUT_OK);
        assert_eq!(spatial_dropout_reseed_ex(l, 3, e), SPATIAL_DROPOUT_OK);
        assert_eq!(
            spatial_dropout_set_masks_ex(l, XORSHIFT, e),
            SPATIAL_DROPOUT_OK
        );
        let mut masks = -1;
        assert_eq!(
            spatial_dropout_get_masks_ex(l, &mut masks, e),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(masks, XORSHIFT);

        let x = input();
        let mut y = [7.0f32; LEN];
        let floats = [0.0f32; LEN + 1];
        let odd_in = floats.as_ptr().cast::<u8>().wrapping_add(1).cast::<f32>();
        let status =
            spatial_dropout_call_ex(l, odd_in, LEN, y.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1, e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
        assert_eq!((*e).argument, Arg::Input.number());
        assert_eq!(described(e), "`input` is not aligned to 4 bytes");
        let status = spatial_dropout_call_ex(
            l,
            x.as_ptr(),
            LEN - 1,
            y.as_mut_ptr(),
            LEN,
            DIMS.as_ptr(),
            4,
            1,
            e,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
        assert_eq!(
            described(e),
            "`input` holds 47 elements but the shape needs 48"
        );
        // Cut short: the first bytes and a NUL; the whole length returned; nothing past `capacity`.
        let mut small = [0x55 as c_char; 9];
        let n = spatial_dropout_describe(e, small.as_mut_ptr(), 8);
        assert_eq!(n, "`input` holds 47 elements but the shape needs 48".len());
        assert_eq!(
            &small[..8].iter().map(|&c| c as u8).collect::<Vec<_>>(),
            b"`input`\0"
        );
        assert_eq!(small[8], 0x55);
        assert_eq!(spatial_dropout_describe(e, ptr::null_mut(), 0), n);
        assert_eq!(described(ptr::null()), "`err` is NULL");
        assert!(y.iter().all(|&v| v == 7.0), "a failed call wrote");

        let mut data = input();
        assert_eq!(
            spatial_dropout_call_in_place_ex(l, data.as_mut_ptr(), LEN, DIMS.as_ptr(), 4, 1, e),
            SPATIAL_DROPOUT_OK
        );
        assert_eq!(data, expected(3));
        let mut grads = [0.0f32; LEN];
        let status = spatial_dropout_backward_ex(
            l,
            x.as_ptr(),
            LEN,
            grads.as_mut_ptr(),
            LEN,
            DIMS.as_ptr(),
            3,
            e,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_RANK_MISMATCH);
        assert_eq!(((*e).expected, (*e).found), (4, 3));

        let (mut rank, mut rate, mut format, mut has_seed, mut seed) = (0u32, 0.0, -1, -1, 0u64);
        let status = spatial_dropout_get_info_ex(
            l,
            &mut rank,
            &mut rate,
            &mut format,
            &mut has_seed,
            ptr::null_mut(),
            e,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_NULL_POINTER);
        assert_eq!(described(e), "`seed` is NULL");
        let status = spatial_dropout_get_info_ex(
            l,
            &mut rank,
            &mut rate,
            &mut format,
            &mut has_seed,
            &mut seed,
            e,
        );
        assert_eq!((status, rank, seed), (SPATIAL_DROPOUT_OK, 2, 3));

        let mut name = [0 as c_char; 4];
        let mut len = 0usize;
        assert_eq!(
            spatial_dropout_get_name_ex(l, name.as_mut_ptr(), name.len(), &mut len, e),
            SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL
        );
        assert_eq!(((*e).expected, (*e).found), (len + 1, 4));

        let mut keep = [0u32; 1];
        let status = spatial_dropout_keras_mask_ex(keep.as_mut_ptr(), 1, 40, 0.5, 1, 0, 0, e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT);
        assert_eq!(
            described(e),
            "the keep mask holds 1 words but 2 are needed (one bit per map)"
        );
        let name = CStr::from_ptr(spatial_dropout_argument_name(Arg::GradInputs.number()));
        assert_eq!(name, c"grad_inputs");
    }
}

/// The JSON `_ex` twins: the reason and byte offset, the key, the class.
#[cfg(feature = "json")]
#[test]
fn json_detail_through_pointers() {
    use crate::json::{
        spatial_dropout_from_config_ex, spatial_dropout_from_model_json_ex,
        spatial_dropout_get_config_ex, spatial_dropout_get_serialized_ex,
    };

    let mut s = storage();
    let l = layer_ptr(&mut s);
    let mut err = no_error();
    let e: *mut spatial_dropout_error = &mut err;
    // SAFETY: as above.
    unsafe {
        let bad = br#"{"rate":0.5,}"#;
        let status = spatial_dropout_from_config_ex(l, 2, bad.as_ptr().cast(), bad.len(), e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_JSON);
        assert_eq!((*e).offset, 12);
        assert_eq!(
            described(e),
            "malformed JSON at byte 12: expected a string key"
        );
        let bad = br#"{"rate":0.5,"seed":"7"}"#;
        let status = spatial_dropout_from_config_ex(l, 2, bad.as_ptr().cast(), bad.len(), e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
        assert!(described(e).starts_with("`seed` must be "));
        let model = br#"{"class_name":"SpatialDropout1D","config":{"rate":0.5,"name":"a"}}"#;
        let status = spatial_dropout_from_model_json_ex(
            l,
            model.as_ptr().cast(),
            model.len(),
            c"b".as_ptr(),
            e,
        );
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND);
        let status = spatial_dropout_from_model_json_ex(
            l,
            model.as_ptr().cast(),
            model.len(),
            c"a".as_ptr(),
            e,
        );
        assert_eq!(status, SPATIAL_DROPOUT_OK);
        let mut buf = [0 as c_char; 8];
        let mut len = 0usize;
        let status = spatial_dropout_get_config_ex(l, buf.as_mut_ptr(), buf.len(), &mut len, e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
        assert_eq!((*e).expected, len + 1);
        let status = spatial_dropout_get_serialized_ex(l, buf.as_mut_ptr(), buf.len(), &mut len, e);
        assert_eq!(status, SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
        assert!(described(e).starts_with("`buf` holds 8 bytes"));
    }
}
