/* Host test of the C API, built with gcc -std=c99 -pedantic -fsanitize=address,undefined:
   the shared known-answer vectors through every path, then every status code the API returns
   and that a failing call changes nothing. Exit status 0 when everything passed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keras_masks.h"
#include "known_answers.h"
#include "spatial_dropout.h"

static unsigned failed, passed;

#define EXPECT(cond)                                                                   \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                              \
    } while (0)

#define EXPECT_STATUS(call, want)                                                      \
    do {                                                                               \
        spatial_dropout_status got_ = (call);                                          \
        if (got_ == (want)) {                                                          \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "%s:%d: FAIL %s: got %d (%s), want %s\n", __FILE__, __LINE__, \
                    #call, (int)got_, spatial_dropout_error_message(got_), #want);     \
        }                                                                              \
    } while (0)

static void print(const char *text) { fputs(text, stdout); }

/* Storage one byte past an aligned address, to provoke BAD_ALIGNMENT. */
static union {
    unsigned char bytes[SPATIAL_DROPOUT_LAYER_SIZE + 8];
    double align;
} misaligned_storage;

static const size_t dims2[4] = {2, 3, 4, 5}; /* channels_last: 2 x 3 x 4 x 5 = 120 */
#define N2 120u

static void test_create(void) {
    spatial_dropout_layer layer, before;
    char long_name[SPATIAL_DROPOUT_MAX_NAME_LEN + 2];
    char name[SPATIAL_DROPOUT_MAX_NAME_LEN + 1];
    size_t len = 0;
    uint32_t rank = 0;
    double rate = 0;
    int32_t format = -1;
    int has_seed = -1;
    uint64_t seed = 1;

    EXPECT_STATUS(spatial_dropout_create(NULL, 2, 0.5, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_create((spatial_dropout_layer *)(void *)(misaligned_storage.bytes + 1),
                                         2, 0.5, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);

    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_FIRST, 1, 9,
                                         "drop"),
                  SPATIAL_DROPOUT_OK);
    before = layer;
    /* each failure leaves the storage as it was */
    EXPECT_STATUS(spatial_dropout_create(&layer, 0, 0.5, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_BAD_RANK);
    EXPECT_STATUS(spatial_dropout_create(&layer, 4, 0.5, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_BAD_RANK);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, NAN, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, -0.1, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 1.5, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, INFINITY, 0, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 7, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT);
    /* The core's rule: SpatialDropout1D is always channels_last. */
    EXPECT_STATUS(spatial_dropout_create(&layer, 1, 0.5, SPATIAL_DROPOUT_CHANNELS_FIRST, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0'; /* 65 bytes */
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 0, 1, 1, long_name),
                  SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG);
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 0, 1, 1, "bad \xff utf-8"),
                  SPATIAL_DROPOUT_ERROR_INVALID_UTF8);
    EXPECT(memcmp(&layer, &before, sizeof layer) == 0);

    /* 64 bytes is the longest name that fits; get_name returns it */
    long_name[SPATIAL_DROPOUT_MAX_NAME_LEN] = '\0';
    EXPECT_STATUS(spatial_dropout_create(&layer, 3, 0.0, 0, 0, 0, long_name), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_name(&layer, name, sizeof name, &len), SPATIAL_DROPOUT_OK);
    EXPECT(len == SPATIAL_DROPOUT_MAX_NAME_LEN && strcmp(name, long_name) == 0);
    memset(name, '#', sizeof name);
    EXPECT_STATUS(spatial_dropout_get_name(&layer, name, SPATIAL_DROPOUT_MAX_NAME_LEN, &len),
                  SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
    EXPECT(len == SPATIAL_DROPOUT_MAX_NAME_LEN && name[0] == '#');
    EXPECT_STATUS(spatial_dropout_get_name(&layer, name, sizeof name, NULL),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_name(&layer, NULL, 8, &len),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_info(&layer, &rank, &rate, &format, &has_seed, &seed),
                  SPATIAL_DROPOUT_OK);
    EXPECT(rank == 3 && rate == 0.0 && format == SPATIAL_DROPOUT_CHANNELS_LAST && has_seed == 0 &&
           seed == 0);
    EXPECT_STATUS(spatial_dropout_get_info(&layer, &rank, &rate, NULL, &has_seed, &seed),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);

    /* NULL name: Keras's default */
    EXPECT_STATUS(spatial_dropout_create(&layer, 1, 0.5, 0, 1, 1, NULL), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_name(&layer, name, sizeof name, &len), SPATIAL_DROPOUT_OK);
    EXPECT(strcmp(name, "spatial_dropout1d") == 0 && len == 17);
}

static void test_calls(void) {
    static float in[N2], out[N2], grad[N2];
    static const float untouched = 12345.0f;
    spatial_dropout_layer layer, zeroed, before;
    size_t i, big[4] = {SIZE_MAX, 2, 2, 2}, dims3[3] = {2, 3, 4}, dims6[6] = {1, 1, 1, 1, 1, 1};
    size_t other[4] = {2, 3, 5, 4};
    size_t empty_dims[4] = {0, 3, 4, 5};

    for (i = 0; i < N2; i++) {
        in[i] = (float)i - 60.0f;
        out[i] = untouched;
    }
    memset(&zeroed, 0, sizeof zeroed);
    EXPECT_STATUS(spatial_dropout_call(&zeroed, in, N2, out, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    EXPECT_STATUS(spatial_dropout_reseed(&zeroed, 1), SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    EXPECT_STATUS(spatial_dropout_reseed(NULL, 1), SPATIAL_DROPOUT_ERROR_NULL_POINTER);

    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 0, 1, 3, NULL), SPATIAL_DROPOUT_OK);
    /* backward needs a forward call first */
    EXPECT_STATUS(spatial_dropout_backward(&layer, in, N2, grad, N2, dims2, 4),
                  SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL);
    before = layer;
    EXPECT_STATUS(spatial_dropout_call(NULL, in, N2, out, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2, dims3, 3, 1),
                  SPATIAL_DROPOUT_ERROR_RANK_MISMATCH);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2, dims6, 6, 1),
                  SPATIAL_DROPOUT_ERROR_RANK_MISMATCH);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2, NULL, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_call(&layer, NULL, N2, out, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, NULL, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2 - 1, out, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2 + 1, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2, big, 4, 1),
                  SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW);
    EXPECT_STATUS(spatial_dropout_call(&layer, (const float *)(const void *)((const char *)in + 1),
                                       N2 - 1, out, N2 - 1, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, in + 1, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_OVERLAP);
    EXPECT_STATUS(spatial_dropout_call_in_place(&layer, out, N2 - 1, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    EXPECT_STATUS(spatial_dropout_call_in_place(&layer, NULL, N2, dims2, 4, 1),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    /* nothing was written, nothing was drawn */
    for (i = 0; i < N2; i++) EXPECT(out[i] == untouched);
    EXPECT(memcmp(&layer, &before, sizeof layer) == 0);

    /* empty tensors: NULL buffers are fine with length 0 */
    EXPECT_STATUS(spatial_dropout_call(&layer, NULL, 0, NULL, 0, empty_dims, 4, 1),
                  SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_call_in_place(&layer, NULL, 0, empty_dims, 4, 1),
                  SPATIAL_DROPOUT_OK);

    EXPECT_STATUS(spatial_dropout_call(&layer, in, N2, out, N2, dims2, 4, 1), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_backward(&layer, in, N2, grad, N2, other, 4),
                  SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH);
    EXPECT_STATUS(spatial_dropout_backward(&layer, in, N2, grad, N2 - 1, dims2, 4),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    EXPECT_STATUS(spatial_dropout_backward(&layer, grad, N2, grad, N2, dims2, 4),
                  SPATIAL_DROPOUT_ERROR_OVERLAP);
    EXPECT_STATUS(spatial_dropout_backward(NULL, in, N2, grad, N2, dims2, 4),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_backward(&layer, in, N2, grad, N2, dims2, 4), SPATIAL_DROPOUT_OK);
    for (i = 0; i < N2; i++) EXPECT(memcmp(&grad[i], &out[i], sizeof(float)) == 0);
}

static void test_config(void) {
    static const char keras3[] =
        "{\"rate\":0.25,\"seed\":7,\"name\":\"spatial_dropout3d\",\"dtype\":\"float32\","
        "\"data_format\":\"channels_last\"}";
    static const char unseeded[] =
        "{\"rate\":0.5,\"seed\":null,\"name\":\"spatial_dropout1d\",\"dtype\":\"float32\"}";
    static const char model[] =
        "{\"class_name\":\"Sequential\",\"config\":{\"name\":\"m\",\"layers\":["
        "{\"class_name\":\"Dense\",\"config\":{\"name\":\"dense\",\"units\":4}},"
        "{\"class_name\":\"SpatialDropout2D\",\"config\":{\"rate\":0.3,\"seed\":1,"
        "\"name\":\"drop\",\"dtype\":\"float32\",\"data_format\":\"channels_first\"}}]}}";
    spatial_dropout_layer layer, before;
    char buf[SPATIAL_DROPOUT_MAX_SERIALIZED_LEN + 1];
    size_t len = 0, need;
    uint32_t rank = 0;
    double rate = 0;
    int32_t format = -1;
    int has_seed = -1;
    uint64_t seed = 0;

    EXPECT_STATUS(spatial_dropout_create(&layer, 3, 0.25, 0, 1, 7, NULL), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_config(&layer, buf, sizeof buf, &len), SPATIAL_DROPOUT_OK);
    EXPECT(len == strlen(keras3) && strcmp(buf, keras3) == 0);
    need = len;
    /* too small, even by the NUL: the length needed comes back, the buffer stays */
    memset(buf, '#', sizeof buf);
    len = 0;
    EXPECT_STATUS(spatial_dropout_get_config(&layer, buf, need, &len),
                  SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
    EXPECT(len == need && buf[0] == '#');
    EXPECT_STATUS(spatial_dropout_get_config(&layer, NULL, 0, &len),
                  SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
    EXPECT(len == need);
    EXPECT_STATUS(spatial_dropout_get_config(&layer, buf, sizeof buf, NULL),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_config(&layer, buf, need + 1, &len), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_serialized(&layer, buf, sizeof buf, &len), SPATIAL_DROPOUT_OK);
    EXPECT(strncmp(buf, "{\"module\":\"keras.layers\",\"class_name\":\"SpatialDropout3D\",\"config\":{",
                   67) == 0);

    EXPECT_STATUS(spatial_dropout_from_config(&layer, 1, unseeded, strlen(unseeded)),
                  SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_info(&layer, &rank, &rate, &format, &has_seed, &seed),
                  SPATIAL_DROPOUT_OK);
    EXPECT(rank == 1 && rate == 0.5 && has_seed == 0);
    EXPECT_STATUS(spatial_dropout_get_config(&layer, buf, sizeof buf, &len), SPATIAL_DROPOUT_OK);
    EXPECT(strcmp(buf, unseeded) == 0);

    before = layer;
#define BAD_CONFIG(rank_, text, want) \
    EXPECT_STATUS(spatial_dropout_from_config(&layer, rank_, text, strlen(text)), want)
    BAD_CONFIG(2, "{\"rate\":0.5,", SPATIAL_DROPOUT_ERROR_JSON);
    BAD_CONFIG(2, "", SPATIAL_DROPOUT_ERROR_JSON);
    BAD_CONFIG(3, "{\"class_name\":\"SpatialDropout2D\",\"config\":{\"rate\":0.5}}",
               SPATIAL_DROPOUT_ERROR_WRONG_CLASS);
    BAD_CONFIG(0, "{\"class_name\":\"Dense\",\"config\":{\"units\":3}}",
               SPATIAL_DROPOUT_ERROR_WRONG_CLASS);
    BAD_CONFIG(2, "{\"rate\":0.5,\"dtype\":\"float16\"}", SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE);
    BAD_CONFIG(2, "{\"rate\":0.5,\"noise_shape\":[1,1,1,3]}", SPATIAL_DROPOUT_ERROR_NOISE_SHAPE);
    BAD_CONFIG(2, "{\"seed\":1}", SPATIAL_DROPOUT_ERROR_MISSING_KEY);
    BAD_CONFIG(0, "{\"rate\":0.5}", SPATIAL_DROPOUT_ERROR_MISSING_KEY);
    BAD_CONFIG(2, "{\"rate\":0.5,\"seed\":\"x\"}", SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
    BAD_CONFIG(1, "{\"rate\":0.5,\"data_format\":\"channels_first\"}",
               SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
    BAD_CONFIG(2, "{\"rate\":2}", SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    BAD_CONFIG(2, "{\"rate\":0.5,\"data_format\":\"nchw\"}", SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT);
    BAD_CONFIG(2, "{\"rate\":0.5,\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
               SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG);
    BAD_CONFIG(4, "{\"rate\":0.5}", SPATIAL_DROPOUT_ERROR_BAD_RANK);
#undef BAD_CONFIG
    EXPECT_STATUS(spatial_dropout_from_config(&layer, 2, NULL, 5), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_from_config(NULL, 2, "{}", 2), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_from_model_json(&layer, model, strlen(model), "nope"),
                  SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND);
    EXPECT_STATUS(spatial_dropout_from_model_json(&layer, model, strlen(model), NULL),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_from_model_json(&layer, model, 10, "drop"),
                  SPATIAL_DROPOUT_ERROR_JSON);
    EXPECT(memcmp(&layer, &before, sizeof layer) == 0);

    EXPECT_STATUS(spatial_dropout_from_model_json(&layer, model, strlen(model), "drop"),
                  SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_info(&layer, &rank, &rate, &format, &has_seed, &seed),
                  SPATIAL_DROPOUT_OK);
    EXPECT(rank == 2 && rate == (double)0.3 && format == SPATIAL_DROPOUT_CHANNELS_FIRST && has_seed == 1 &&
           seed == 1);
}

/* Fills `x` with ones and calls `layer` in training on it; returns the keep word of its (at most
   32) maps read from the output: bit m set when map m holds `scale`. */
static uint32_t keep_of_call(spatial_dropout_layer *layer, const size_t *dims, size_t ndim,
                             size_t maps, float scale) {
    static float x[256], y[256];
    size_t len = 1, i, map_len;
    uint32_t keep = 0;
    for (i = 0; i < ndim; i++) len *= dims[i];
    for (i = 0; i < len; i++) x[i] = 1.0f;
    EXPECT(len <= 256 && maps <= 32 && maps > 0);
    EXPECT_STATUS(spatial_dropout_call(layer, x, len, y, len, dims, ndim, 1), SPATIAL_DROPOUT_OK);
    map_len = len / maps;
    /* channels_last: element i is map (i / (map_len * channels)) * channels + i % channels */
    for (i = 0; i < len; i++) {
        size_t channels = dims[ndim - 1];
        size_t m = (i / (map_len * channels)) * channels + i % channels;
        if (y[i] == scale) keep |= 1u << m;
    }
    return keep;
}

static void test_masks_and_calls(void) {
    /* Keras: SpatialDropout3D(0.5, seed=42) on ones of [2, 2, 2, 2, 4] kept maps 2, 5 and 6 on
       its first call (tests/fixtures/keras_masks.json, case "quickstart") */
    static const size_t quick[5] = {2, 2, 2, 2, 4};
    static const size_t small[4] = {1, 2, 2, 20}; /* 20 maps */
    static float x[16];
    spatial_dropout_layer layer, zeroed, before;
    int32_t masks = -1;
    uint64_t calls = 99, misaligned_u64[2];
    uint32_t keep[3], want;
    size_t i;

    memset(&zeroed, 0, sizeof zeroed);
    EXPECT_STATUS(spatial_dropout_create(&layer, 3, 0.5, 0, 1, 42, NULL), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_masks(&layer, &masks), SPATIAL_DROPOUT_OK);
    EXPECT(masks == SPATIAL_DROPOUT_MASKS_KERAS);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 0);
    EXPECT(keep_of_call(&layer, quick, 5, 8, 2.0f) == 0x64u);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 1);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 1, 8, 0.5, 42, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    EXPECT(keep[0] == 0x64u);
    /* set_calls: the next call draws call k's mask; reseed restarts at call 0 */
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 1, 8, 0.5, 42, 1000, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    want = keep[0];
    EXPECT_STATUS(spatial_dropout_set_calls(&layer, 1000), SPATIAL_DROPOUT_OK);
    EXPECT(keep_of_call(&layer, quick, 5, 8, 2.0f) == want);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 1001);
    EXPECT_STATUS(spatial_dropout_reseed(&layer, 42), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 0);
    EXPECT(keep_of_call(&layer, quick, 5, 8, 2.0f) == 0x64u);
    /* the call number wraps like Keras's uint64 counter would */
    EXPECT_STATUS(spatial_dropout_set_calls(&layer, UINT64_MAX), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 1, 8, 0.5, 42, UINT64_MAX,
                                             SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    EXPECT(keep_of_call(&layer, quick, 5, 8, 2.0f) == keep[0]);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 0);
    /* inference, rate 0 and rate 1 are not drawing calls */
    {
        static float z[80];
        static const double rates[3] = {0.3, 0.0, 1.0};
        for (i = 0; i < 3; i++) {
            EXPECT_STATUS(spatial_dropout_create(&layer, 2, rates[i], 0, 1, 5, NULL),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_call_in_place(&layer, z, 80, small, 4, i == 0 ? 0 : 1),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_call(&layer, z, 80, x, 0, small, 4, 1),
                          SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH); /* errors count nothing */
            EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
            EXPECT(calls == 0);
        }
    }

    /* every Keras scheme through the layer equals keras_mask of that scheme; the XLA variants
       differ from the CPU one on some call of this 20-map tensor */
    {
        static const int32_t schemes[4] = {
            SPATIAL_DROPOUT_MASKS_KERAS, SPATIAL_DROPOUT_MASKS_KERAS_XLA,
            SPATIAL_DROPOUT_MASKS_KERAS_3_4, SPATIAL_DROPOUT_MASKS_KERAS_3_4_XLA};
        const uint64_t seed = 4294967296ull + 5u; /* above 2^32: the <= 3.4 variants differ */
        uint32_t got[4][4];
        size_t s, k;
        for (s = 0; s < 4; s++) {
            EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 0, 1, seed, NULL),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_set_masks(&layer, schemes[s]), SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_get_masks(&layer, &masks), SPATIAL_DROPOUT_OK);
            EXPECT(masks == schemes[s]);
            for (k = 0; k < 4; k++) {
                got[s][k] = keep_of_call(&layer, small, 4, 20, 2.0f);
                EXPECT_STATUS(spatial_dropout_keras_mask(keep, 1, 20, 0.5, seed, k, schemes[s]),
                              SPATIAL_DROPOUT_OK);
                EXPECT(keep[0] == got[s][k]);
            }
        }
        EXPECT(memcmp(got[0], got[1], sizeof got[0]) != 0);
        EXPECT(memcmp(got[0], got[2], sizeof got[0]) != 0);
        EXPECT(memcmp(got[2], got[3], sizeof got[0]) != 0);
    }

    /* XORSHIFT: the crate 0.1's masks, selected explicitly; switching keeps the call number */
    EXPECT_STATUS(spatial_dropout_create(&layer, 2, 0.5, 0, 1, 7, NULL), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_set_calls(&layer, 3), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_set_masks(&layer, SPATIAL_DROPOUT_MASKS_XORSHIFT),
                  SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_masks(&layer, &masks), SPATIAL_DROPOUT_OK);
    EXPECT(masks == SPATIAL_DROPOUT_MASKS_XORSHIFT);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 3);
    want = keep_of_call(&layer, small, 4, 20, 2.0f);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, &calls), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 4);
    EXPECT_STATUS(spatial_dropout_reseed(&layer, 7), SPATIAL_DROPOUT_OK);
    EXPECT(keep_of_call(&layer, small, 4, 20, 2.0f) == want);

    /* errors change nothing */
    before = layer;
    EXPECT_STATUS(spatial_dropout_set_masks(&layer, 5), SPATIAL_DROPOUT_ERROR_INVALID_MASKS);
    EXPECT_STATUS(spatial_dropout_set_masks(&layer, -1), SPATIAL_DROPOUT_ERROR_INVALID_MASKS);
    EXPECT_STATUS(spatial_dropout_set_masks(NULL, 0), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_set_calls(NULL, 0), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_masks(&layer, NULL), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, NULL), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_masks(NULL, &masks), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_calls(NULL, &calls), SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_get_calls(&layer, (uint64_t *)(void *)((char *)misaligned_u64 + 1)),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT_STATUS(spatial_dropout_get_masks(&layer, (int32_t *)(void *)((char *)misaligned_u64 + 1)),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(memcmp(&layer, &before, sizeof layer) == 0);
    EXPECT_STATUS(spatial_dropout_set_masks(&zeroed, 0), SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    EXPECT_STATUS(spatial_dropout_get_masks(&zeroed, &masks), SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    EXPECT_STATUS(spatial_dropout_set_calls(&zeroed, 1), SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    EXPECT_STATUS(spatial_dropout_get_calls(&zeroed, &calls), SPATIAL_DROPOUT_ERROR_NOT_CREATED);

    /* keras_mask: rates 0 and 1, lengths, errors that write nothing */
    keep[0] = keep[1] = keep[2] = 0x12345678u;
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 3, 40, 0.0, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    EXPECT(keep[0] == 0xffffffffu && keep[1] == 0xffu && keep[2] == 0x12345678u);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 2, 40, 1.0, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    EXPECT(keep[0] == 0u && keep[1] == 0u && keep[2] == 0x12345678u);
    EXPECT_STATUS(spatial_dropout_keras_mask(NULL, 0, 0, 0.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_OK);
    keep[0] = keep[1] = keep[2] = 0x12345678u;
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 1, 33, 0.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT);
    EXPECT_STATUS(spatial_dropout_keras_mask(NULL, 0, 1, 0.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT);
    EXPECT_STATUS(spatial_dropout_keras_mask(NULL, 1, 1, 0.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 3, 40, 0.5, 1, 0,
                                             SPATIAL_DROPOUT_MASKS_XORSHIFT),
                  SPATIAL_DROPOUT_ERROR_NOT_KERAS);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 3, 40, 0.5, 1, 0, 5),
                  SPATIAL_DROPOUT_ERROR_INVALID_MASKS);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 3, 40, 1.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_keras_mask(keep, 3, 40, NAN, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT_STATUS(spatial_dropout_keras_mask((uint32_t *)(void *)((char *)keep + 1), 2, 40, 0.5, 1,
                                             0, SPATIAL_DROPOUT_MASKS_KERAS),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(keep[0] == 0x12345678u && keep[1] == 0x12345678u && keep[2] == 0x12345678u);
}

/* A training call on a tensor with no elements draws nothing and returns at once, however large
   its batch or channels, and still counts as a call (Keras's seed state advances there too). */
static void test_empty_tensors(void) {
    static const int32_t schemes[3] = {SPATIAL_DROPOUT_MASKS_KERAS,
                                       SPATIAL_DROPOUT_MASKS_KERAS_XLA,
                                       SPATIAL_DROPOUT_MASKS_XORSHIFT};
    const size_t huge = SIZE_MAX / 4;
    size_t last_dims[3][5], first_dims[5], overflow[5];
    spatial_dropout_layer last, first;
    uint64_t calls = 0, want;
    float dummy[1];
    clock_t start, stop;
    double seconds;
    size_t s, d;

    /* channels_last: {huge, 1, 0, 1, 1} (huge batch, no elements per map), a zero batch with
       huge channels, and both at once */
    {
        const size_t a[5] = {huge, 1, 0, 1, 1}, b[5] = {0, 1, 1, 1, huge}, c[5] = {huge, 0, 0, 0, 1};
        memcpy(last_dims[0], a, sizeof a);
        memcpy(last_dims[1], b, sizeof b);
        memcpy(last_dims[2], c, sizeof c);
    }
    {
        const size_t f[5] = {0, huge, 1, 1, 1}, o[5] = {huge, 1, 1, 0, huge};
        memcpy(first_dims, f, sizeof f);
        memcpy(overflow, o, sizeof o);
    }
    start = clock();
    for (s = 0; s < 3; s++) {
        EXPECT_STATUS(spatial_dropout_create(&last, 3, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 42,
                                             NULL),
                      SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_create(&first, 3, 0.5, SPATIAL_DROPOUT_CHANNELS_FIRST, 1, 42,
                                             NULL),
                      SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_set_masks(&last, schemes[s]), SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_set_masks(&first, schemes[s]), SPATIAL_DROPOUT_OK);
        want = 0;
        for (d = 0; d < 3; d++) {
            EXPECT_STATUS(spatial_dropout_call(&last, NULL, 0, NULL, 0, last_dims[d], 5, 1),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_get_calls(&last, &calls), SPATIAL_DROPOUT_OK);
            EXPECT(calls == ++want);
            EXPECT_STATUS(spatial_dropout_call_in_place(&last, dummy, 0, last_dims[d], 5, 1),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_get_calls(&last, &calls), SPATIAL_DROPOUT_OK);
            EXPECT(calls == ++want);
            EXPECT_STATUS(spatial_dropout_backward(&last, NULL, 0, NULL, 0, last_dims[d], 5),
                          SPATIAL_DROPOUT_OK);
            /* inference draws and counts nothing */
            EXPECT_STATUS(spatial_dropout_call(&last, NULL, 0, NULL, 0, last_dims[d], 5, 0),
                          SPATIAL_DROPOUT_OK);
            EXPECT_STATUS(spatial_dropout_get_calls(&last, &calls), SPATIAL_DROPOUT_OK);
            EXPECT(calls == want);
        }
        EXPECT_STATUS(spatial_dropout_call(&first, NULL, 0, NULL, 0, first_dims, 5, 1),
                      SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_backward(&first, NULL, 0, NULL, 0, first_dims, 5),
                      SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_get_calls(&first, &calls), SPATIAL_DROPOUT_OK);
        EXPECT(calls == 1);
        /* batch * channels overflowing size_t is an error, not a call */
        EXPECT_STATUS(spatial_dropout_call(&last, NULL, 0, NULL, 0, overflow, 5, 1),
                      SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW);
        EXPECT_STATUS(spatial_dropout_get_calls(&last, &calls), SPATIAL_DROPOUT_OK);
        EXPECT(calls == want);
    }
    stop = clock();
    seconds = (double)(stop - start) / CLOCKS_PER_SEC;
    printf("empty tensors: 21 training calls (dims {SIZE_MAX/4, 1, 0, 1, 1}, zero batch with "
           "SIZE_MAX/4 channels, both layouts, 3 schemes) took %.6f s of CPU\n",
           seconds);
    EXPECT(seconds < 1.0);

    /* after empty calls, a Keras layer draws the mask of the next call number */
    {
        static const size_t quick[5] = {2, 2, 2, 2, 4};
        uint32_t keep;
        EXPECT_STATUS(spatial_dropout_create(&last, 3, 0.5, 0, 1, 42, NULL), SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_call(&last, NULL, 0, NULL, 0, last_dims[0], 5, 1),
                      SPATIAL_DROPOUT_OK);
        EXPECT_STATUS(spatial_dropout_keras_mask(&keep, 1, 8, 0.5, 42, 1,
                                                 SPATIAL_DROPOUT_MASKS_KERAS),
                      SPATIAL_DROPOUT_OK);
        EXPECT(keep_of_call(&last, quick, 5, 8, 2.0f) == keep);
    }
}

static void test_messages(void) {
    static const spatial_dropout_status codes[] = {
        SPATIAL_DROPOUT_OK,
        SPATIAL_DROPOUT_ERROR_INVALID_RATE,
        SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT,
        SPATIAL_DROPOUT_ERROR_RANK_MISMATCH,
        SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW,
        SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH,
        SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT,
        SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG,
        SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL,
        SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH,
        SPATIAL_DROPOUT_ERROR_JSON,
        SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL,
        SPATIAL_DROPOUT_ERROR_WRONG_CLASS,
        SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE,
        SPATIAL_DROPOUT_ERROR_NOISE_SHAPE,
        SPATIAL_DROPOUT_ERROR_MISSING_KEY,
        SPATIAL_DROPOUT_ERROR_INVALID_VALUE,
        SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND,
        SPATIAL_DROPOUT_ERROR_INVALID_MASKS,
        SPATIAL_DROPOUT_ERROR_NOT_KERAS,
        SPATIAL_DROPOUT_ERROR_NULL_POINTER,
        SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT,
        SPATIAL_DROPOUT_ERROR_BAD_RANK,
        SPATIAL_DROPOUT_ERROR_INVALID_UTF8,
        SPATIAL_DROPOUT_ERROR_NOT_CREATED,
        SPATIAL_DROPOUT_ERROR_OVERLAP,
        SPATIAL_DROPOUT_ERROR_UNKNOWN,
    };
    const size_t n = sizeof codes / sizeof codes[0];
    const char *not_a_code = spatial_dropout_error_message(-1);
    size_t i, j;
    EXPECT(not_a_code != NULL && strstr(not_a_code, "not a") != NULL);
    EXPECT(spatial_dropout_error_message(INT32_MAX) == not_a_code);
    for (i = 0; i < n; i++) {
        const char *m = spatial_dropout_error_message(codes[i]);
        EXPECT(m != NULL && m[0] != '\0' && m != not_a_code);
        for (j = 0; j < i; j++) EXPECT(strcmp(m, spatial_dropout_error_message(codes[j])) != 0);
    }
}

/* The message spatial_dropout_describe writes for `*err`, into a static buffer. */
static const char *described(const spatial_dropout_error *err) {
    static char text[256];
    size_t n = spatial_dropout_describe(err, text, sizeof text);
    EXPECT(n < sizeof text && strlen(text) == n);
    return text;
}

/* Whether a spatial_dropout_text holds exactly `want`. */
static int text_is(spatial_dropout_text t, const char *want) {
    return t.ptr != NULL && t.len == strlen(want) && memcmp(t.ptr, want, t.len) == 0;
}

#define EXPECT_DESCRIBED(err, want)                                                    \
    do {                                                                               \
        const char *got_ = described(err);                                             \
        if (strcmp(got_, (want)) == 0) {                                               \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "%s:%d: FAIL described \"%s\", want \"%s\"\n", __FILE__,      \
                    __LINE__, got_, (want));                                           \
        }                                                                              \
    } while (0)

/* The _ex functions: every detail a failure carries, and spatial_dropout_describe. */
static void test_detail(void) {
    spatial_dropout_layer layer, before;
    spatial_dropout_error err;
    float in[N2], out[N2];
    static const size_t dims3[3] = {2, 3, 20};
    uint32_t keep[2];
    uint64_t calls = 0;
    char text[SPATIAL_DROPOUT_MAX_SERIALIZED_LEN + 1], small[8];
    size_t len = 0, n;
    unsigned char *odd = misaligned_storage.bytes + 1;
    static const char bad_json[] = "{\"rate\":0.5,}";
    static const char bad_value[] = "{\"rate\":\"x\"}";
    static const char no_rate[] = "{\"seed\":1}";
    static const char class3[] =
        "{\"class_name\":\"SpatialDropout3D\",\"config\":{\"rate\":0.5}}";
    static const char bad_model[] = "{\"class_name\":\"Sequential\",\"config\":{\"layers\":[}}";
    memset(in, 0, sizeof in);
    memset(&err, 0xA5, sizeof err);

    /* Success: code 0, nothing else. */
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 7,
                                            "detail", &err),
                  SPATIAL_DROPOUT_OK);
    EXPECT(err.code == 0 && err.argument == SPATIAL_DROPOUT_ARG_NONE && err.offset == 0 &&
           err.expected == 0 && err.found == 0 && err.key.len == 0 && err.key.ptr != NULL &&
           err.detail.len == 0);
    EXPECT_DESCRIBED(&err, "ok");
    /* NULL err: the same call without detail. */
    EXPECT_STATUS(spatial_dropout_reseed_ex(&layer, 7, NULL), SPATIAL_DROPOUT_OK);

    /* JSON: reason and byte offset. */
    EXPECT_STATUS(spatial_dropout_from_config_ex(&layer, 2, bad_json, sizeof bad_json - 1, &err),
                  SPATIAL_DROPOUT_ERROR_JSON);
    EXPECT(err.code == SPATIAL_DROPOUT_ERROR_JSON && err.argument == SPATIAL_DROPOUT_ARG_JSON);
    EXPECT(err.offset == 12 && text_is(err.detail, "expected a string key"));
    EXPECT_DESCRIBED(&err, "malformed JSON at byte 12: expected a string key");
    /* ... of a model JSON: the argument is model_json. */
    EXPECT_STATUS(spatial_dropout_from_model_json_ex(&layer, bad_model, sizeof bad_model - 1,
                                                     "x", &err),
                  SPATIAL_DROPOUT_ERROR_JSON);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_MODEL_JSON && err.offset == 47 &&
           text_is(err.detail, "expected a JSON value"));
    EXPECT_STATUS(spatial_dropout_from_model_json_ex(&layer, class3, sizeof class3 - 1, "none",
                                                     &err),
                  SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_NAME);
    EXPECT_DESCRIBED(&err, "the model JSON has no SpatialDropout layer of that name");

    /* INVALID_VALUE: the key and what it must be. */
    EXPECT_STATUS(spatial_dropout_from_config_ex(&layer, 2, bad_value, sizeof bad_value - 1,
                                                 &err),
                  SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
    EXPECT(text_is(err.key, "rate") && text_is(err.detail, "a number between 0 and 1"));
    EXPECT_DESCRIBED(&err, "`rate` must be a number between 0 and 1");
    /* MISSING_KEY and WRONG_CLASS. */
    EXPECT_STATUS(spatial_dropout_from_config_ex(&layer, 2, no_rate, sizeof no_rate - 1, &err),
                  SPATIAL_DROPOUT_ERROR_MISSING_KEY);
    EXPECT(text_is(err.key, "rate") && err.argument == SPATIAL_DROPOUT_ARG_JSON);
    EXPECT_DESCRIBED(&err, "the JSON has no `rate`");
    EXPECT_STATUS(spatial_dropout_from_config_ex(&layer, 2, class3, sizeof class3 - 1, &err),
                  SPATIAL_DROPOUT_ERROR_WRONG_CLASS);
    EXPECT(text_is(err.detail, "SpatialDropout2D") && text_is(err.key, "SpatialDropout3D"));
    EXPECT_DESCRIBED(&err, "the JSON describes a SpatialDropout3D layer, not a SpatialDropout2D");
    EXPECT_STATUS(spatial_dropout_from_config_ex(&layer, 9, class3, sizeof class3 - 1, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_RANK);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_RANK && err.found == 9);
    EXPECT_DESCRIBED(&err, "`rank` must be 1, 2 or 3, not 9");

    /* Create: rate, data_format, name. */
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 2, 2.0, 0, 1, 7, NULL, &err),
                  SPATIAL_DROPOUT_ERROR_INVALID_RATE);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_RATE && err.rate == 2.0);
    EXPECT_DESCRIBED(&err, "Invalid value received for argument `rate`. Expected a float value "
                           "between 0 and 1. Received: rate=2.0");
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 1, 0.5, SPATIAL_DROPOUT_CHANNELS_FIRST, 1, 7,
                                            NULL, &err),
                  SPATIAL_DROPOUT_ERROR_INVALID_VALUE);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_DATA_FORMAT);
    EXPECT_DESCRIBED(&err, "`data_format` must be channels_last or absent (SpatialDropout1D is "
                           "always channels_last)");
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 2, 0.5, 0, 1, 7, "ab\xff", &err),
                  SPATIAL_DROPOUT_ERROR_INVALID_UTF8);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_NAME && err.offset == 2);
    EXPECT_DESCRIBED(&err, "`name` is not valid UTF-8 from byte 2");
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 2, 0.5, 0, 1, 7,
                                            "0123456789012345678901234567890123456789"
                                            "0123456789012345678901234567890123456789",
                                            &err),
                  SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG);
    EXPECT(err.expected == SPATIAL_DROPOUT_MAX_NAME_LEN);
    EXPECT_DESCRIBED(&err, "the layer name is longer than 64 bytes");

    /* BAD_ALIGNMENT names the argument: layer storage, each buffer, each out-pointer. */
    EXPECT_STATUS(spatial_dropout_create_ex((spatial_dropout_layer *)odd, 2, 0.5, 0, 1, 7, NULL,
                                            &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_LAYER && err.expected == SPATIAL_DROPOUT_LAYER_ALIGN);
    EXPECT_DESCRIBED(&err, "`layer` is not aligned to 8 bytes (SPATIAL_DROPOUT_LAYER_ALIGN)");
    EXPECT_STATUS(spatial_dropout_create_ex(&layer, 2, 0.5, 0, 1, 7, NULL, &err),
                  SPATIAL_DROPOUT_OK);
    memcpy(&before, &layer, sizeof layer);
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, (const float *)odd, N2, out, N2, dims2, 4, 1,
                                          &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_INPUT && err.expected == sizeof(float));
    EXPECT_DESCRIBED(&err, "`input` is not aligned to 4 bytes");
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2, (float *)odd, N2, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_OUTPUT);
    EXPECT_STATUS(spatial_dropout_call_in_place_ex(&layer, (float *)odd, N2, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_DATA);
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2, out, N2, (const size_t *)odd, 4, 1,
                                          &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_DIMS && err.expected == sizeof(size_t));
    EXPECT_STATUS(spatial_dropout_keras_mask_ex((uint32_t *)odd, 2, 40, 0.5, 1, 0,
                                                SPATIAL_DROPOUT_MASKS_KERAS, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_KEEP && err.expected == sizeof(uint32_t));
    EXPECT_STATUS(spatial_dropout_get_calls_ex(&layer, (uint64_t *)odd, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_CALLS && err.expected >= 4);
    EXPECT_STATUS(spatial_dropout_get_config_ex(&layer, text, sizeof text, (size_t *)odd, &err),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_LEN);
    /* A misaligned err: the call fails before it runs. */
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2, out, N2, dims2, 4, 1,
                                          (spatial_dropout_error *)odd),
                  SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    EXPECT(memcmp(&before, &layer, sizeof layer) == 0);

    /* NULL_POINTER names the argument. */
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, NULL, N2, out, N2, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_INPUT);
    EXPECT_DESCRIBED(&err, "`input` is NULL");
    EXPECT_STATUS(spatial_dropout_get_info_ex(&layer, NULL, NULL, NULL, NULL, NULL, &err),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_RANK);
    EXPECT_STATUS(spatial_dropout_get_masks_ex(&layer, NULL, &err),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_MASKS);
    EXPECT_STATUS(spatial_dropout_get_name_ex(&layer, NULL, 4, &len, &err),
                  SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_BUF);

    /* Lengths, dims, overlap. */
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2 - 1, out, N2, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_INPUT && text_is(err.key, "input") &&
           err.expected == N2 && err.found == N2 - 1);
    EXPECT_DESCRIBED(&err, "`input` holds 119 elements but the shape needs 120");
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2, out, N2, dims3, 3, 1, &err),
                  SPATIAL_DROPOUT_ERROR_RANK_MISMATCH);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_DIMS && err.expected == 4 && err.found == 3);
    EXPECT_DESCRIBED(&err, "Input is incompatible with the layer: expected ndim=4, found ndim=3");
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2, in + 1, N2 - 1, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_OVERLAP);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_OUTPUT);
    EXPECT_DESCRIBED(&err, "`output` overlaps `input` without being the same buffer");
    EXPECT_STATUS(spatial_dropout_backward_ex(&layer, in, N2, out, N2, dims2, 4, &err),
                  SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_LAYER);
    EXPECT(memcmp(&before, &layer, sizeof layer) == 0);

    /* Masks, keep words, text buffers. */
    EXPECT_STATUS(spatial_dropout_set_masks_ex(&layer, 9, &err),
                  SPATIAL_DROPOUT_ERROR_INVALID_MASKS);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_MASKS);
    EXPECT_STATUS(spatial_dropout_keras_mask_ex(keep, 1, 40, 0.5, 1, 0,
                                                SPATIAL_DROPOUT_MASKS_KERAS, &err),
                  SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_KEEP && err.expected == 2 && err.found == 1);
    EXPECT_STATUS(spatial_dropout_keras_mask_ex(keep, 2, 40, 0.5, 1, 0,
                                                SPATIAL_DROPOUT_MASKS_XORSHIFT, &err),
                  SPATIAL_DROPOUT_ERROR_NOT_KERAS);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_MASKS);
    EXPECT_STATUS(spatial_dropout_get_serialized_ex(&layer, small, sizeof small, &len, &err),
                  SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL);
    EXPECT(err.argument == SPATIAL_DROPOUT_ARG_BUF && err.expected == len + 1 &&
           err.found == sizeof small);
    EXPECT_STATUS(spatial_dropout_set_calls_ex(&layer, 3, &err), SPATIAL_DROPOUT_OK);
    EXPECT_STATUS(spatial_dropout_get_calls_ex(&layer, &calls, &err), SPATIAL_DROPOUT_OK);
    EXPECT(calls == 3 && err.code == 0);
    EXPECT_STATUS(spatial_dropout_call_in_place_ex(&layer, in, N2, dims2, 4, 0, &err),
                  SPATIAL_DROPOUT_OK);

    /* describe: cut safely, snprintf's return, NULL err. */
    EXPECT_STATUS(spatial_dropout_call_ex(&layer, in, N2 - 1, out, N2, dims2, 4, 1, &err),
                  SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH);
    n = spatial_dropout_describe(&err, NULL, 0);
    EXPECT(n == strlen("`input` holds 119 elements but the shape needs 120"));
    memset(small, 'x', sizeof small);
    EXPECT(spatial_dropout_describe(&err, small, sizeof small) == n);
    EXPECT(memcmp(small, "`input`", 8) == 0); /* 7 bytes and the NUL */
    EXPECT(spatial_dropout_describe(&err, small, 1) == n && small[0] == '\0');
    EXPECT_DESCRIBED(NULL, "`err` is NULL");
    memset(&err, 0, sizeof err);
    EXPECT_DESCRIBED(&err, "ok");
    EXPECT(strcmp(spatial_dropout_argument_name(SPATIAL_DROPOUT_ARG_GRAD_INPUTS),
                  "grad_inputs") == 0);
    EXPECT(strcmp(spatial_dropout_argument_name(SPATIAL_DROPOUT_ARG_LAYER), "layer") == 0);
    EXPECT(strcmp(spatial_dropout_argument_name(SPATIAL_DROPOUT_ARG_NONE), "") == 0);
    EXPECT(strcmp(spatial_dropout_argument_name(-1), "") == 0);
    EXPECT(strcmp(spatial_dropout_argument_name(1000), "") == 0);
}

int main(void) {
    unsigned vector_failures, keras_failures, pairs = 0, empty = 0;
    EXPECT(sizeof(spatial_dropout_layer) == SPATIAL_DROPOUT_LAYER_SIZE);
    test_create();
    test_calls();
    test_config();
    test_masks_and_calls();
    test_empty_tensors();
    test_messages();
    test_detail();
    printf("error paths: %u checks, %u failed\n", passed + failed, failed);
    vector_failures = ka_run_all(print);
    keras_failures = km_run_all(print, &pairs, &empty);
    return failed == 0 && vector_failures == 0 && keras_failures == 0 ? 0 : 1;
}
