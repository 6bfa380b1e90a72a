// The header compiles as C++ (C++98 and later, -pedantic) and links with C linkage.
#include "spatial_dropout.h"

typedef char layer_size_ok[sizeof(spatial_dropout_layer) == SPATIAL_DROPOUT_LAYER_SIZE ? 1 : -1];

int main() {
    spatial_dropout_layer layer;
    if (spatial_dropout_create(&layer, 2, 0.5, SPATIAL_DROPOUT_CHANNELS_LAST, 1, 7, "cpp") !=
        SPATIAL_DROPOUT_OK)
        return 1;
    const char *message = spatial_dropout_error_message(SPATIAL_DROPOUT_ERROR_BAD_RANK);
    return message[0] == '\0' ? 1 : 0;
}
