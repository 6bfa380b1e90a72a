/* Checks the C API against the shared known-answer vectors; see known_answers.h. */
#include "known_answers.h"

#include <string.h>

#include "known_answers_data.h"
#include "spatial_dropout.h"

static float input[KA_MAX_LEN];
static float output[KA_MAX_LEN];
static float scratch[KA_MAX_LEN];
static float ones[KA_MAX_LEN];

static ka_print_fn out;
static unsigned failures;
static unsigned checks;

static uint32_t bits_of(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float float_of(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static double double_of(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The brief's input: x[i] = (((i * 7919) % 2003) - 1001) / 64, with +inf, -0.0 and -inf at
   fixed positions (checked in this order). */
static float input_value(uint32_t i) {
    if (i % 89u == 5u) return float_of(0x7f800000u);
    if (i % 83u == 7u) return float_of(0x80000000u);
    if (i % 79u == 3u) return float_of(0xff800000u);
    return ((float)((i * 7919u) % 2003u) - 1001.0f) / 64.0f;
}

static void print_u32(uint32_t v) {
    char text[11];
    int i = 10;
    text[i] = '\0';
    do {
        text[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && i > 0);
    out(text + i);
}

static void print_hex(uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    char text[11] = "0x";
    int i;
    for (i = 0; i < 8; i++) text[2 + i] = digits[(v >> (28 - 4 * i)) & 0xfu];
    text[10] = '\0';
    out(text);
}

/* Records one check; prints the case, call and what failed. */
static int check(int ok, const ka_case *c, size_t call, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        out("FAIL ");
        out(c->name);
        out(" call ");
        print_u32((uint32_t)call);
        out(": ");
        out(what);
        out("\n");
    }
    return ok;
}

static int check_status(int32_t status, const ka_case *c, size_t call, const char *what) {
    if (status != SPATIAL_DROPOUT_OK) {
        check(0, c, call, what);
        out("  status ");
        print_u32((uint32_t)status);
        out(": ");
        out(spatial_dropout_error_message(status));
        out("\n");
        return 0;
    }
    return check(1, c, call, what);
}

/* Compares `len` floats with expected bit patterns; prints the first difference. */
static int same_bits(const float *got, const uint32_t *want, size_t len, const ka_case *c,
                     size_t call, const char *what) {
    size_t i;
    for (i = 0; i < len; i++) {
        if (bits_of(got[i]) != want[i]) {
            check(0, c, call, what);
            out("  element ");
            print_u32((uint32_t)i);
            out(": got ");
            print_hex(bits_of(got[i]));
            out(", want ");
            print_hex(want[i]);
            out("\n");
            return 0;
        }
    }
    return check(1, c, call, what);
}

static int same_as_input(const float *got, const ka_case *c, size_t call, const char *what) {
    size_t i;
    for (i = 0; i < c->len; i++) {
        if (bits_of(got[i]) != bits_of(input[i])) return check(0, c, call, what);
    }
    return check(1, c, call, what);
}

/* The map of element i, for either layout. */
static size_t map_of(const ka_case *c, size_t i, size_t map_len) {
    size_t channels = c->data_format == SPATIAL_DROPOUT_CHANNELS_FIRST ? c->dims[1]
                                                                       : c->dims[c->ndim - 1];
    if (c->data_format == SPATIAL_DROPOUT_CHANNELS_FIRST) return i / map_len;
    return (i / (map_len * channels)) * channels + i % channels;
}

/* backward() of a gradient of ones gives `scale` on kept maps and +0.0 on dropped ones: the
   mask of the last forward call, read back through the API, must be the vector's mask. */
static void check_mask(spatial_dropout_layer *layer, const ka_case *c, size_t call) {
    const uint32_t *mask = c->calls[call].mask;
    double rate = double_of(c->rate_bits);
    /* Rounded to double first, then to float, as the contract says; the assignment makes x87
       (i686) round away its excess precision. */
    double scale_f64 = 1.0 / (1.0 - rate);
    uint32_t scale = bits_of((float)scale_f64);
    size_t map_len, i;
    int ok = 1;
    if (!check_status(spatial_dropout_backward(layer, ones, c->len, scratch, c->len, c->dims,
                                               c->ndim),
                      c, call, "backward(ones)"))
        return;
    if (c->maps == 0 || c->len == 0) return; /* no element shows a map */
    map_len = c->len / c->maps;
    for (i = 0; i < c->len; i++) {
        size_t m = map_of(c, i, map_len);
        int kept = (int)((mask[m / 32u] >> (m % 32u)) & 1u);
        uint32_t got = bits_of(scratch[i]);
        if (got != (kept ? scale : 0u)) ok = 0;
    }
    check(ok, c, call, "backward(ones) shows the vector's mask and scale");
}

static void run_case(const ka_case *c) {
    static spatial_dropout_layer a, b, d, e;
    double rate = double_of(c->rate_bits);
    char text[SPATIAL_DROPOUT_MAX_SERIALIZED_LEN + 1];
    char again[SPATIAL_DROPOUT_MAX_CONFIG_LEN + 1];
    size_t len = 0, len2 = 0, j;
    uint32_t rank = 0;
    double rate_back = 0.0;
    int32_t format = -1;
    int has_seed = 0;
    uint64_t seed = 0;
    int32_t masks = -1;

    for (j = 0; j < c->len; j++) {
        input[j] = input_value((uint32_t)j);
        ones[j] = 1.0f;
    }
    if (!check_status(spatial_dropout_create(&a, c->rank, rate, c->data_format, 1, c->seed, NULL),
                      c, 0, "create"))
        return;
    check_status(spatial_dropout_get_masks(&a, &masks), c, 0, "get_masks");
    check(masks == SPATIAL_DROPOUT_MASKS_KERAS, c, 0, "a created layer draws Keras's masks");
    /* these vectors are the crate 0.1's XorShift masks, not Keras's: select that scheme */
    if (!check_status(spatial_dropout_set_masks(&a, SPATIAL_DROPOUT_MASKS_XORSHIFT), c, 0,
                      "set_masks(XORSHIFT)"))
        return;
    b = a; /* a layer holds no pointers: a copy is an independent layer in the same state */

    for (j = 0; j < c->ncalls; j++) {
        const uint32_t *want = c->calls[j].output_bits;
        if (check_status(spatial_dropout_call(&a, input, c->len, output, c->len, c->dims,
                                              c->ndim, 1),
                         c, j, "call"))
            same_bits(output, want, c->len, c, j, "call output");
        /* backward replays the mask: on the input as gradient it gives the forward output */
        if (check_status(spatial_dropout_backward(&a, input, c->len, scratch, c->len, c->dims,
                                                  c->ndim),
                         c, j, "backward"))
            same_bits(scratch, want, c->len, c, j, "backward(input) == forward output");
        check_mask(&a, c, j);

        memcpy(scratch, input, c->len * sizeof(float));
        if (check_status(spatial_dropout_call_in_place(&b, scratch, c->len, c->dims, c->ndim, 1),
                         c, j, "call_in_place"))
            same_bits(scratch, want, c->len, c, j, "call_in_place output");
    }

    /* inference copies bit for bit and draws nothing; training then starts at call 0 */
    if (check_status(spatial_dropout_reseed(&a, c->seed), c, 0, "reseed")) {
        check_status(spatial_dropout_call(&a, input, c->len, output, c->len, c->dims, c->ndim, 0),
                     c, 0, "inference call");
        same_as_input(output, c, 0, "inference is the identity");
        memcpy(scratch, input, c->len * sizeof(float));
        check_status(spatial_dropout_call_in_place(&a, scratch, c->len, c->dims, c->ndim, 0), c,
                     0, "inference call_in_place");
        same_as_input(scratch, c, 0, "inference in place leaves the data");
        check_status(spatial_dropout_backward(&a, input, c->len, scratch, c->len, c->dims,
                                              c->ndim),
                     c, 0, "backward after inference");
        same_as_input(scratch, c, 0, "backward after inference is a copy");
        /* the output buffer may be the input buffer: then the call runs in place */
        memcpy(scratch, input, c->len * sizeof(float));
        if (check_status(spatial_dropout_call(&a, scratch, c->len, scratch, c->len, c->dims,
                                              c->ndim, 1),
                         c, 0, "call with output == input after reseed"))
            same_bits(scratch, c->calls[0].output_bits, c->len, c, 0,
                      "reseed restarts the masks");
    }

    check_status(spatial_dropout_get_info(&a, &rank, &rate_back, &format, &has_seed, &seed), c,
                 0, "get_info");
    check(rank == c->rank && rate_back == rate && format == c->data_format && has_seed == 1 &&
              seed == c->seed,
          c, 0, "get_info gives the settings back");

    /* get_config -> from_config: the same settings, so the same masks from call 0 on */
    if (check_status(spatial_dropout_get_config(&a, text, sizeof text, &len), c, 0,
                     "get_config")) {
        check(len > 0 && text[len] == '\0', c, 0, "get_config is NUL-terminated");
        if (check_status(spatial_dropout_from_config(&d, c->rank, text, len), c, 0,
                         "from_config(get_config)") &&
            check_status(spatial_dropout_set_masks(&d, SPATIAL_DROPOUT_MASKS_XORSHIFT), c, 0,
                         "set_masks(XORSHIFT) of the layer from config")) {
            check_status(spatial_dropout_get_config(&d, again, sizeof again, &len2), c, 0,
                         "get_config of the copy");
            check(len2 == len && memcmp(text, again, len) == 0, c, 0,
                  "config round trip is byte-exact");
            if (check_status(spatial_dropout_call(&d, input, c->len, output, c->len, c->dims,
                                                  c->ndim, 1),
                             c, 0, "call of the layer from config"))
                same_bits(output, c->calls[0].output_bits, c->len, c, 0,
                          "layer from config replays call 0");
        }
    }
    /* serialized form: rank 0 takes the rank from its class_name */
    if (check_status(spatial_dropout_get_serialized(&a, text, sizeof text, &len), c, 0,
                     "get_serialized")) {
        if (check_status(spatial_dropout_from_config(&e, 0, text, len), c, 0,
                         "from_config(get_serialized, rank 0)")) {
            check_status(spatial_dropout_get_info(&e, &rank, &rate_back, &format, &has_seed,
                                                  &seed),
                         c, 0, "get_info of the deserialized layer");
            check(rank == c->rank && rate_back == rate && format == c->data_format &&
                      seed == c->seed,
                  c, 0, "deserialized layer has the settings");
        }
    }
}

unsigned ka_run_all(ka_print_fn print) {
    size_t k;
    out = print;
    failures = 0;
    checks = 0;
    for (k = 0; k < KA_NCASES; k++) run_case(&ka_cases[k]);
    print_u32(KA_NCASES);
    out(" known-answer cases, ");
    print_u32(checks);
    out(" checks, ");
    print_u32(failures);
    out(" failed\n");
    return failures;
}
