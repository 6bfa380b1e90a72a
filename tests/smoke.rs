use spatial_dropout::*;
#[test]
fn smoke() {
    let mut l = SpatialDropout3D::new(0.5).unwrap().with_seed(7);
    let dims = [2, 2, 2, 2, 70];
    let n: usize = dims.iter().product();
    let x: Vec<f32> = (0..n).map(|i| i as f32 + 1.0).collect();
    let mut y = vec![9.0; n];
    l.call(&x, &dims, &mut y, true).unwrap();
    for b in 0..2 { for c in 0..70 {
        let vals: Vec<f32> = (0..8).map(|p| y[b*8*70 + p*70 + c]).collect();
        let xs: Vec<f32> = (0..8).map(|p| x[b*8*70 + p*70 + c]).collect();
        assert!(vals.iter().all(|v| v.to_bits()==0) || vals.iter().zip(&xs).all(|(v,x)| *v == x*2.0), "{b} {c} {vals:?}");
    }}
    // channels_first equivalent via mask
    let mut rng = XorShiftRng::seed_from_u64(7);
    let mut keep = [0u32; 5];
    draw_mask(&mut keep, 140, Rate::new(0.5).unwrap(), &mut rng).unwrap();
    let s = Shape3D::from_dims(&dims, DataFormat::ChannelsLast).unwrap();
    let mut y2 = vec![0.0; n];
    apply_mask(&x, &mut y2, &s, Rate::new(0.5).unwrap(), &keep).unwrap();
    assert_eq!(y, y2);
    println!("{keep:x?}");
    let mut g = vec![0.0; n];
    l.backward(&x, &dims, &mut g).unwrap();
    assert_eq!(g, y);
}
