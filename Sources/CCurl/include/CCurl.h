#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>
#include <stddef.h>

/* libcurl (libcurl.so.4) is opened on the first call of one of its functions; where it cannot be,
   curl_easy_init() is NULL, curl_global_init() and the shims below CURLE_FAILED_INIT, and CCurl_loadError()
   says why. CCurl.c lists the functions conform calls: a call of any other is a link error. */

/* Why libcurl.so.4 or one of its functions could not be had, naming the library and dlerror()'s reason;
   NULL while nothing failed. */
const char *CCurl_loadError(void);

/* curl_easy_setopt and curl_easy_getinfo are variadic and CURLVERSION_NOW is a macro: Swift can call
   neither, so each use gets a typed shim, which calls libcurl's function through a pointer of its variadic
   type. */

curl_version_info_data *CCurl_version_info(void);

CURLcode CCurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode CCurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode CCurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode CCurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);

/* PEM data handed to libcurl from memory (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB):
   libcurl copies it, so nothing is written to disk and the caller may wipe its buffer afterwards. */
CURLcode CCurl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);

/* A write or read callback (CURLOPT_WRITEFUNCTION/CURLOPT_READFUNCTION, the same signature) and its context
   (CURLOPT_WRITEDATA/CURLOPT_READDATA). */
typedef size_t (*CCurl_callback)(char *data, size_t size, size_t count, void *context);
CURLcode CCurl_setopt_callback(CURL *handle, CURLoption function, CURLoption data, CCurl_callback callback,
                               void *context);

CURLcode CCurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode CCurl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value);

#endif
