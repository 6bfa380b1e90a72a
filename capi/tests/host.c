/* Host test of the C API, built with gcc -std=c99 -pedantic -fsanitize=address,undefined:
   the shared known-answer vectors through every path, then every status code the API returns
   and that a failing call changes nothing. Exit status 0 when everything passed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
    EXPECT_STATUS(spatial_dropout_create(&layer, 1, 0.5, SPATIAL_DROPOUT_CHANNELS_FIRST, 1, 1, NULL),
                  SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT);
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

int main(void) {
    unsigned vector_failures;
    EXPECT(sizeof(spatial_dropout_layer) == SPATIAL_DROPOUT_LAYER_SIZE);
    test_create();
    test_calls();
    test_config();
    test_messages();
    printf("error paths: %u checks, %u failed\n", passed + failed, failed);
    vector_failures = ka_run_all(print);
    return failed == 0 && vector_failures == 0 ? 0 : 1;
}
