#ifndef KANON_SOURCES_CURL_LAZY_H
#define KANON_SOURCES_CURL_LAZY_H

/*
 * libcurl is opened at its first use (curl_lazy.c). NULL when it is loaded
 * (loading it now if it was not), else why it could not be: for the
 * messages of the callers whose first curl call failed.
 */
const char *curl_lazy_error(void);

#endif
