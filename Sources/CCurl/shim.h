// libcurl for Swift: typed wrappers around the variadic calls Swift cannot make.
//
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt take `...`; Swift imports no C variadic
// function, so each argument type the project passes gets one `static inline` wrapper here. Every
// function carries the `ccurl_` prefix so a grep finds every C call (STYLE.md §2).
// Option reference: https://curl.se/libcurl/c/curl_easy_setopt.html
#ifndef TANDEM_CCURL_SHIM_H
#define TANDEM_CCURL_SHIM_H

#include <curl/curl.h>

/// The shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// libcurl copies string options (since 7.17.0), so `value` need only live for the call.
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Not copied: the pointer must stay valid for the whole transfer (CURLOPT_POSTFIELDS, *DATA, ERRORBUFFER).
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Not copied: the list must stay alive until the transfer ends.
static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_easy_setopt_write_function(CURL *handle, ccurl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode ccurl_easy_setopt_header_function(CURL *handle, ccurl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The next finished transfer of `multi`, if any: its easy handle and result. `CURLMsg` holds the result
/// in a union, which this reads so Swift need not. Returns 1 with both set, 0 when no transfer is done.
/// https://curl.se/libcurl/c/curl_multi_info_read.html
static inline int ccurl_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result) {
    int queued = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CURLMSG_DONE) {
            *easy = message->easy_handle;
            *result = message->data.result;
            return 1;
        }
    }
    return 0;
}

/// CURL_GLOBAL_ALL is a macro expression; call it once, before any other thread uses libcurl.
static inline CURLcode ccurl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}

/// CURL_HTTP_VERSION_2TLS where this libcurl knows it (7.47.0+), else plain HTTP/1.1.
static inline long ccurl_http_version_preferred(void) {
#ifdef CURL_HTTP_VERSION_2TLS
    return CURL_HTTP_VERSION_2TLS;
#else
    return CURL_HTTP_VERSION_1_1;
#endif
}

/// Whether this libcurl was built with HTTP/2 (nghttp2); without it 2TLS quietly stays on HTTP/1.1.
static inline int ccurl_supports_http2(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL && (info->features & CURL_VERSION_HTTP2) != 0;
}

/// Whether this libcurl resolves host names without blocking (the threaded or c-ares resolver). Without
/// it a transfer on a multi handle blocks the thread driving it for the whole lookup.
static inline int ccurl_supports_async_dns(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL && (info->features & CURL_VERSION_ASYNCHDNS) != 0;
}

#endif
