/*
 * Force-included (gcc -include) into every C file of the glibc builds: jemalloc's and Catzilla's own. Binds the
 * pthread functions that glibc 2.32/2.34 moved into libc.so.6 under new symbol versions to their old versions,
 * which glibc 2.34+ still exports, so the library needs no GLIBC_x.y newer than 2.17 (NativePlatform's floor;
 * docs/native.md, "glibc floor"). On a glibc older than 2.34 these old versions live in libpthread.so.0: build.sh
 * therefore links it explicitly (-Wl,--no-as-needed -l:libpthread.so.0), else the old loader reports them undefined.
 * Only symbols our objects reference are affected; a function added to this list that is not exported at the old
 * version fails the link, and JemallocExportTest asserts the highest version of each built library.
 */
#ifndef CATZILLA_GLIBC_FLOOR_H
#define CATZILLA_GLIBC_FLOOR_H

#if defined(__x86_64__)
#define CATZILLA_GLIBC_BASE "GLIBC_2.2.5"
#define CATZILLA_GLIBC_SETNAME "GLIBC_2.12"
#elif defined(__aarch64__)
#define CATZILLA_GLIBC_BASE "GLIBC_2.17"
#define CATZILLA_GLIBC_SETNAME "GLIBC_2.17"
#else
#error "glibc-floor.h: no symbol versions recorded for this architecture (add them next to x86_64 and aarch64)"
#endif

#define CATZILLA_GLIBC_PIN(symbol, version) __asm__(".symver " #symbol "," #symbol "@" version)

CATZILLA_GLIBC_PIN(pthread_create, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_join, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_key_create, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_setspecific, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_mutexattr_init, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_mutexattr_settype, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_mutexattr_destroy, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_mutex_trylock, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_sigmask, CATZILLA_GLIBC_BASE);
CATZILLA_GLIBC_PIN(pthread_setname_np, CATZILLA_GLIBC_SETNAME);

#endif
