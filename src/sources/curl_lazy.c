/*
 * libcurl, loaded when a command first makes a request.
 *
 * libcurl-gnutls pulls in about 30 shared libraries (LDAP, Kerberos, SSH,
 * RTMP, HTTP/2, IDN...): mapping and relocating them took 6-7 ms of every
 * run, `kanon --version` and an audit of a small log included, where the
 * rest of the start costs about 1 ms. Only verify, live, cluster reads and
 * the alert forwarder talk HTTP; the other commands never load it.
 *
 * This file defines the libcurl functions kanon calls, under their own
 * names, so the callers are plain libcurl code: each one forwards to the
 * library's, which is opened once (dlopen) at the first call. The library is
 * the one pkg-config named at build time (its soname, KANON_CURL_SONAME). If
 * it cannot be loaded, every call fails the way libcurl fails without
 * memory (NULL handles, CURLE_FAILED_INIT), and curl_easy_strerror() says
 * which library could not be loaded and why.
 */
#define CURL_DISABLE_TYPECHECK 1 /* the setopt macros would rename the functions below */
#include <curl/curl.h>
#include <stdarg.h>

#include "core/dynlib.h"
#include "sources/curl_lazy.h"
#include "core/banned.h"

/* curl_url_get() took a const handle from 8.0.0 (include/curl/urlapi.h) */
#if LIBCURL_VERSION_NUM >= 0x080000
#define URL_GET_HANDLE const CURLU
#else
#define URL_GET_HANDLE CURLU
#endif

#ifndef KANON_CURL_SONAME
#define KANON_CURL_SONAME "libcurl.so.4"
#endif

/* The library's functions; each name once: the table and the lookups come from this list. */
#define CURL_FUNCS(X)                                                                              \
	X(curl_global_init, CURLcode, (long))                                                      \
	X(curl_easy_init, CURL *, (void))                                                          \
	X(curl_easy_setopt, CURLcode, (CURL *, CURLoption, ...))                                   \
	X(curl_easy_perform, CURLcode, (CURL *))                                                   \
	X(curl_easy_cleanup, void, (CURL *))                                                       \
	X(curl_easy_getinfo, CURLcode, (CURL *, CURLINFO, ...))                                    \
	X(curl_easy_strerror, const char *, (CURLcode))                                            \
	X(curl_easy_escape, char *, (CURL *, const char *, int))                                   \
	X(curl_easy_reset, void, (CURL *))                                                         \
	X(curl_easy_pause, CURLcode, (CURL *, int))                                                \
	X(curl_free, void, (void *))                                                               \
	X(curl_slist_append, struct curl_slist *, (struct curl_slist *, const char *))             \
	X(curl_slist_free_all, void, (struct curl_slist *))                                        \
	X(curl_url, CURLU *, (void))                                                               \
	X(curl_url_cleanup, void, (CURLU *))                                                       \
	X(curl_url_get, CURLUcode, (URL_GET_HANDLE *, CURLUPart, char **, unsigned int))           \
	X(curl_url_set, CURLUcode, (CURLU *, CURLUPart, const char *, unsigned int))               \
	X(curl_multi_init, CURLM *, (void))                                                        \
	X(curl_multi_setopt, CURLMcode, (CURLM *, CURLMoption, ...))                               \
	X(curl_multi_add_handle, CURLMcode, (CURLM *, CURL *))                                     \
	X(curl_multi_remove_handle, CURLMcode, (CURLM *, CURL *))                                  \
	X(curl_multi_perform, CURLMcode, (CURLM *, int *))                                         \
	X(curl_multi_poll, CURLMcode, (CURLM *, struct curl_waitfd *, unsigned int, int, int *))   \
	X(curl_multi_info_read, CURLMsg *, (CURLM *, int *))                                       \
	X(curl_multi_cleanup, CURLMcode, (CURLM *))

DYNLIB_DEFINE(CURL_FUNCS, KANON_CURL_SONAME)

const char *curl_lazy_error(void)
{
	return loaded() ? NULL : lib.err;
}

CURLcode curl_global_init(long flags)
{
	return loaded() ? REAL(curl_global_init)(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return loaded() ? REAL(curl_easy_init)() : NULL;
}

/*
 * The option's number says what its argument is (CURLOPTTYPE_*, curl.h):
 * a long, an object or function pointer, a curl_off_t or a blob pointer.
 * The CURLMOPT_* numbers follow the same types. r = fn(h, o, the argument).
 */
#define SETOPT_FORWARD(r, fn, h, o, ap)                                                            \
	do {                                                                                       \
		if ((o) < CURLOPTTYPE_OBJECTPOINT)                                                 \
			r = fn(h, o, va_arg(ap, long));                                            \
		else if ((o) < CURLOPTTYPE_FUNCTIONPOINT)                                          \
			r = fn(h, o, va_arg(ap, void *));                                          \
		else if ((o) < CURLOPTTYPE_OFF_T)                                                  \
			r = fn(h, o, va_arg(ap, void (*)(void)));                                  \
		else if ((o) < CURLOPTTYPE_BLOB)                                                   \
			r = fn(h, o, va_arg(ap, curl_off_t));                                      \
		else                                                                               \
			r = fn(h, o, va_arg(ap, void *));                                          \
	} while (0)

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;
	CURLcode r;

	if (!loaded())
		return CURLE_FAILED_INIT;
	va_start(ap, o);
	SETOPT_FORWARD(r, REAL(curl_easy_setopt), h, o, ap);
	va_end(ap);
	return r;
}

CURLcode curl_easy_perform(CURL *h)
{
	return loaded() ? REAL(curl_easy_perform)(h) : CURLE_FAILED_INIT;
}

void curl_easy_cleanup(CURL *h)
{
	if (h && loaded())
		REAL(curl_easy_cleanup)(h);
}

/* Every CURLINFO's argument is a pointer to where the value goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
	va_list ap;
	CURLcode r;

	if (!loaded())
		return CURLE_FAILED_INIT;
	va_start(ap, i);
	r = REAL(curl_easy_getinfo)(h, i, va_arg(ap, void *));
	va_end(ap);
	return r;
}

const char *curl_easy_strerror(CURLcode c)
{
	return loaded() ? REAL(curl_easy_strerror)(c) : lib.err;
}

char *curl_easy_escape(CURL *h, const char *s, int n)
{
	return loaded() ? REAL(curl_easy_escape)(h, s, n) : NULL;
}

void curl_easy_reset(CURL *h)
{
	if (loaded())
		REAL(curl_easy_reset)(h);
}

CURLcode curl_easy_pause(CURL *h, int bits)
{
	return loaded() ? REAL(curl_easy_pause)(h, bits) : CURLE_FAILED_INIT;
}

void curl_free(void *p)
{
	if (p && loaded())
		REAL(curl_free)(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return loaded() ? REAL(curl_slist_append)(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (l && loaded())
		REAL(curl_slist_free_all)(l);
}

CURLU *curl_url(void)
{
	return loaded() ? REAL(curl_url)() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	if (u && loaded())
		REAL(curl_url_cleanup)(u);
}

CURLUcode curl_url_get(URL_GET_HANDLE *u, CURLUPart what, char **part, unsigned int flags)
{
	return loaded() ? REAL(curl_url_get)(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return loaded() ? REAL(curl_url_set)(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLM *curl_multi_init(void)
{
	return loaded() ? REAL(curl_multi_init)() : NULL;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
	va_list ap;
	CURLMcode r;

	if (!loaded())
		return CURLM_BAD_HANDLE;
	va_start(ap, o);
	SETOPT_FORWARD(r, REAL(curl_multi_setopt), m, o, ap);
	va_end(ap);
	return r;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	return loaded() ? REAL(curl_multi_add_handle)(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return loaded() ? REAL(curl_multi_remove_handle)(m, h) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return loaded() ? REAL(curl_multi_perform)(m, running) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int nfds, int ms, int *ret)
{
	return loaded() ? REAL(curl_multi_poll)(m, fds, nfds, ms, ret) : CURLM_BAD_HANDLE;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return loaded() ? REAL(curl_multi_info_read)(m, left) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return loaded() ? REAL(curl_multi_cleanup)(m) : CURLM_BAD_HANDLE;
}
