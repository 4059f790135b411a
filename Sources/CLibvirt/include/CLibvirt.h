#ifndef CLIBVIRT_H
#define CLIBVIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* libvirt (libvirt.so.0) is opened on the first call of one of its functions; where it cannot be, the call
   returns its documented error value and virGetLastErrorMessage says why. CLibvirt.c lists the functions
   conform calls: a call of any other is a link error. */

/* Why libvirt.so.0 or one of its functions could not be had, naming the library and dlerror()'s reason;
   NULL while nothing failed. */
const char *CLibvirt_loadError(void);

#endif
