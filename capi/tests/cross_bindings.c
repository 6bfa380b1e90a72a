/* The C half of the cross-binding check (tests/fixtures/cross_binding_errors.json): each bad
   input of the fixture, run through the C API, printed as "<id> <status>". The C API returns a
   status code with a static message per code, so capi/tests/cross_bindings.py compares the
   status with the header's number for the case's `c_status` and with Rust's Error::code().
   (If the C API gains Rust's full messages, print and compare them too.) Where C takes no
   string (data formats and mask schemes are numbers), the input is the C form of the same
   mistake: a number that is no format or scheme. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "spatial_dropout.h"

static spatial_dropout_layer layer;
static float data[120];
static float grad[120];

static void print(const char *id, spatial_dropout_status status) {
    printf("%s %d\n", id, (int)status);
}

static spatial_dropout_status create(uint32_t rank, double rate) {
    return spatial_dropout_create(&layer, rank, rate, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 1, NULL);
}

static spatial_dropout_status in_place(uint32_t rank, size_t len, const size_t *dims, size_t ndim) {
    spatial_dropout_status s = create(rank, 0.5);
    return s != SPATIAL_DROPOUT_OK ? -1 : spatial_dropout_call_in_place(&layer, data, len, dims, ndim, 1);
}

static spatial_dropout_status config(uint32_t rank, const char *json) {
    return spatial_dropout_from_config(&layer, rank, json, strlen(json));
}

int main(void) {
    static const char long_name[] =
        "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"; /* 65 bytes */
    static const char long_name_json[] =
        "{\"rate\": 0.5, \"name\": \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"}";
    uint32_t keep[1];

    print("X01", create(2, -0.5));
    print("X02", create(2, 2.0));
    print("X03", create(3, (double)NAN));
    print("X04", create(1, (double)INFINITY));
    print("X05", create(2, 1e20));
    print("X06", spatial_dropout_create(&layer, 2, 0.5, 7, 1, 1, NULL));
    print("X07", spatial_dropout_create(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 1, long_name));
    print("X08", create(3, 0.5) != SPATIAL_DROPOUT_OK ? -1 : spatial_dropout_set_masks(&layer, 7));
    {
        static const size_t dims[] = {2, 3, 20};
        print("X09", in_place(2, 120, dims, 3));
    }
    {
        static const size_t dims[] = {1, 2, 3, 4};
        print("X10", in_place(1, 6, dims, 4));
    }
    {
        static const size_t dims[] = {2, 3, 4, 6};
        print("X11", in_place(2, 120, dims, 4));
    }
    {
        static const size_t dims[] = {1, 1, 1, 1, 2};
        print("X12", create(3, 0.5) != SPATIAL_DROPOUT_OK
                         ? -1
                         : spatial_dropout_backward(&layer, data, 2, grad, 2, dims, 5));
    }
    {
        static const size_t forward[] = {1, 1, 1, 1, 2};
        static const size_t dims[] = {1, 1, 1, 2, 1};
        print("X13", in_place(3, 2, forward, 5) != SPATIAL_DROPOUT_OK
                         ? -1
                         : spatial_dropout_backward(&layer, data, 2, grad, 2, dims, 5));
    }
    print("X14", spatial_dropout_keras_mask(keep, 1, 4, 0.5, 1, 0, SPATIAL_DROPOUT_MASKS_XORSHIFT));
    print("X15", spatial_dropout_keras_mask(keep, 1, 4, 1.5, 1, 0, SPATIAL_DROPOUT_MASKS_KERAS));
    print("X16", config(2, "{\"rate\": 0.5"));
    print("X17", config(2, "{\"seed\": 1}"));
    print("X18", config(2, "{\"rate\": 1.5}"));
    print("X19", config(2, "{\"rate\": 0.5, \"data_format\": \"nhwc\"}"));
    print("X20", config(1, "{\"rate\": 0.5, \"data_format\": \"channels_first\"}"));
    print("X21", config(3, "{\"rate\": 0.5, \"dtype\": \"float16\"}"));
    print("X22", config(3, "{\"rate\": 0.5, \"noise_shape\": [1, 1, 1, 1, 8]}"));
    print("X23", config(3, "{\"class_name\": \"SpatialDropout2D\", \"config\": {\"rate\": 0.5}}"));
    print("X24", config(2, "{\"rate\": 0.5, \"seed\": -1}"));
    print("X25", config(2, long_name_json));
    return 0;
}
