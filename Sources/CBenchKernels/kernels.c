#define _GNU_SOURCE
#include "CBenchKernels.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A sink the compiler cannot prove unused, so the read kernel's sums are never optimised away. Only
   cbk_run's own thread stores to it, after the workers are joined: each worker keeps its sum in its own
   `sum`, because threads storing to one global at once are a data race (undefined behaviour in C11,
   volatile or not). */
volatile double cbk_sink;

size_t cbk_bytes_per_element(cbk_kernel kernel) {
    switch (kernel) {
    case CBK_READ: return 8;
    case CBK_WRITE: return 8;
    case CBK_COPY: return 16;
    case CBK_TRIAD: return 24;
    }
    return 0;
}

static double kernel_read(const double *restrict a, size_t n) {
    /* The sum's order does not matter here: letting the compiler reassociate it gives several vector
       accumulators in flight, so the loop runs at load speed, not at the latency of one add chain. */
#if defined(__clang__)
#pragma clang fp reassociate(on)
#endif
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += a[i];
    return sum;
}

/* Stores go around the caches (non-temporal) where the CPU has them, as STREAM-style bandwidth tools do:
   otherwise every store first reads its line (write-allocate) and the figure counts traffic it does not
   see. Chunks start 64-byte aligned (page-aligned arrays, chunks of multiples of 8 doubles); the scalar
   tail handles the rest. */
#if defined(__AVX512F__)
#define CBK_WIDTH 8
typedef __m512d cbk_vector;
#define cbk_set1(x) _mm512_set1_pd(x)
#define cbk_load(p) _mm512_load_pd(p)
#define cbk_stream(p, v) _mm512_stream_pd(p, v)
#define cbk_triad(b, s, c) _mm512_fmadd_pd(s, c, b)
#elif defined(__AVX__)
#define CBK_WIDTH 4
typedef __m256d cbk_vector;
#define cbk_set1(x) _mm256_set1_pd(x)
#define cbk_load(p) _mm256_load_pd(p)
#define cbk_stream(p, v) _mm256_stream_pd(p, v)
#define cbk_triad(b, s, c) _mm256_add_pd(b, _mm256_mul_pd(s, c))
#elif defined(__SSE2__)
#define CBK_WIDTH 2
typedef __m128d cbk_vector;
#define cbk_set1(x) _mm_set1_pd(x)
#define cbk_load(p) _mm_load_pd(p)
#define cbk_stream(p, v) _mm_stream_pd(p, v)
#define cbk_triad(b, s, c) _mm_add_pd(b, _mm_mul_pd(s, c))
#endif

static int aligned(const void *p) { return ((uintptr_t)p & 63) == 0; }

static void kernel_write(double *restrict a, size_t n, double value) {
    size_t i = 0;
#ifdef CBK_WIDTH
    if (aligned(a)) {
        cbk_vector v = cbk_set1(value);
        for (; i + CBK_WIDTH <= n; i += CBK_WIDTH) cbk_stream(a + i, v);
        _mm_sfence();
    }
#endif
    for (; i < n; i++) a[i] = value;
}

static void kernel_copy(double *restrict c, const double *restrict a, size_t n) {
    size_t i = 0;
#ifdef CBK_WIDTH
    if (aligned(a) && aligned(c)) {
        for (; i + CBK_WIDTH <= n; i += CBK_WIDTH) cbk_stream(c + i, cbk_load(a + i));
        _mm_sfence();
    }
#endif
    for (; i < n; i++) c[i] = a[i];
}

static void kernel_triad(double *restrict a, const double *restrict b, const double *restrict c, size_t n, double scalar) {
    size_t i = 0;
#ifdef CBK_WIDTH
    if (aligned(a) && aligned(b) && aligned(c)) {
        cbk_vector s = cbk_set1(scalar);
        for (; i + CBK_WIDTH <= n; i += CBK_WIDTH) cbk_stream(a + i, cbk_triad(cbk_load(b + i), s, cbk_load(c + i)));
        _mm_sfence();
    }
#endif
    for (; i < n; i++) a[i] = b[i] + scalar * c[i];
}

typedef struct {
    cbk_kernel kernel;
    double *a, *b, *c;
    size_t begin, end;
    int cpu;
    int repetitions;
    int index;
    pthread_barrier_t *barrier;
    double *seconds;
    int error;
    struct gate *gate;
    double deadline;
    int *stop;      /* set by thread 0 past the deadline; read by all after the next barrier */
    int *completed; /* timed passes finished, written by thread 0 */
    double sum;     /* the read kernel's last sum, this thread's alone */
} worker;

/* Threads wait here until every one of them exists; if one could not be created, the others leave. */
struct gate {
    pthread_mutex_t mutex;
    pthread_cond_t opened;
    int state; /* 0 waiting, 1 go, -1 abandon */
};

static int wait_at_gate(struct gate *gate) {
    pthread_mutex_lock(&gate->mutex);
    while (gate->state == 0) pthread_cond_wait(&gate->opened, &gate->mutex);
    int state = gate->state;
    pthread_mutex_unlock(&gate->mutex);
    return state;
}

static void open_gate(struct gate *gate, int state) {
    pthread_mutex_lock(&gate->mutex);
    gate->state = state;
    pthread_cond_broadcast(&gate->opened);
    pthread_mutex_unlock(&gate->mutex);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pass(worker *w) {
    size_t n = w->end - w->begin;
    double *a = w->a + w->begin, *b = w->b + w->begin, *c = w->c + w->begin;
    switch (w->kernel) {
    case CBK_READ: w->sum = kernel_read(a, n); break;
    case CBK_WRITE: kernel_write(a, n, 1.0); break;
    case CBK_COPY: kernel_copy(c, a, n); break;
    case CBK_TRIAD: kernel_triad(a, b, c, n, 3.0); break;
    }
}

static void *run_worker(void *argument) {
    worker *w = argument;
    if (wait_at_gate(w->gate) < 0) return NULL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    w->error = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    /* Write every page of this thread's share before any timing. */
    for (size_t i = w->begin; i < w->end; i++) {
        w->a[i] = 1.0;
        w->b[i] = 2.0;
        w->c[i] = 0.5;
    }
    pthread_barrier_wait(w->barrier);
    pass(w); /* warm-up */
    for (int r = 0; r < w->repetitions; r++) {
        double start = 0;
        pthread_barrier_wait(w->barrier);
        /* Thread 0 wrote the flag before this barrier, so every thread sees the same value and leaves together. */
        if (*w->stop) break;
        if (w->index == 0) start = now();
        pass(w);
        pthread_barrier_wait(w->barrier);
        if (w->index == 0) {
            double end = now();
            w->seconds[r] = end - start;
            *w->completed = r + 1;
            if (w->deadline > 0 && end > w->deadline) *w->stop = 1;
        }
    }
    return NULL;
}

int cbk_run(cbk_kernel kernel, double *a, double *b, double *c, size_t elements, const int *cpus, int thread_count,
            int repetitions, double *seconds, double deadline, int *completed) {
    if (thread_count < 1 || repetitions < 1 || !completed) return EINVAL;
    int stop = 0;
    *completed = 0;
    pthread_barrier_t barrier;
    if (pthread_barrier_init(&barrier, NULL, (unsigned)thread_count) != 0) return errno;
    worker *workers = calloc((size_t)thread_count, sizeof(worker));
    pthread_t *threads = calloc((size_t)thread_count, sizeof(pthread_t));
    if (!workers || !threads) {
        free(workers);
        free(threads);
        pthread_barrier_destroy(&barrier);
        return ENOMEM;
    }
    /* Chunks aligned to 8 elements (64 bytes) so no two threads share a cache line. */
    size_t chunk = ((elements / (size_t)thread_count) + 7) & ~(size_t)7;
    int result = 0;
    int started = 0;
    struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    for (int t = 0; t < thread_count; t++) {
        size_t begin = chunk * (size_t)t;
        size_t end = begin + chunk;
        if (begin > elements) begin = elements;
        if (end > elements || t == thread_count - 1) end = elements;
        workers[t] = (worker){kernel, a,      b, c,        begin, end, cpus[t], repetitions, t, &barrier, seconds, 0,
                              &gate,  deadline, &stop, completed};
        if (pthread_create(&threads[t], NULL, run_worker, &workers[t]) != 0) {
            result = EAGAIN;
            break;
        }
        started++;
    }
    /* The barriers need every thread: without all of them, the ones started leave at the gate. */
    open_gate(&gate, started == thread_count ? 1 : -1);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    double sums = 0;
    for (int t = 0; t < started; t++) sums += workers[t].sum;
    cbk_sink = sums;
    for (int t = 0; t < started; t++)
        if (workers[t].error && !result) result = workers[t].error;
    free(workers);
    free(threads);
    pthread_barrier_destroy(&barrier);
    return result;
}

#include <fcntl.h>

int cbk_o_direct(void) { return O_DIRECT; }

double cbk_monotonic_now(void) { return now(); }

unsigned cbk_compiled_features(void) {
    unsigned features = 0;
#ifdef __AVX__
    features |= CBK_FEATURE_AVX;
#endif
#ifdef __AVX2__
    features |= CBK_FEATURE_AVX2;
#endif
#ifdef __FMA__
    features |= CBK_FEATURE_FMA;
#endif
#ifdef __BMI2__
    features |= CBK_FEATURE_BMI2;
#endif
#ifdef __AVX512F__
    features |= CBK_FEATURE_AVX512F;
#endif
#ifdef __AVX512BW__
    features |= CBK_FEATURE_AVX512BW;
#endif
#ifdef __AVX512DQ__
    features |= CBK_FEATURE_AVX512DQ;
#endif
#ifdef __AVX512VL__
    features |= CBK_FEATURE_AVX512VL;
#endif
#ifdef __AVX512CD__
    features |= CBK_FEATURE_AVX512CD;
#endif
    return features;
}
