#include "CLibvirt.h"

#include "CDynamicLibrary.h"

static CDynamicLibrary libvirt = CDYNAMICLIBRARY_INIT("libvirt.so.0");

const char *CLibvirt_loadError(void) { return CDynamicLibrary_error(&libvirt); }

/* What libvirt would say for the last failed call, where libvirt itself is missing. */
static const char *load_error_message(void) {
    const char *error = CDynamicLibrary_error(&libvirt);
    return error ? error : "libvirt.so.0 could not be loaded";
}

CDYNAMICLIBRARY_FUNCTION(libvirt, -1, int, virGetVersion,
                         (unsigned long *libVer, const char *type, unsigned long *typeVer), (libVer, type, typeVer))
CDYNAMICLIBRARY_FUNCTION(libvirt, NULL, virConnectPtr, virConnectOpenReadOnly, (const char *name), (name))
CDYNAMICLIBRARY_FUNCTION(libvirt, -1, int, virConnectClose, (virConnectPtr conn), (conn))
CDYNAMICLIBRARY_FUNCTION(libvirt, -1, int, virConnectListAllDomains,
                         (virConnectPtr conn, virDomainPtr **domains, unsigned int flags), (conn, domains, flags))
CDYNAMICLIBRARY_FUNCTION(libvirt, -1, int, virDomainFree, (virDomainPtr domain), (domain))
CDYNAMICLIBRARY_FUNCTION(libvirt, NULL, const char *, virDomainGetName, (virDomainPtr domain), (domain))
CDYNAMICLIBRARY_FUNCTION(libvirt, NULL, char *, virDomainGetXMLDesc, (virDomainPtr domain, unsigned int flags),
                         (domain, flags))
CDYNAMICLIBRARY_FUNCTION(libvirt, -1, int, virDomainGetState,
                         (virDomainPtr domain, int *state, int *reason, unsigned int flags),
                         (domain, state, reason, flags))
CDYNAMICLIBRARY_FUNCTION(libvirt, load_error_message(), const char *, virGetLastErrorMessage, (void), ())
CDYNAMICLIBRARY_FUNCTION(libvirt, NULL, virErrorPtr, virGetLastError, (void), ())
CDYNAMICLIBRARY_VOID_FUNCTION(libvirt, virSetErrorFunc, (void *userData, virErrorFunc handler), (userData, handler))
