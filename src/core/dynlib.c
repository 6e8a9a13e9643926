/*
 * Libraries opened at their first use (dynlib.h). RTLD_LOCAL: their symbols
 * do not take the place of anyone else's; RTLD_NOW: a missing function is
 * known here, not at its first call. The handle is never closed: the
 * functions are used until exit.
 */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

void dynlib_open(struct dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	d->ok = 0;
	if (!h) {
		why = dlerror();
		snprintf(d->err, sizeof(d->err), "cannot load %s: %s", d->soname,
			 why ? why : "unknown error");
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		/* dlsym gives a data pointer; POSIX has it stand for the function */
		d->fns[i] = dlsym(h, d->names[i]);
		if (!d->fns[i]) {
			snprintf(d->err, sizeof(d->err), "%s has no %s", d->soname, d->names[i]);
			return;
		}
	}
	d->ok = 1;
}
