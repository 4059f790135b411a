#include "CDynamicLibrary.h"

#include <dlfcn.h>
#include <stdio.h>

enum { UNTRIED, OPENED, FAILED };

/* Keeps the first reason only: later failures are consequences of it. Called with the lock held. */
static void record_error(CDynamicLibrary *library, const char *what, const char *detail) {
    if (atomic_load_explicit(&library->error, memory_order_relaxed) != NULL) return;
    snprintf(library->errorText, sizeof library->errorText, "%s: %s", what, detail ? detail : "unknown error");
    atomic_store_explicit(&library->error, library->errorText, memory_order_release);
}

static void *open_library(CDynamicLibrary *library) {
    int state = atomic_load_explicit(&library->state, memory_order_acquire);
    if (state == UNTRIED) {
        pthread_mutex_lock(&library->lock);
        state = atomic_load_explicit(&library->state, memory_order_relaxed);
        if (state == UNTRIED) {
            /* RTLD_LOCAL: the library's symbols stay out of the global scope, where they could shadow others. */
            void *handle = dlopen(library->soname, RTLD_LAZY | RTLD_LOCAL);
            if (handle != NULL) {
                library->handle = handle;
                state = OPENED;
            } else {
                char what[128];
                snprintf(what, sizeof what, "cannot load %s", library->soname);
                record_error(library, what, dlerror());
                state = FAILED;
            }
            atomic_store_explicit(&library->state, state, memory_order_release);
        }
        pthread_mutex_unlock(&library->lock);
    }
    return state == OPENED ? library->handle : NULL;
}

void *CDynamicLibrary_function(CDynamicLibrary *library, _Atomic(void *) *cache, const char *name) {
    void *function = atomic_load_explicit(cache, memory_order_acquire);
    if (function != NULL) return function;
    void *handle = open_library(library);
    if (handle == NULL) return NULL;
    /* dlsym on the handle searches the library and its dependencies, never the executable's own definition. */
    dlerror();
    function = dlsym(handle, name);
    if (function == NULL) {
        const char *detail = dlerror();
        char what[160];
        snprintf(what, sizeof what, "%s has no function %s", library->soname, name);
        pthread_mutex_lock(&library->lock);
        record_error(library, what, detail);
        pthread_mutex_unlock(&library->lock);
        return NULL;
    }
    atomic_store_explicit(cache, function, memory_order_release);
    return function;
}

const char *CDynamicLibrary_error(CDynamicLibrary *library) {
    return atomic_load_explicit(&library->error, memory_order_acquire);
}
