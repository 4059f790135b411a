#ifndef CDYNAMICLIBRARY_H
#define CDYNAMICLIBRARY_H

#include <pthread.h>
#include <stdatomic.h>

/* A shared library opened with dlopen on the first call of one of its functions, so that a run which never
   calls it never maps it or its dependencies. CLibvirt, CCurl and CNuma define each function conform uses
   under the name and signature of the library's header (CDYNAMICLIBRARY_FUNCTION); Swift calls them as if
   the library were linked. */
typedef struct CDynamicLibrary {
    const char *soname;
    pthread_mutex_t lock;
    _Atomic int state;
    void *handle;
    /* Why the library or one of its functions could not be had: set once, by the first failure. */
    _Atomic(const char *) error;
    char errorText[512];
} CDynamicLibrary;

#define CDYNAMICLIBRARY_INIT(name) {.soname = (name), .lock = PTHREAD_MUTEX_INITIALIZER}

/* The function `name` of `library`, opening the library first if need be; NULL when either cannot be had,
   and CDynamicLibrary_error says why. `cache` keeps the function for the next call. */
void *CDynamicLibrary_function(CDynamicLibrary *library, _Atomic(void *) *cache, const char *name);

/* "cannot load libvirt.so.0: <dlerror>" (or which function it lacks) once a call failed; NULL before. */
const char *CDynamicLibrary_error(CDynamicLibrary *library);

/* Defines `name` with the signature the library's header declares. The definition is hidden: the executable
   resolves its own calls to it, while the library, once loaded, still binds its internal calls to itself.
   Where the library or the function is missing, the call returns `failure`, the function's documented
   error value. */
#define CDYNAMICLIBRARY_FUNCTION(library, failure, returnType, name, parameters, arguments)                     \
    __attribute__((visibility("hidden"))) returnType name parameters {                                        \
        static _Atomic(void *) cache;                                                                          \
        void *function = CDynamicLibrary_function(&(library), &cache, #name);                                 \
        if (function == NULL) return failure;                                                                  \
        return ((__typeof__(&name))function) arguments;                                                        \
    }

/* The same for a function that returns nothing: where it is missing, the call does nothing. */
#define CDYNAMICLIBRARY_VOID_FUNCTION(library, name, parameters, arguments)                                     \
    __attribute__((visibility("hidden"))) void name parameters {                                              \
        static _Atomic(void *) cache;                                                                          \
        void *function = CDynamicLibrary_function(&(library), &cache, #name);                                 \
        if (function != NULL) ((__typeof__(&name))function) arguments;                                         \
    }

#endif
