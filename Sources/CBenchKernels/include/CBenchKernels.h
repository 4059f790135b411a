#ifndef CBENCHKERNELS_H
#define CBENCHKERNELS_H

#include <stddef.h>

/* The memory bandwidth kernels, as STREAM defines them, over arrays of doubles:
   read   s += a[i]              8 bytes per element
   write  a[i] = s               8 bytes per element (non-temporal stores where the compiler has them)
   copy   c[i] = a[i]            16 bytes per element
   triad  a[i] = b[i] + s * c[i] 24 bytes per element */
typedef enum {
    CBK_READ = 0,
    CBK_WRITE = 1,
    CBK_COPY = 2,
    CBK_TRIAD = 3,
} cbk_kernel;

/* Bytes one element moves in a kernel, counted as STREAM counts them. */
size_t cbk_bytes_per_element(cbk_kernel kernel);

/* Runs `kernel` over `elements` doubles of each array with one thread per entry of `cpus`, each pinned to
   its CPU before it touches memory. Every thread first writes its share of every array (so every page is
   faulted in, on the node the arrays' memory policy says), then runs one warm-up pass, then
   `repetitions` timed passes. Each pass is timed with CLOCK_MONOTONIC between two barriers.
   `seconds` receives one duration per repetition. Past `deadline` (CLOCK_MONOTONIC seconds, as
   cbk_monotonic_now gives them; 0 for none) no further pass starts; `completed` receives the passes timed.
   Returns 0, or an errno value (a thread could not be started or pinned). */
int cbk_run(cbk_kernel kernel, double *a, double *b, double *c, size_t elements, const int *cpus, int thread_count,
            int repetitions, double *seconds, double deadline, int *completed);

/* The instruction set extensions the kernels were compiled with (-march, see Package.swift's CONFORM_MARCH), as
   bits of cbk_feature. A constant: calling it runs none of them. A CPU without one of them dies of SIGILL in the
   first kernel, so the caller compares them with the CPU's flags first. */
typedef enum {
    CBK_FEATURE_AVX = 1 << 0,
    CBK_FEATURE_AVX2 = 1 << 1,
    CBK_FEATURE_FMA = 1 << 2,
    CBK_FEATURE_BMI2 = 1 << 3,
    CBK_FEATURE_AVX512F = 1 << 4,
    CBK_FEATURE_AVX512BW = 1 << 5,
    CBK_FEATURE_AVX512DQ = 1 << 6,
    CBK_FEATURE_AVX512VL = 1 << 7,
    CBK_FEATURE_AVX512CD = 1 << 8,
} cbk_feature;
unsigned cbk_compiled_features(void);

/* CLOCK_MONOTONIC in seconds, the clock of cbk_run's deadline. */
double cbk_monotonic_now(void);

/* O_DIRECT needs _GNU_SOURCE, which Swift's view of fcntl.h does not define. */
int cbk_o_direct(void);

#endif
