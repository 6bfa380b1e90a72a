/* Footprint of the kernel API: create, call in place, backward. */
#include <stddef.h>

#include "spatial_dropout.h"

static float data[2 * 4 * 4 * 8];
static float grad[2 * 4 * 4 * 8];
static volatile int training = 1;
static spatial_dropout_layer layer;

int main(void) {
    static const size_t dims[4] = {2, 4, 4, 8};
    const size_t n = sizeof data / sizeof data[0];
    size_t i;
    for (i = 0; i < n; i++) data[i] = (float)i;
    if (spatial_dropout_create(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 7, NULL) != 0)
        return 1;
    if (spatial_dropout_call_in_place(&layer, data, n, dims, 4, training) != 0) return 1;
    if (spatial_dropout_backward(&layer, data, n, grad, n, dims, 4) != 0) return 1;
    return data[5] == grad[5] ? 0 : 1;
}
