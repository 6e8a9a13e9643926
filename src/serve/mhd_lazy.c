/*
 * libmicrohttpd, loaded when `kanon serve` starts its server (see
 * src/sources/curl_lazy.c for why: the other commands never need it, and
 * it brings GnuTLS in). The functions serve.c calls are defined here under
 * their own names and forward to the library's; if it cannot be loaded the
 * server does not start (MHD_start_daemon() gives NULL, as on any failure).
 */
#include <microhttpd.h>
#include <stdarg.h>

#include "core/dynlib.h"
#include "serve/mhd_lazy.h"
#include "core/banned.h"

#ifndef KANON_MHD_SONAME
#define KANON_MHD_SONAME "libmicrohttpd.so.12"
#endif

#define MHD_FUNCS(X)                                                                               \
	X(MHD_start_daemon_va, struct MHD_Daemon *,                                                \
	  (unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,    \
	   void *, va_list))                                                                       \
	X(MHD_quiesce_daemon, MHD_socket, (struct MHD_Daemon *))                                   \
	X(MHD_stop_daemon, void, (struct MHD_Daemon *))                                            \
	X(MHD_get_daemon_info, const union MHD_DaemonInfo *,                                       \
	  (struct MHD_Daemon *, enum MHD_DaemonInfoType, ...))                                     \
	X(MHD_get_connection_info, const union MHD_ConnectionInfo *,                               \
	  (struct MHD_Connection *, enum MHD_ConnectionInfoType, ...))                             \
	X(MHD_lookup_connection_value, const char *,                                               \
	  (struct MHD_Connection *, enum MHD_ValueKind, const char *))                             \
	X(MHD_queue_response, enum MHD_Result,                                                     \
	  (struct MHD_Connection *, unsigned int, struct MHD_Response *))                          \
	X(MHD_create_response_from_buffer, struct MHD_Response *,                                  \
	  (size_t, void *, enum MHD_ResponseMemoryMode))                                           \
	X(MHD_destroy_response, void, (struct MHD_Response *))                                     \
	X(MHD_add_response_header, enum MHD_Result,                                                \
	  (struct MHD_Response *, const char *, const char *))

DYNLIB_DEFINE(MHD_FUNCS, KANON_MHD_SONAME)

const char *mhd_lazy_error(void)
{
	return loaded() ? NULL : lib.err;
}

/* Its options, whatever they are, go on as a va_list (the library's own _va entry). */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!loaded())
		return NULL;
	va_start(ap, dh_cls);
	d = REAL(MHD_start_daemon_va)(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

MHD_socket MHD_quiesce_daemon(struct MHD_Daemon *d)
{
	return loaded() ? REAL(MHD_quiesce_daemon)(d) : MHD_INVALID_SOCKET;
}

void MHD_stop_daemon(struct MHD_Daemon *d)
{
	if (d && loaded())
		REAL(MHD_stop_daemon)(d);
}

/* The info types serve.c asks for (bind port; connection fd, TLS session, socket context) take no
 * argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t,
						...)
{
	return loaded() ? REAL(MHD_get_daemon_info)(d, t) : NULL;
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
							enum MHD_ConnectionInfoType t, ...)
{
	return loaded() ? REAL(MHD_get_connection_info)(c, t) : NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind k,
					const char *key)
{
	return loaded() ? REAL(MHD_lookup_connection_value)(c, k, key) : NULL;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int code,
				   struct MHD_Response *r)
{
	return loaded() ? REAL(MHD_queue_response)(c, code, r) : MHD_NO;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t n, void *buf,
						     enum MHD_ResponseMemoryMode mode)
{
	return loaded() ? REAL(MHD_create_response_from_buffer)(n, buf, mode) : NULL;
}

void MHD_destroy_response(struct MHD_Response *r)
{
	if (r && loaded())
		REAL(MHD_destroy_response)(r);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r, const char *h, const char *v)
{
	return loaded() ? REAL(MHD_add_response_header)(r, h, v) : MHD_NO;
}
