#ifndef KANON_CORE_DYNLIB_H
#define KANON_CORE_DYNLIB_H

/*
 * A shared library opened at its first use (dlopen), for the ones only
 * some commands need: the functions named in `names` are looked up into
 * `fns` (same order). See src/sources/curl_lazy.c for why.
 */
#include <pthread.h>
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

/*
 * In a file of forwarders (src/sources/curl_lazy.c): the table of the
 * library's functions, FUNCS(X) listing X(name, return type, (argument
 * types)) for each, and loaded(), 1 once the library is open and all of
 * them found (opened at the first call, once). REAL(name) is the
 * library's own function (dlsym's data pointer as a function pointer, as
 * POSIX has it).
 */
#define DYNLIB_INDEX(name, ret, args) F_##name,
#define DYNLIB_TYPE(name, ret, args)  typedef ret(*name##_fn) args;
#define DYNLIB_NAME(name, ret, args)  #name,
#define DYNLIB_DEFINE(FUNCS, SONAME)                                                               \
	enum { FUNCS(DYNLIB_INDEX) F__COUNT };                                                     \
	FUNCS(DYNLIB_TYPE)                                                                         \
	static const char *const names[] = {FUNCS(DYNLIB_NAME)};                                   \
	static void *fns[F__COUNT];                                                                \
	static struct dynlib lib = {SONAME, names, fns, F__COUNT, 0, ""};                          \
	static pthread_once_t lib_once = PTHREAD_ONCE_INIT;                                        \
	static void lib_load(void)                                                                 \
	{                                                                                          \
		dynlib_open(&lib);                                                                 \
	}                                                                                          \
	static int loaded(void)                                                                    \
	{                                                                                          \
		pthread_once(&lib_once, lib_load);                                                 \
		return lib.ok;                                                                     \
	}
#define REAL(name) ((name##_fn)fns[F_##name])

#endif
