#ifndef CNUMA_H
#define CNUMA_H

#include <numa.h>
#include <numaif.h>

/* libnuma (libnuma.so.1) is opened on the first call of one of its functions; where it cannot be,
   numa_available() is -1, numa_alloc_onnode() NULL and move_pages() -1 with errno ENOSYS. CNuma.c lists the
   functions conform calls: a call of any other is a link error. */

/* Why libnuma.so.1 or one of its functions could not be had, naming the library and dlerror()'s reason;
   NULL while nothing failed. */
const char *CNuma_loadError(void);

#endif
