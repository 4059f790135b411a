#include "CNuma.h"

#include <errno.h>

#include "CDynamicLibrary.h"

static CDynamicLibrary libnuma = CDYNAMICLIBRARY_INIT("libnuma.so.1");

const char *CNuma_loadError(void) { return CDynamicLibrary_error(&libnuma); }

CDYNAMICLIBRARY_FUNCTION(libnuma, -1, int, numa_available, (void), ())
CDYNAMICLIBRARY_FUNCTION(libnuma, NULL, void *, numa_alloc_onnode, (size_t size, int node), (size, node))
CDYNAMICLIBRARY_VOID_FUNCTION(libnuma, numa_free, (void *start, size_t size), (start, size))
CDYNAMICLIBRARY_FUNCTION(libnuma, (errno = ENOSYS, -1L), long, move_pages,
                         (int pid, unsigned long count, void **pages, const int *nodes, int *status, int flags),
                         (pid, count, pages, nodes, status, flags))
