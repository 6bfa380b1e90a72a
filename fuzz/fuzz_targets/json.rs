//! The JSON reader on arbitrary bytes: it never panics, and whatever it accepts it writes back
//! as a config that it reads again to the same layer (a fixed point after one round).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spatial_dropout::{MAX_SERIALIZED_LEN, ModelLayers, SpatialDropout};

fuzz_target!(|data: &[u8]| {
    round_trip::<1>(data);
    round_trip::<2>(data);
    round_trip::<3>(data);
    if let Ok(layers) = ModelLayers::new(data) {
        for layer in layers.take(64) {
            assert!(layer.rank() >= 1 && layer.rank() <= 3);
            assert!(data.get(layer.range()).is_some());
            let _ = layer.name();
            match layer.rank() {
                1 => drop(layer.build::<1>()),
                2 => drop(layer.build::<2>()),
                _ => drop(layer.build::<3>()),
            }
            if let Ok(name) = layer.name() {
                let _ = SpatialDropout::<2>::from_model_json(data, &name);
            }
        }
    }
});

fn round_trip<const S: usize>(data: &[u8]) {
    let Ok(layer) = SpatialDropout::<S>::from_config(data) else {
        return;
    };
    let mut buf = [0u8; MAX_SERIALIZED_LEN];
    let n = layer
        .write_config(&mut buf)
        .expect("MAX_SERIALIZED_LEN holds any config");
    let again = SpatialDropout::<S>::from_config(&buf[..n]).expect("a written config reads back");
    assert_eq!(again.rate(), layer.rate());
    assert_eq!(again.seed(), layer.seed());
    assert_eq!(again.name(), layer.name());
    assert_eq!(again.data_format(), layer.data_format());
    let mut buf2 = [0u8; MAX_SERIALIZED_LEN];
    let m = again.write_config(&mut buf2).unwrap();
    assert_eq!(&buf[..n], &buf2[..m], "write(read(write(x))) != write(x)");
    // A buffer one byte short is an error, never a truncated document.
    if n > 0 {
        assert!(layer.write_config(&mut buf2[..n - 1]).is_err());
    }
    let s = layer.write_serialized(&mut buf).expect("serialized fits");
    let from_serialized =
        SpatialDropout::<S>::from_config(&buf[..s]).expect("serialized reads back");
    assert_eq!(from_serialized.rate(), layer.rate());
}
