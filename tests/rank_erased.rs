//! `SpatialDropoutNd`, the layer whose rank is a value: the same bits, calls, configs and
//! errors as `SpatialDropout<S>` at every rank and format, its own rank rules, and the
//! conversions between the two.

use spatial_dropout::{
    DataFormat, Error, Masks, SpatialDropout, SpatialDropout1D, SpatialDropout3D, SpatialDropoutNd,
};

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn same_as_typed<const S: usize>(format: DataFormat, masks: Masks) {
    let dims: Vec<usize> = match format {
        DataFormat::ChannelsLast => [3].into_iter().chain(vec![2; S]).chain([5]).collect(),
        DataFormat::ChannelsFirst => [3, 5].into_iter().chain(vec![2; S]).collect(),
    };
    let n: usize = dims.iter().product();
    let x: Vec<f32> = (0..n).map(|i| i as f32 - 7.5).collect();
    let mut typed = SpatialDropout::<S>::new(0.4)
        .unwrap()
        .with_seed(9)
        .with_masks(masks);
    let mut nd = SpatialDropoutNd::new(S, 0.4)
        .unwrap()
        .with_seed(9)
        .with_masks(masks);
    if format == DataFormat::ChannelsFirst {
        nd = nd.with_data_format(format).unwrap();
        typed = SpatialDropout::<S>::from_nd(typed.into_nd().with_data_format(format).unwrap())
            .unwrap();
    }
    for training in [true, false, true, true] {
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        typed.call(&x, &dims, &mut a, training).unwrap();
        nd.call(&x, &dims, &mut b, training).unwrap();
        assert_eq!(bits(&a), bits(&b), "rank {S} {format} {masks}");
        let (mut ga, mut gb) = (vec![0.0; n], vec![0.0; n]);
        typed.backward(&x, &dims, &mut ga).unwrap();
        nd.backward(&x, &dims, &mut gb).unwrap();
        assert_eq!(bits(&ga), bits(&gb));
        let (mut c, mut d) = (x.clone(), x.clone());
        typed.call_in_place(&mut c, &dims, training).unwrap();
        nd.call_in_place(&mut d, &dims, training).unwrap();
        assert_eq!(bits(&c), bits(&d));
        assert_eq!(typed.calls(), nd.calls());
    }
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let (na, nb) = (
        typed.write_config(&mut a).unwrap(),
        nd.write_config(&mut b).unwrap(),
    );
    assert_eq!(a[..na], b[..nb]);
    let back = SpatialDropoutNd::from_config(S, &b[..nb]).unwrap();
    assert_eq!((back.rank(), back.data_format()), (S, format));
    assert_eq!(nd.class_name(), SpatialDropout::<S>::CLASS_NAME);
    assert_eq!(nd.name(), SpatialDropout::<S>::DEFAULT_NAME);
    // A wrong number of dims is the typed layer's error, and changes nothing.
    let short = &dims[..dims.len() - 1];
    assert_eq!(
        nd.call(&x, short, &mut vec![0.0; n], true),
        typed.call(&x, short, &mut vec![0.0; n], true)
    );
}

#[test]
fn every_rank_and_format_matches_the_typed_layer() {
    for masks in [Masks::Keras, Masks::XorShift] {
        same_as_typed::<1>(DataFormat::ChannelsLast, masks);
        for format in [DataFormat::ChannelsLast, DataFormat::ChannelsFirst] {
            same_as_typed::<2>(format, masks);
            same_as_typed::<3>(format, masks);
        }
    }
}

#[test]
fn its_own_rules() {
    for rank in [0, 4, usize::MAX] {
        assert!(matches!(
            SpatialDropoutNd::new(rank, 0.5),
            Err(Error::InvalidValue { key: "rank", .. })
        ));
    }
    // 1D is channels_last, written once for every binding.
    let one = SpatialDropoutNd::new(1, 0.5).unwrap();
    assert!(matches!(
        one.clone().with_data_format(DataFormat::ChannelsFirst),
        Err(Error::InvalidValue {
            key: "data_format",
            ..
        })
    ));
    assert!(one.with_data_format(DataFormat::ChannelsLast).is_ok());
    // A config of another class, and a layer of another rank.
    let mut buf = [0u8; 256];
    let n = SpatialDropout3D::new(0.5)
        .unwrap()
        .write_serialized(&mut buf)
        .unwrap();
    assert!(matches!(
        SpatialDropoutNd::from_config(2, &buf[..n]),
        Err(Error::WrongClass { .. })
    ));
    assert_eq!(
        SpatialDropoutNd::from_config(3, &buf[..n]).unwrap().rank(),
        3
    );
    let three = SpatialDropoutNd::new(3, 0.5).unwrap();
    assert!(matches!(
        SpatialDropout1D::from_nd(three),
        Err(Error::WrongClass {
            expected: "SpatialDropout1D",
            found: Some("SpatialDropout3D")
        })
    ));
}
