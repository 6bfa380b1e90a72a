/* Measures the stack each library call uses on the Cortex-M4F: the stack below the caller is
   painted with a pattern, the call runs, and the lowest word it changed gives its depth. Prints
   one line per call and exits 0 if every call succeeded. */
#include <stddef.h>
#include <stdint.h>

#include "semihost.h"
#include "spatial_dropout.h"

#define PAINT 0xa5a5a5a5u
#define DEPTH 8192u /* bytes painted below the caller; far more than any call needs */

static float data[2 * 4 * 4 * 8];
static float grad[2 * 4 * 4 * 8];
static spatial_dropout_layer layer;
static char text[SPATIAL_DROPOUT_MAX_SERIALIZED_LEN + 1];
static uint32_t *painted_top;

static uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Paints DEPTH bytes below its own frame and returns the caller's stack pointer. */
__attribute__((noinline)) static void paint(void) {
    uint32_t *p = (uint32_t *)(stack_pointer() - 16u);
    uint32_t *end = p - DEPTH / 4u;
    painted_top = p;
    while (p > end) *--p = PAINT;
}

/* Bytes between `caller_sp` and the lowest painted word that changed. */
static size_t used_below(uintptr_t caller_sp) {
    uint32_t *p = painted_top - DEPTH / 4u;
    while (p < painted_top && *p == PAINT) p++;
    return caller_sp - (uintptr_t)p;
}

static void print_num(size_t v) {
    char buf[12];
    int i = 11;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && i > 0);
    semihost_write(buf + i);
}

static int report(const char *what, spatial_dropout_status status, uintptr_t sp) {
    size_t used = used_below(sp);
    semihost_write(what);
    semihost_write(": ");
    print_num(used);
    semihost_write(" bytes of stack");
    if (status != SPATIAL_DROPOUT_OK) {
        semihost_write(" (failed: ");
        semihost_write(spatial_dropout_error_message(status));
        semihost_write(")");
    }
    if (used + 64u >= DEPTH) semihost_write(" (reaches the end of the painted area: too deep)");
    semihost_write("\n");
    return status == SPATIAL_DROPOUT_OK && used + 64u < DEPTH ? 0 : 1;
}

#define MEASURE(what, call)                       \
    do {                                          \
        uintptr_t sp_;                            \
        spatial_dropout_status s_;                \
        paint();                                  \
        sp_ = stack_pointer();                    \
        s_ = (call);                              \
        failures += report(what, s_, sp_);        \
    } while (0)

int main(void) {
    static const size_t dims[4] = {2, 4, 4, 8};
    static const char config[] = "{\"rate\":0.5,\"seed\":7,\"name\":\"drop\",\"dtype\":\"float32\","
                                 "\"data_format\":\"channels_last\"}";
    const size_t n = sizeof data / sizeof data[0];
    size_t i, len = 0;
    int failures = 0;
    for (i = 0; i < n; i++) data[i] = (float)i;
    MEASURE("spatial_dropout_create", spatial_dropout_create(&layer, 2, 0.5, 0, 1, 7, "drop"));
    MEASURE("spatial_dropout_call", spatial_dropout_call(&layer, data, n, grad, n, dims, 4, 1));
    MEASURE("spatial_dropout_call_in_place",
            spatial_dropout_call_in_place(&layer, data, n, dims, 4, 1));
    MEASURE("spatial_dropout_backward",
            spatial_dropout_backward(&layer, data, n, grad, n, dims, 4));
    MEASURE("spatial_dropout_from_config",
            spatial_dropout_from_config(&layer, 2, config, sizeof config - 1));
    MEASURE("spatial_dropout_get_config",
            spatial_dropout_get_config(&layer, text, sizeof text, &len));
    MEASURE("spatial_dropout_get_serialized",
            spatial_dropout_get_serialized(&layer, text, sizeof text, &len));
    return failures;
}
