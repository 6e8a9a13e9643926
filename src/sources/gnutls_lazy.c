/*
 * GnuTLS, loaded at its first use: the certificate details of a probe
 * (http.c) and the client certificates of `kanon serve` (serve.c); see
 * curl_lazy.c for why (GnuTLS and the libraries it needs took about 1.5 ms
 * of every start, its constructor included). libmicrohttpd, which needs it,
 * is opened on demand too (src/serve/mhd_lazy.c). The functions kanon calls
 * are defined here under their own names and forward to the library's; if
 * it cannot be loaded they fail as GnuTLS does on bad input.
 */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>

#include "core/dynlib.h"
#include "core/banned.h"

#ifndef KANON_GNUTLS_SONAME
#define KANON_GNUTLS_SONAME "libgnutls.so.30"
#endif

#define TLS_FUNCS(X)                                                                               \
	X(gnutls_x509_crt_init, int, (gnutls_x509_crt_t *))                                        \
	X(gnutls_x509_crt_deinit, void, (gnutls_x509_crt_t))                                       \
	X(gnutls_x509_crt_import, int,                                                             \
	  (gnutls_x509_crt_t, const gnutls_datum_t *, gnutls_x509_crt_fmt_t))                      \
	X(gnutls_x509_crt_get_dn2, int, (gnutls_x509_crt_t, gnutls_datum_t *))                     \
	X(gnutls_x509_crt_get_issuer_dn2, int, (gnutls_x509_crt_t, gnutls_datum_t *))              \
	X(gnutls_x509_crt_get_subject_alt_name, int,                                               \
	  (gnutls_x509_crt_t, unsigned int, void *, size_t *, unsigned int *))                     \
	X(gnutls_x509_crt_get_activation_time, time_t, (gnutls_x509_crt_t))                        \
	X(gnutls_x509_crt_get_expiration_time, time_t, (gnutls_x509_crt_t))                        \
	X(gnutls_certificate_type_get, gnutls_certificate_type_t, (gnutls_session_t))              \
	X(gnutls_certificate_get_peers, const gnutls_datum_t *,                                    \
	  (gnutls_session_t, unsigned int *))                                                      \
	X(gnutls_certificate_verify_peers, int,                                                    \
	  (gnutls_session_t, gnutls_typed_vdata_st *, unsigned int, unsigned int *))               \
	X(gnutls_free, void, (void *)) /* a variable: its address (lazy_free()) */

DYNLIB_DEFINE(TLS_FUNCS, KANON_GNUTLS_SONAME)

/* What GnuTLS allocated goes back through the library's own gnutls_free. */
static void lazy_free(void *p)
{
	if (p && loaded())
		(*(gnutls_free_function *)fns[F_gnutls_free])(p);
}

gnutls_free_function gnutls_free = lazy_free;

int gnutls_x509_crt_init(gnutls_x509_crt_t *c)
{
	return loaded() ? REAL(gnutls_x509_crt_init)(c) : GNUTLS_E_INTERNAL_ERROR;
}

void gnutls_x509_crt_deinit(gnutls_x509_crt_t c)
{
	if (c && loaded())
		REAL(gnutls_x509_crt_deinit)(c);
}

int gnutls_x509_crt_import(gnutls_x509_crt_t c, const gnutls_datum_t *d, gnutls_x509_crt_fmt_t f)
{
	return loaded() ? REAL(gnutls_x509_crt_import)(c, d, f) : GNUTLS_E_INTERNAL_ERROR;
}

int gnutls_x509_crt_get_dn2(gnutls_x509_crt_t c, gnutls_datum_t *d)
{
	return loaded() ? REAL(gnutls_x509_crt_get_dn2)(c, d) : GNUTLS_E_INTERNAL_ERROR;
}

int gnutls_x509_crt_get_issuer_dn2(gnutls_x509_crt_t c, gnutls_datum_t *d)
{
	return loaded() ? REAL(gnutls_x509_crt_get_issuer_dn2)(c, d) : GNUTLS_E_INTERNAL_ERROR;
}

int gnutls_x509_crt_get_subject_alt_name(gnutls_x509_crt_t c, unsigned int seq, void *san,
					 size_t *size, unsigned int *critical)
{
	return loaded() ? REAL(gnutls_x509_crt_get_subject_alt_name)(c, seq, san, size, critical)
			: GNUTLS_E_INTERNAL_ERROR;
}

time_t gnutls_x509_crt_get_activation_time(gnutls_x509_crt_t c)
{
	return loaded() ? REAL(gnutls_x509_crt_get_activation_time)(c) : (time_t)-1;
}

time_t gnutls_x509_crt_get_expiration_time(gnutls_x509_crt_t c)
{
	return loaded() ? REAL(gnutls_x509_crt_get_expiration_time)(c) : (time_t)-1;
}

gnutls_certificate_type_t gnutls_certificate_type_get(gnutls_session_t s)
{
	return loaded() ? REAL(gnutls_certificate_type_get)(s) : GNUTLS_CRT_UNKNOWN;
}

const gnutls_datum_t *gnutls_certificate_get_peers(gnutls_session_t s, unsigned int *n)
{
	return loaded() ? REAL(gnutls_certificate_get_peers)(s, n) : NULL;
}

int gnutls_certificate_verify_peers(gnutls_session_t s, gnutls_typed_vdata_st *data, unsigned int n,
				    unsigned int *status)
{
	return loaded() ? REAL(gnutls_certificate_verify_peers)(s, data, n, status)
			: GNUTLS_E_INTERNAL_ERROR;
}
