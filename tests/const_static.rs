//! `Rate` and `Shape` built at compile time: in a `const`, in a `static`, and inline in a
//! function, equal to the run-time constructors. (A bad value fails the build: the
//! `compile_fail` doc tests of `rate!` and `shape!`.)

use spatial_dropout::{DataFormat, Rate, Shape1D, Shape2D, Shape3D, SpatialDropout1D, rate, shape};

const RATE: Rate = rate!(0.25);
static STATIC_RATE: Rate = rate!(1.0 - 0.75);
const STEPS: Shape1D = shape!(1, 8, [32]);
static VOLUME: Shape3D = shape!(2, 4, [3, 3, 3], DataFormat::ChannelsFirst);
const EDGES: [Rate; 3] = [rate!(0.0), rate!(1.0), rate!(-0.0)];

#[test]
fn const_and_static_values_equal_the_run_time_constructors() {
    assert_eq!(RATE, Rate::new(0.25).unwrap());
    assert_eq!(STATIC_RATE, RATE);
    assert_eq!(RATE.threshold(), 3 << 30);
    assert_eq!(
        STEPS,
        Shape1D::from_dims(&[1, 32, 8], DataFormat::ChannelsLast).unwrap()
    );
    assert_eq!(
        VOLUME,
        Shape3D::new(2, 4, [3, 3, 3], DataFormat::ChannelsFirst).unwrap()
    );
    assert_eq!(EDGES[0], Rate::ZERO);
    assert_eq!(EDGES[1].threshold(), 0);
    assert_eq!(
        EDGES[2].get().to_bits(),
        0.0f64.to_bits(),
        "-0.0 normalised"
    );
}

#[test]
fn inline_in_a_function_with_constant_arguments() {
    const CHANNELS: usize = 3;
    let image: Shape2D = shape!(1, CHANNELS, [4, 4]);
    assert_eq!((image.maps(), image.len()), (3, 48));
    let layer = SpatialDropout1D::with_rate(rate!(0.5));
    assert_eq!(layer.rate().scale(), 2.0);
    // A shape with a 0 dim is valid, as at run time.
    assert!(shape!(0, 1, [usize::MAX]).is_empty());
}
