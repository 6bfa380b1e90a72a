/* Footprint of the kernel API plus Keras JSON in and out. */
#include <stddef.h>

#include "spatial_dropout.h"

static float data[2 * 4 * 4 * 8];
static volatile int training = 1;
static spatial_dropout_layer layer;
static const char config[] = "{\"rate\":0.5,\"seed\":7,\"name\":\"drop\",\"dtype\":\"float32\","
                             "\"data_format\":\"channels_last\"}";
static char text[SPATIAL_DROPOUT_MAX_CONFIG_LEN + 1];

int main(void) {
    static const size_t dims[4] = {2, 4, 4, 8};
    const size_t n = sizeof data / sizeof data[0];
    size_t i, len = 0;
    for (i = 0; i < n; i++) data[i] = (float)i;
    if (spatial_dropout_from_config(&layer, 2, config, sizeof config - 1) != 0) return 1;
    if (spatial_dropout_call_in_place(&layer, data, n, dims, 4, training) != 0) return 1;
    if (spatial_dropout_get_config(&layer, text, sizeof text, &len) != 0) return 1;
    return len == sizeof config - 1 ? 0 : 1;
}
