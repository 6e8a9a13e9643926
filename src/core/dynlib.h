#ifndef KANON_CORE_DYNLIB_H
#define KANON_CORE_DYNLIB_H

/*
 * A shared library opened at its first use (dlopen), for the ones only
 * some commands need: the functions named in `names` are looked up into
 * `fns` (same order). See src/sources/curl_lazy.c for why.
 */
#include <stddef.h>

struct dynlib {
	const char *soname;
	const char *const *names;
	void **fns;
	size_t n;
	int ok;	       /* all found */
	char err[256]; /* why not */
};

/* Open d->soname and look its functions up; sets d->ok or d->err. Call it once (pthread_once). */
void dynlib_open(struct dynlib *d);

#endif
