/* Footprint baseline: the same startup and a main that touches the same kind of data, without
   the library. */
#include <stddef.h>

static float data[2 * 4 * 4 * 8];
static volatile int training = 1;

int main(void) {
    size_t i;
    for (i = 0; i < sizeof data / sizeof data[0]; i++) data[i] = (float)i;
    return training && data[5] == 5.0f ? 0 : 1;
}
