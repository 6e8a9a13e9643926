#ifndef KANON_SERVE_MHD_LAZY_H
#define KANON_SERVE_MHD_LAZY_H

/*
 * libmicrohttpd is opened when the server starts (mhd_lazy.c). NULL when it
 * is loaded (loading it now if it was not), else why it could not be: a
 * failed MHD_start_daemon() then names the library, not the address.
 */
const char *mhd_lazy_error(void);

#endif
