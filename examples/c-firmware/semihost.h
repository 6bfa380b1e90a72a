/* Arm semihosting on QEMU: text to the host's stdout and the exit status. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

/* Writes a NUL-terminated string to the host's stdout (SYS_WRITE0). */
void semihost_write(const char *text);

/* Ends the QEMU session with `status` as its exit status (SYS_EXIT_EXTENDED). */
void semihost_exit(int status) __attribute__((noreturn));

#endif
