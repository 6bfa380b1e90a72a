/* Checks the C API against the masks TensorFlow's Keras drew; see keras_masks.h. */
#include "keras_masks.h"

#include <string.h>

#include "keras_masks_data.h"
#include "spatial_dropout.h"

static float ones[KM_MAX_LEN];
static float output[KM_MAX_LEN];
static float in_place[KM_MAX_LEN];
static float grad[KM_MAX_LEN];
/* One word past the longest mask: keras_mask must leave it alone. */
static uint32_t derived[KM_MAX_WORDS];
static uint32_t stateless[KM_MAX_WORDS + 1];

#define SENTINEL 0xa5a5a5a5u

static km_print_fn out;
static unsigned failures, checks;

static uint32_t bits_of(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double double_of(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void print_u64(uint64_t v) {
    char text[21];
    int i = 20;
    text[i] = '\0';
    do {
        text[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u && i > 0);
    out(text + i);
}

static int check(int ok, const km_case *c, const km_call *call, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        out("FAIL ");
        out(c->id);
        out(" (");
        out(c->variant);
        out(") call ");
        print_u64(call->k);
        out(": ");
        out(what);
        out("\n");
    }
    return ok;
}

static int check_status(int32_t status, const km_case *c, const km_call *call, const char *what) {
    if (status != SPATIAL_DROPOUT_OK) {
        check(0, c, call, what);
        out("  status ");
        print_u64((uint64_t)(uint32_t)status);
        out(": ");
        out(spatial_dropout_error_message(status));
        out("\n");
        return 0;
    }
    return check(1, c, call, what);
}

static int same_floats(const float *a, const float *b, size_t len) {
    size_t i;
    for (i = 0; i < len; i++)
        if (bits_of(a[i]) != bits_of(b[i])) return 0;
    return 1;
}

/* The keep words the output of a call on ones shows: a kept map holds `scale` in every
   element, a dropped one +0.0f. Returns 0 if some map is neither. */
static int derive_keep(const km_case *c, const km_call *call, uint32_t scale) {
    size_t channels = c->data_format == SPATIAL_DROPOUT_CHANNELS_FIRST ? call->dims[1]
                                                                       : call->dims[c->rank + 1];
    size_t map_len = call->len / call->maps, i, m;
    int ok = 1;
    for (i = 0; i < call->words; i++) derived[i] = 0;
    for (i = 0; i < call->len; i++) {
        uint32_t got = bits_of(output[i]);
        m = c->data_format == SPATIAL_DROPOUT_CHANNELS_FIRST
                ? i / map_len
                : (i / (map_len * channels)) * channels + i % channels;
        if (got == scale) {
            derived[m / 32u] |= 1u << (m % 32u);
        } else if (got != 0u) {
            ok = 0;
        }
    }
    /* every element of a map agrees with the map's bit */
    for (i = 0; i < call->len; i++) {
        m = c->data_format == SPATIAL_DROPOUT_CHANNELS_FIRST
                ? i / map_len
                : (i / (map_len * channels)) * channels + i % channels;
        if (((derived[m / 32u] >> (m % 32u)) & 1u) != (uint32_t)(bits_of(output[i]) == scale))
            ok = 0;
    }
    return ok;
}

static void run_case(const km_case *c, unsigned *pairs, unsigned *empty) {
    static spatial_dropout_layer layer, copy;
    double rate = double_of(c->rate_bits);
    /* Rounded to double first, then to float, as the contract says; the assignment makes x87
       (i686) round away its excess precision. */
    double scale_f64 = 1.0 / (1.0 - rate);
    uint32_t scale = bits_of((float)scale_f64);
    size_t ndim = c->rank + 2u, j, i;
    int32_t masks = -1;
    uint64_t calls = 0;

    if (!check_status(spatial_dropout_create(&layer, c->rank, rate, c->data_format, 1, c->seed,
                                             NULL),
                      c, &c->calls[0], "create"))
        return;
    check_status(spatial_dropout_set_masks(&layer, c->masks), c, &c->calls[0], "set_masks");
    check_status(spatial_dropout_get_masks(&layer, &masks), c, &c->calls[0], "get_masks");
    check(masks == c->masks, c, &c->calls[0], "get_masks gives the scheme back");

    for (j = 0; j < c->ncalls; j++) {
        const km_call *call = &c->calls[j];
        check_status(spatial_dropout_get_calls(&layer, &calls), c, call, "get_calls");
        if (calls != call->k)
            check_status(spatial_dropout_set_calls(&layer, call->k), c, call, "set_calls");
        copy = layer; /* the same state: its in-place call must draw the same mask */
        for (i = 0; i < call->len; i++) in_place[i] = 1.0f;

        if (!check_status(spatial_dropout_call(&layer, ones, call->len, output, call->len,
                                               call->dims, ndim, 1),
                          c, call, "call"))
            continue;
        check_status(spatial_dropout_get_calls(&layer, &calls), c, call, "get_calls after");
        check(calls == call->k + 1u, c, call, "a training call adds 1 to the call number");
        if (check_status(spatial_dropout_call_in_place(&copy, in_place, call->len, call->dims,
                                                       ndim, 1),
                         c, call, "call_in_place"))
            check(same_floats(in_place, output, call->len), c, call,
                  "call_in_place == call");

        if (call->len == 0) {
            /* no element shows a map: the fixture has no bits, the call still counted */
            check(call->words == 0u, c, call, "an empty tensor has no keep bits");
            check_status(spatial_dropout_backward(&layer, NULL, 0, NULL, 0, call->dims, ndim), c,
                         call, "backward of an empty tensor");
            (*empty)++;
            continue;
        }

        /* the layer's mask, read back from its output on ones */
        if (check(derive_keep(c, call, scale), c, call, "each map is all scale or all +0.0f"))
            check(memcmp(derived, call->keep, call->words * sizeof(uint32_t)) == 0, c, call,
                  "the layer drops the maps TensorFlow dropped");

        /* backward recomputes the same mask from (seed, k) */
        if (check_status(spatial_dropout_backward(&layer, ones, call->len, grad, call->len,
                                                  call->dims, ndim),
                         c, call, "backward"))
            check(same_floats(grad, output, call->len), c, call, "backward(ones) == output");

        /* the stateless mask, with a sentinel word after it */
        for (i = 0; i <= call->words; i++) stateless[i] = SENTINEL;
        if (check_status(spatial_dropout_keras_mask(stateless, call->words, call->maps, rate,
                                                    c->seed, call->k, c->masks),
                         c, call, "keras_mask")) {
            check(memcmp(stateless, call->keep, call->words * sizeof(uint32_t)) == 0, c, call,
                  "keras_mask is TensorFlow's mask");
            check(stateless[call->words] == SENTINEL, c, call,
                  "keras_mask writes ceil(maps / 32) words only");
        }
        (*pairs)++;
    }
}

unsigned km_run_all(km_print_fn print, unsigned *pairs, unsigned *empty) {
    size_t k;
    unsigned compared = 0, no_elements = 0;
    out = print;
    failures = 0;
    checks = 0;
    for (k = 0; k < KM_MAX_LEN; k++) ones[k] = 1.0f;
    for (k = 0; k < KM_NCASES; k++) run_case(&km_cases[k], &compared, &no_elements);
    check(compared + no_elements == KM_NPAIRS, &km_cases[0], &km_cases[0].calls[0],
          "every (case, call) pair was run");
    print_u64(KM_NCASES);
    out(" TensorFlow cases, ");
    print_u64(compared + no_elements);
    out(" (case, call) pairs: ");
    print_u64(compared);
    out(" masks compared (layer, in place, backward, keras_mask), ");
    print_u64(no_elements);
    out(" empty tensors counted as calls; ");
    print_u64(checks);
    out(" checks, ");
    print_u64(failures);
    out(" failed\n");
    if (pairs) *pairs = compared;
    if (empty) *empty = no_elements;
    return failures;
}
