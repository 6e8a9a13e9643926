#ifndef KANON_RBAC_MODEL_H
#define KANON_RBAC_MODEL_H

/*
 * RBAC objects (Role, ClusterRole, RoleBinding, ClusterRoleBinding) as users
 * export them, loaded into a compact model: roles indexed by kind, namespace
 * and name; aggregated ClusterRoles resolved to a fixed point the way the
 * clusterrole-aggregation controller fills them in.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "model/provenance.h"
#include "core/strbuf.h"
#include "parsers/node.h"

struct rbac_strs {
	const char **v;
	size_t n;
};

struct rbac_role;

/* One PolicyRule. Strings live in the set's arena. */
struct rbac_rule {
	struct rbac_strs verbs, groups, resources, names, urls;
	const char *file; /* NULL for kanon's built-in default roles */
	int line;
	int index;		      /* position in the rules of `from` */
	const struct rbac_role *from; /* the role that holds it as written */
};

struct rbac_label {
	const char *key, *value;
};

enum rbac_sel_op { SEL_IN, SEL_NOT_IN, SEL_EXISTS, SEL_NOT_EXISTS };

struct rbac_sel_expr {
	const char *key;
	enum rbac_sel_op op;
	struct rbac_strs values;
};

/* A metav1.LabelSelector: every matchLabels and matchExpressions entry must hold. */
struct rbac_selector {
	struct rbac_label *labels;
	size_t nlabels;
	struct rbac_sel_expr *expr;
	size_t nexpr;
};

struct rbac_role {
	bool cluster;	/* ClusterRole */
	const char *ns; /* Role: "" when metadata.namespace is absent */
	const char *name;
	const char *file; /* NULL: built-in default */
	int line;
	struct rbac_rule *rules; /* as written */
	size_t nrules;
	struct rbac_label *labels;
	size_t nlabels;
	bool aggregated; /* has an aggregationRule: `rules` are replaced */
	struct rbac_selector *sel;
	size_t nsel;
	/* effective rules: own rules, or for aggregated roles the union */
	const struct rbac_rule **eff;
	size_t neff, aeff;
	bool eff_owned;			/* eff is malloc'd */
	const struct rbac_role **parts; /* aggregated from, in controller order */
	size_t nparts, aparts;
	bool superseded;  /* a later object of the same kind and name replaced it */
	bool autoupdate;  /* rbac.authorization.kubernetes.io/autoupdate: "true" */
	bool kept_stored; /* aggregated, nothing matched: its stored rules kept */
	size_t agg_mark;  /* rbac_set_resolve(): already a part in this pass */
	size_t agg_idx;	  /* rbac_set_resolve(): index + 1 among aggregated roles, 0 if not */
	bool agg_capped;  /* more aggregated rules than kanon keeps */
};

struct rbac_subject {
	const char *kind, *name, *ns, *api_group;
	int line;
};

struct rbac_binding {
	bool cluster;	/* ClusterRoleBinding */
	const char *ns; /* "" when metadata.namespace is absent */
	const char *name;
	const char *file;
	int line;
	const char *ref_kind, *ref_name;
	int ref_line;
	struct rbac_subject *subj;
	size_t nsubj;
	bool superseded;
	bool autoupdate;
};

/* Problems found while loading, turned into findings by the check. */
enum rbac_issue_kind {
	RBAC_ISSUE_INVALID,	/* Kubernetes would refuse the object */
	RBAC_ISSUE_DUPLICATE,	/* the same object twice: the later one wins */
	RBAC_ISSUE_AGGREGATION, /* aggregation selectors that never settle */
};

struct rbac_issue {
	enum rbac_issue_kind kind;
	char *target; /* "ClusterRole/name" */
	char *file;
	int line;
	char *key;
	char *value;
	char *msg;
	char *file2; /* DUPLICATE: the earlier object */
	int line2;
};

struct rbac_arena_chunk;

struct rbac_set {
	struct rbac_arena_chunk *arena;
	struct rbac_role **roles;
	size_t nroles, aroles;
	struct rbac_binding **bindings;
	size_t nbindings, abindings;
	struct rbac_issue *issues;
	size_t nissues, aissues;
	/* kind/namespace/name -> index; open addressing */
	struct rbac_slot *rindex, *bindex;
	size_t rcap, rcount, bcap, bcount;
	size_t skipped;		  /* objects of other kinds */
	size_t files;		  /* files read */
	bool input_error;	  /* a file could not be read or parsed */
	struct rbac_set *builtin; /* kanon's default roles, loaded on first use */
	bool is_builtin;	  /* this is such a set: no defaults of its own */
	size_t agg_mark;	  /* last rbac_role.agg_mark handed out */
};

void rbac_set_init(struct rbac_set *s);
void rbac_set_release(struct rbac_set *s);

/*
 * Add the RBAC objects of one parsed document: an object, or a List of
 * them (kind List or *List, "items"). Other kinds are skipped (counted,
 * noted as diagnostics). Borrows doc; `file` names it in evidence.
 */
void rbac_set_add_doc(struct rbac_set *s, const struct node *doc, const char *file,
		      struct result *res);

/*
 * Read and add a file ("-" is standard input) or every manifest below a
 * directory (names ending in .yaml, .yml or .json, also before a last
 * extension such as .yaml.template). Unreadable or unparsable input is
 * reported as an error diagnostic naming file and line, sets
 * s->input_error, and the objects before the error are kept.
 * Returns the number of files read.
 */
struct provider;
/*
 * Load path from provider p: a file, or every *.yaml, *.yml and *.json
 * below a directory (others are noted; FIFOs and devices are skipped with
 * a warning). Returns how many files were read.
 */
int rbac_set_load_path(struct rbac_set *s, const struct provider *p, const char *path,
		       struct result *res);
int rbac_set_load_buf(struct rbac_set *s, const char *buf, size_t len, const char *file,
		      struct result *res);

/*
 * After loading: add kanon's copy of every bootstrap ClusterRole the input
 * lacks (file NULL: the API server recreates them at startup, so they take
 * part in aggregation on every cluster), then resolve aggregated
 * ClusterRoles to a fixed point (pkg/controller/clusterroleaggregation).
 * Idempotent.
 */
void rbac_set_resolve(struct rbac_set *s);

/*
 * The role a binding refers to; NULL when it is not in the input. With
 * builtin, a missing bootstrap ClusterRole (cluster-admin,
 * system:public-info-viewer, ...) is taken from kanon's copy of the
 * Kubernetes defaults: the API server recreates them at startup.
 */
const struct rbac_role *rbac_set_find_role(struct rbac_set *s, bool cluster, const char *ns,
					   const char *name, bool builtin);

bool rbac_selector_matches(const struct rbac_selector *sel, const struct rbac_label *labels,
			   size_t nlabels);

/* "[get,list]" */
void rbac_strs_format(struct strbuf *sb, const struct rbac_strs *s);
/* "verbs=[get] apiGroups=[\"\"] resources=[secrets]" */
void rbac_rule_format(struct strbuf *sb, const struct rbac_rule *r);
bool rbac_strs_has(const struct rbac_strs *s, const char *v);

/* Arena helpers for tests and built-in data. */
void *rbac_set_alloc(struct rbac_set *s, size_t n);
const char *rbac_set_strdup(struct rbac_set *s, const char *str);

#endif
