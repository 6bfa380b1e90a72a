/* The shared known-answer vectors as C data, and a runner that checks the C API against them.
   Portable C99 without libc calls (only string.h's memcpy/memcmp), so the same file runs in
   the host test and in the Cortex-M firmware. */
#ifndef KNOWN_ANSWERS_H
#define KNOWN_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

/* One training call of a case: the keep mask (bit m % 32 of word m / 32 = map m kept) and the
   bit pattern of every output float. */
typedef struct ka_call {
    const uint32_t *mask;
    const uint32_t *output_bits;
} ka_call;

/* One case: a fresh layer SpatialDropout{rank}D(rate, data_format, seed) with the XorShift
   mask scheme (SPATIAL_DROPOUT_MASKS_XORSHIFT: these are the crate 0.1's vectors, not Keras's
   masks) called in training on the same input once per entry of `calls`. */
typedef struct ka_case {
    const char *name;
    uint64_t seed;
    uint64_t rate_bits; /* the f64 rate, bit for bit */
    uint32_t rank;
    int32_t data_format; /* SPATIAL_DROPOUT_CHANNELS_LAST or _FIRST */
    size_t ndim;
    size_t dims[5];
    size_t len;
    size_t maps;
    size_t mask_words;
    size_t ncalls;
    const ka_call *calls;
} ka_case;

/* Writes a NUL-terminated line fragment somewhere a human reads it. */
typedef void (*ka_print_fn)(const char *text);

/* Runs every case through every path of the C API (out of place, in place, backward, inference,
   reseed, get_config / from_config / get_serialized round trips), with the XorShift scheme. Prints one line per failed
   check and a summary; returns the number of failed checks (0: all passed). */
unsigned ka_run_all(ka_print_fn print);

#endif
