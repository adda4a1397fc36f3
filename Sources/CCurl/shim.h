#ifndef JOBFLOW_CCURL_SHIM_H
#define JOBFLOW_CCURL_SHIM_H
// libcurl for Swift. curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are
// variadic, which Swift cannot call, so each argument type gets a typed wrapper here.
#include <curl/curl.h>
#include <string.h>

typedef size_t (*jf_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*jf_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode jf_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jf_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jf_easy_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
/// Strings are copied by libcurl (CURLOPT_* string options are strdup'ed since 7.17).
static inline CURLcode jf_easy_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jf_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jf_easy_setopt_data_cb(CURL *h, CURLoption o, jf_curl_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jf_easy_setopt_xferinfo_cb(CURL *h, jf_curl_xferinfo_callback v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
/// In-memory certificate, key or CA bundle. CURL_BLOB_COPY: libcurl keeps its own copy,
/// so nothing secret is ever written to disk and the caller's buffer may be freed at once.
static inline CURLcode jf_easy_setopt_blob(CURL *h, CURLoption o, const void *data, size_t len) {
    struct curl_blob b;
    b.data = (void *)data;
    b.len = len;
    b.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(h, o, &b);
}

static inline CURLcode jf_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode jf_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode jf_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode jf_easy_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode jf_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/// CURLMsg.data is a union; Swift sees it awkwardly, so read the result here.
static inline CURLcode jf_msg_result(CURLMsg *msg) { return msg->data.result; }

static inline long jf_writefunc_pause(void) { return (long)CURL_WRITEFUNC_PAUSE; }
static inline int jf_pause_all(void) { return CURLPAUSE_ALL; }
static inline int jf_pause_cont(void) { return CURLPAUSE_CONT; }
static inline long jf_http_version_2tls(void) { return (long)CURL_HTTP_VERSION_2TLS; }
static inline long jf_http_version_1_1(void) { return (long)CURL_HTTP_VERSION_1_1; }

/// curl_easy_pause flags for "stop receiving, keep sending".
static inline int jf_pause_recv(void) { return CURLPAUSE_RECV; }
static inline long jf_pipe_multiplex(void) { return (long)CURLPIPE_MULTIPLEX; }
/// The size libcurl requires for CURLOPT_ERRORBUFFER.
static inline size_t jf_error_size(void) { return (size_t)CURL_ERROR_SIZE; }
/// CURLMsg.msg == CURLMSG_DONE, without Swift having to name the enum constant.
static inline int jf_msg_is_done(CURLMsg *msg) { return msg->msg == CURLMSG_DONE; }
static inline long jf_global_all(void) { return (long)CURL_GLOBAL_ALL; }
#endif
