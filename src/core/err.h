#ifndef KANON_ERR_H
#define KANON_ERR_H

/*
 * Error detail for functions that return int (0 ok, negative failure).
 * Callers that do not care pass NULL.
 */
struct err {
	char file[512];
	int line; /* 1-based, 0 when unknown */
	char msg[512];
};

/* Fill *e (when non-NULL) and return -1 so that `return err_set(...)` works. */
int err_set(struct err *e, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "file:line: msg" (or less, when parts are unknown) into buf. */
const char *err_format(const struct err *e, char *buf, unsigned long size);

#endif
