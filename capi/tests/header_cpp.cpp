// The header compiles as C++ (C++98 and later, -pedantic) and links with C linkage.
#include "spatial_dropout.h"

#include <cstring>

typedef char layer_size_ok[sizeof(spatial_dropout_layer) == SPATIAL_DROPOUT_LAYER_SIZE ? 1 : -1];

int main() {
    spatial_dropout_layer layer;
    if (spatial_dropout_create(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 7, "cpp") !=
        SPATIAL_DROPOUT_OK)
        return 1;
    int32_t masks = -1;
    uint64_t calls = 1;
    if (spatial_dropout_get_masks(&layer, &masks) != SPATIAL_DROPOUT_OK ||
        masks != SPATIAL_DROPOUT_MASKS_KERAS ||
        spatial_dropout_set_calls(&layer, 5) != SPATIAL_DROPOUT_OK ||
        spatial_dropout_get_calls(&layer, &calls) != SPATIAL_DROPOUT_OK || calls != 5 ||
        spatial_dropout_set_masks(&layer, SPATIAL_DROPOUT_MASKS_XORSHIFT) != SPATIAL_DROPOUT_OK)
        return 1;
    uint32_t keep[1];
    if (spatial_dropout_keras_mask(keep, 1, 8, 0.5, 42, 0, SPATIAL_DROPOUT_MASKS_KERAS) !=
            SPATIAL_DROPOUT_OK ||
        keep[0] != 0x64u) // Keras's SpatialDropout3D(0.5, seed=42), call 0, 8 maps
        return 1;
    // The _ex twins and the error detail, from C++.
    spatial_dropout_error err;
    const char json[] = "{\"rate\":0.5,\"seed\":-1}";
    if (spatial_dropout_from_config_ex(&layer, 2, json, sizeof json - 1, &err) !=
            SPATIAL_DROPOUT_ERROR_INVALID_VALUE ||
        err.code != SPATIAL_DROPOUT_ERROR_INVALID_VALUE ||
        err.argument != SPATIAL_DROPOUT_ARG_JSON || err.key.len != 4 ||
        std::memcmp(err.key.ptr, "seed", 4) != 0 || err.detail.len == 0)
        return 1;
    char text[128];
    size_t n = spatial_dropout_describe(&err, text, sizeof text);
    if (n == 0 || n >= sizeof text || std::strncmp(text, "`seed` must be ", 15) != 0 ||
        std::strcmp(spatial_dropout_argument_name(err.argument), "json") != 0)
        return 1;
    const char *message = spatial_dropout_error_message(SPATIAL_DROPOUT_ERROR_BAD_RANK);
    return message[0] == '\0' ? 1 : 0;
}
