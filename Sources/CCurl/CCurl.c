#include "CCurl.h"

#include "CDynamicLibrary.h"

static CDynamicLibrary libcurl = CDYNAMICLIBRARY_INIT("libcurl.so.4");

const char *CCurl_loadError(void) { return CDynamicLibrary_error(&libcurl); }

static const char *load_error_message(void) {
    const char *error = CDynamicLibrary_error(&libcurl);
    return error ? error : "libcurl.so.4 could not be loaded";
}

CDYNAMICLIBRARY_FUNCTION(libcurl, CURLE_FAILED_INIT, CURLcode, curl_global_init, (long flags), (flags))
CDYNAMICLIBRARY_FUNCTION(libcurl, NULL, CURL *, curl_easy_init, (void), ())
CDYNAMICLIBRARY_VOID_FUNCTION(libcurl, curl_easy_cleanup, (CURL * handle), (handle))
CDYNAMICLIBRARY_FUNCTION(libcurl, CURLE_FAILED_INIT, CURLcode, curl_easy_perform, (CURL * handle), (handle))
CDYNAMICLIBRARY_FUNCTION(libcurl, load_error_message(), const char *, curl_easy_strerror, (CURLcode code), (code))
CDYNAMICLIBRARY_FUNCTION(libcurl, NULL, struct curl_slist *, curl_slist_append,
                         (struct curl_slist * list, const char *data), (list, data))
CDYNAMICLIBRARY_VOID_FUNCTION(libcurl, curl_slist_free_all, (struct curl_slist * list), (list))
CDYNAMICLIBRARY_FUNCTION(libcurl, NULL, curl_version_info_data *, curl_version_info, (CURLversion age), (age))

curl_version_info_data *CCurl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }

/* The variadic functions, called through pointers of their own variadic type so that each argument is
   passed as the C calling convention passes variadic arguments. */
typedef CURLcode (*setopt_function)(CURL *handle, CURLoption option, ...);
typedef CURLcode (*getinfo_function)(CURL *handle, CURLINFO info, ...);

static setopt_function easy_setopt(void) {
    static _Atomic(void *) cache;
    return (setopt_function)CDynamicLibrary_function(&libcurl, &cache, "curl_easy_setopt");
}

static getinfo_function easy_getinfo(void) {
    static _Atomic(void *) cache;
    return (getinfo_function)CDynamicLibrary_function(&libcurl, &cache, "curl_easy_getinfo");
}

CURLcode CCurl_setopt_long(CURL *handle, CURLoption option, long value) {
    setopt_function setopt = easy_setopt();
    return setopt ? setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode CCurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    setopt_function setopt = easy_setopt();
    return setopt ? setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode CCurl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    setopt_function setopt = easy_setopt();
    return setopt ? setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode CCurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    setopt_function setopt = easy_setopt();
    return setopt ? setopt(handle, option, value) : CURLE_FAILED_INIT;
}

CURLcode CCurl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    setopt_function setopt = easy_setopt();
    return setopt ? setopt(handle, option, &blob) : CURLE_FAILED_INIT;
}

CURLcode CCurl_setopt_callback(CURL *handle, CURLoption function, CURLoption data, CCurl_callback callback,
                               void *context) {
    setopt_function setopt = easy_setopt();
    if (setopt == NULL) return CURLE_FAILED_INIT;
    CURLcode code = setopt(handle, function, callback);
    if (code != CURLE_OK) return code;
    return setopt(handle, data, context);
}

CURLcode CCurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    getinfo_function getinfo = easy_getinfo();
    return getinfo ? getinfo(handle, info, value) : CURLE_FAILED_INIT;
}

CURLcode CCurl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    getinfo_function getinfo = easy_getinfo();
    return getinfo ? getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
