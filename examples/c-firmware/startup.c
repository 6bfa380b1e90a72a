/* Minimal Cortex-M4F startup: vector table, reset handler (FPU on, .data copied, .bss zeroed),
   and fault handlers that end the QEMU session instead of hanging it. */
#include <stdint.h>

#include "semihost.h"

extern uint32_t _stack_top, _data_start, _data_end, _data_load, _bss_start, _bss_end;
int main(void);

/* Status for a fault, distinct from the failure counts main returns. */
#define FAULT_STATUS 99

void reset_handler(void);
static void fault_handler(void) {
    semihost_write("fault: a Cortex-M exception was raised\n");
    semihost_exit(FAULT_STATUS);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_stack_top, /* initial stack pointer */
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    fault_handler, /* SysTick */
};

void reset_handler(void) {
    /* The code is built for the hard-float ABI: grant CP10/CP11 (the FPU) full access before
       any floating-point instruction runs. */
    volatile uint32_t *const cpacr = (volatile uint32_t *)0xE000ED88u;
    uint32_t *src, *dst;
    *cpacr |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    src = &_data_load;
    for (dst = &_data_start; dst < &_data_end;) *dst++ = *src++;
    for (dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;

    semihost_exit(main());
}
