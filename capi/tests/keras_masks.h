/* The masks TensorFlow's Keras drew (tests/fixtures/keras_masks.json) as C data, and a runner
   that checks the C API against them. Portable C99 without libc calls (only string.h's
   memcpy/memcmp), like known_answers.c, so it can run on an MCU too. */
#ifndef KERAS_MASKS_H
#define KERAS_MASKS_H

#include <stddef.h>
#include <stdint.h>

/* One drawing call of a Keras layer as TensorFlow ran it. */
typedef struct km_call {
    uint64_t k;      /* the layer's call number before the call (seed_generator.state[1]) */
    size_t dims[5];  /* input dims in memory order; ndim is the case's rank + 2 */
    size_t len;      /* elements */
    size_t maps;     /* batch * channels */
    size_t words;    /* keep words: ceil(maps / 32), or 0 for a tensor with no elements */
    const uint32_t *keep; /* bit m % 32 of word m / 32 set = map m kept */
} km_call;

/* One seeded Keras layer SpatialDropout{rank}D(rate, data_format, seed), called call after
   call (eager calls, or the steps of a model.fit). */
typedef struct km_case {
    const char *id;
    const char *variant; /* the fixture's variant: keras, keras-xla, keras-3.4, keras-3.4-xla */
    const char *mode;    /* eager or fit */
    int32_t masks;       /* its SPATIAL_DROPOUT_MASKS_* number */
    uint32_t rank;
    int32_t data_format;
    uint64_t seed;
    uint64_t rate_bits; /* the f64 rate, bit for bit */
    size_t ncalls;
    const km_call *calls;
} km_case;

typedef void (*km_print_fn)(const char *text);

/* Checks every (case, call) through the C API: a layer with the case's seed and scheme, set to
   call number k, called in training on ones (out of place and in place), the keep bits read
   back from its output; backward; the call number after the call; and the stateless
   spatial_dropout_keras_mask. Prints failures and a summary; returns the number of failed
   checks (0: all passed). `*pairs` (if not NULL) receives the number of (case, call) pairs
   whose mask was compared, `*empty` those with no elements (checked to count as a call). */
unsigned km_run_all(km_print_fn print, unsigned *pairs, unsigned *empty);

#endif
