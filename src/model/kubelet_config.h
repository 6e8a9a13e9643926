#ifndef KANON_KUBELET_CONFIG_H
#define KANON_KUBELET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "model/provenance.h"
#include "parsers/cmdline.h"

struct provider;
struct node_layout;

/*
 * The kubelet's effective authentication/authorization settings, computed
 * the way the kubelet computes them (cmd/kubelet/app/server.go): defaults
 * that depend on whether a --config file is used, then the file, then the
 * --config-dir drop-ins, then the command-line flags, which win. Every
 * value keeps the chain of sources that set it.
 */
enum kubelet_key {
	KK_ANONYMOUS,     /* authentication.anonymous.enabled / --anonymous-auth */
	KK_WEBHOOK_AUTHN, /* authentication.webhook.enabled / --authentication-token-webhook */
	KK_AUTHZ_MODE,    /* authorization.mode / --authorization-mode */
	KK_READ_ONLY_PORT,/* readOnlyPort / --read-only-port */
	KK__COUNT
};

/* zero is UNKNOWN: a value nothing has set is never taken as known */
enum kval_state { KV_UNKNOWN, KV_OK };

struct kval {
	enum kval_state st;
	bool b;
	long long i;
	char *s;
	char *reason; /* why the value is UNKNOWN */
	/* every source that set the value, in order; the last one is effective */
	struct evidence *chain;
	size_t n, alloc;
};

/* One way of arriving at the settings (files+flags, or /configz). */
struct kubelet_model {
	struct kval v[KK__COUNT];
	/* The kubelet would refuse to start with this configuration. */
	char *invalid;
	struct evidence invalid_at;
	bool config_file; /* a --config file is in use (file defaults apply) */
};

struct kubelet_lint {
	struct evidence at;
	char *msg;
	bool drift; /* /configz differs from the files */
};

struct kubelet_effective {
	struct kubelet_model files;
	bool have_files;
	struct kubelet_model configz;
	bool have_configz;
	struct kubelet_lint *lint;
	size_t nlint, alint;
	bool linting_drift; /* internal: lints being added are drift */
};

struct kubelet_input {
	/* The kubelet's command line; NULL when not known. */
	const struct argv_list *argv;
	/* Where the paths named in argv are read: a process
	 * (provider_proc_create), a node root; NULL: this machine, where a
	 * relative path cannot be resolved. Borrowed. */
	const struct provider *node;
	/* Where config/config_dir/configz are read (a snapshot); NULL: the
	 * local filesystem, as the user named them. Borrowed. */
	const struct provider *src;
	/* The --config file / --config-dir as src knows them; they replace
	 * the paths from argv (and apply even when argv has none). */
	const char *config;
	const char *config_dir;
	/* JSON from /api/v1/nodes/NAME/proxy/configz, or "-". */
	const char *configz;
	/* config/config_dir/configz were named by the user: failing to read
	 * them is an input error (exit 2), not an UNKNOWN */
	bool required;
	/* Why argv is missing, for the UNKNOWN reason (NULL: no reason). */
	const char *no_argv_reason;
	/* The node layout argv was assembled from (model/node.h), for the
	 * report and remediation; NULL when argv came from elsewhere. */
	const struct node_layout *layout;
};

struct kubelet_key_info {
	const char *name;     /* dotted config path, e.g. authentication.anonymous.enabled */
	const char *flag;     /* without dashes */
};
const struct kubelet_key_info *kubelet_key_info(enum kubelet_key k);

/*
 * Compute the effective settings. Problems with the inputs themselves go to
 * res as diagnostics; a required input that can't be read sets
 * res->input_error, and when nothing else is left to judge (only an
 * unreadable --configz) returns -1.
 */
int kubelet_effective_load(const struct kubelet_input *in,
			   struct kubelet_effective *out, struct result *res);
void kubelet_effective_release(struct kubelet_effective *ke);

/* The model whose values are in force: /configz when given, else the files. */
const struct kubelet_model *kubelet_effective_model(const struct kubelet_effective *ke);

/* Does the kubelet command line set --flag (e.g. "config") to a value? */
bool kubelet_cmdline_has(const struct argv_list *argv, const char *flag);

/*
 * The kubelet reads only the files its command line names: with in->argv
 * known, an in->config or in->config_dir it does not name is dropped, with
 * a warning (the kubelet then runs without it, e.g. on the legacy flag
 * defaults). Without argv nothing changes.
 */
void kubelet_input_drop_unnamed(struct kubelet_input *in, struct result *res);

/* The kubelet flags kanon knows the type of (for parsing a command line
 * as the kubelet does, e.g. to find each word that sets a flag). */
struct flag_spec;
const struct flag_spec *kubelet_flag_specs(size_t *n);

/* "value" for display: true/false, the mode, the port. Caller frees. */
char *kval_display(enum kubelet_key k, const struct kval *v);

#endif
