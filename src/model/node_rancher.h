#ifndef KANON_NODE_RANCHER_H
#define KANON_NODE_RANCHER_H

/*
 * k3s and RKE2 (node_rancher*.c): their config.yaml files as k3s reads
 * them, and the command lines they build from them. Internal to the
 * node_rancher*.c files and their unit tests.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "parsers/cmdline.h"

struct node_layout;
struct provider;

/* One value of a config.yaml key (one list item, or the scalar). */
struct rancher_value {
	char *s;      /* as k3s turns it into a string (convert.ToString) */
	char *path;   /* the file it was written in */
	int line;     /* 1-based */
	bool null;    /* YAML null: dropped when appended to (toSlice) */
	bool inexact; /* a float or a map: Go's %v text is not modelled */
};

struct rancher_key {
	char *name; /* without a trailing '+' */
	struct rancher_value *v;
	size_t n, alloc;
	bool list; /* a sequence (each item one flag); else one scalar */
};

/* The merged keys of config.yaml and config.yaml.d/ *.yaml, in first-seen order. */
struct rancher_config {
	struct rancher_key *k;
	size_t n, alloc;
	/* Why k3s would refuse to start with these files (or kanon's limits
	 * were reached: RANCHER_MAX_*), or NULL. */
	char *fatal;
	size_t nvalues; /* values ever read, for RANCHER_MAX_VALUES */
};

/* Hostile input: beyond these the command line is UNKNOWN (real nodes
 * have a few dozen keys and entries). */
#define RANCHER_MAX_KEYS   4096
#define RANCHER_MAX_VALUES 65536
#define RANCHER_MAX_ARGS   4096

void rancher_config_init(struct rancher_config *c);
void rancher_config_release(struct rancher_config *c);

/*
 * Merge one file (its text) as k3s's readConfigFile() does: a key
 * replaces the earlier files' value, a key written with a trailing '+'
 * appends to it. A file that does not parse sets c->fatal (k3s stops) and
 * a diagnostic with the file's line; returns -1 then, else 0.
 */
int rancher_config_merge(struct rancher_config *c, const char *buf, size_t len, const char *path,
			 struct result *res);
const struct rancher_key *rancher_config_get(const struct rancher_config *c, const char *name);

/* Add one value to key name (a list), as a command-line option gives it. */
void rancher_config_add(struct rancher_config *c, const char *name, const char *value,
			const char *path, int line);
/*
 * Apply the options of k3s's command line after the config files' (they
 * follow them: configfilearg Parse): *-arg entries are appended to the
 * lists, any other option replaces the files' value.
 */
void rancher_config_apply_cli(struct rancher_config *c, const struct rancher_config *cli);

/* What a k3s/RKE2 systemd unit gives k3s (node_rancher_unit.c). */
struct rancher_unit {
	int role;		     /* 1 `server`, 2 `agent`, 0 not known */
	struct rancher_config flags; /* kubelet-arg, kube-apiserver-arg, config, data-dir,
					rootless, as config keys */
	char *unknown;		     /* why its command line is not known, or NULL */
};

void rancher_unit_init(struct rancher_unit *u);
void rancher_unit_release(struct rancher_unit *u);
/* Read the unit at path. Returns -1 when it cannot be read, else 0. */
int rancher_unit_read(const struct provider *root, const char *path, struct rancher_unit *u,
		      struct result *res);

/* A flag a distribution sets itself, and where that is written. */
struct rancher_default {
	const char *key; /* without dashes */
	const char *value;
	const char *path; /* a file for evidence, or NULL */
	const char *note; /* e.g. "set by k3s (pkg/daemons/...)" */
};

/*
 * k3s's pkg/util/args.go GetArgs(): the defaults, overridden (or, with a
 * `key+=` / `key-=` entry, appended/prepended to) by the user's *-arg
 * entries, pushed onto out as "--key=value" sorted by key. `what` names
 * the config key in evidence ("kubelet-arg").
 */
void rancher_get_args(const struct rancher_default *d, size_t nd, const struct rancher_key *extra,
		      const char *what, struct argv_list *out);
/*
 * util.ArgValue(): the value of the first entry named `name`, or NULL.
 * *bare (may be NULL) tells that entry had no '=' (k3s then panics).
 */
const char *rancher_arg_value(const struct rancher_key *extra, const char *name, bool *bare);

/*
 * Read DIR's config.yaml and config.yaml.d/ (`config` is the config.yaml
 * path as the node names it) into c, recording each file in out.
 * Returns the number of files found (0: neither exists).
 */
int rancher_config_read(const struct provider *root, const char *config, struct node_layout *out,
			struct rancher_config *c, struct result *res);

#endif
