/* k3s/RKE2: config.yaml merge rules, GetArgs, and the command lines built. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/node.h"
#include "core/strbuf.h"
#include "model/node_rancher.h"
#include "sources/provider.h"

#include "tmpdir.h"

/* A fresh node root below tmpdir for each test. */
static char root[128];

static void new_root(const char *name)
{
	snprintf(root, sizeof(root), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(root, 0755), 0);
}

static void write_file(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

static void merge(struct rancher_config *c, const char *text, const char *path, struct result *res)
{
	rancher_config_merge(c, text, strlen(text), path, res);
}

static const char *val(const struct rancher_config *c, const char *key, size_t i)
{
	const struct rancher_key *k = rancher_config_get(c, key);

	if (!k || i >= k->n)
		return NULL;
	return k->v[i].s;
}

static size_t count(const struct rancher_config *c, const char *key)
{
	const struct rancher_key *k = rancher_config_get(c, key);

	return k ? k->n : 0;
}

/* parser.go readConfigFile: a later file's key replaces; `key+` appends. */
static void test_merge_replace_append(void **state)
{
	struct rancher_config c;
	struct result res;
	const struct rancher_key *k;

	(void)state;
	rancher_config_init(&c);
	result_init(&res);
	merge(&c, "kubelet-arg:\n  - anonymous-auth=true\n  - v=2\n", "/c.yaml", &res);
	merge(&c, "kubelet-arg:\n  - read-only-port=10255\n", "/c.yaml.d/10.yaml", &res);
	assert_int_equal(count(&c, "kubelet-arg"), 1);
	assert_string_equal(val(&c, "kubelet-arg", 0), "read-only-port=10255");
	merge(&c, "kubelet-arg+:\n  - read-only-port=0\nkubelet-arg+: anonymous-auth=false\n",
	      "/c.yaml.d/20.yaml", &res);
	k = rancher_config_get(&c, "kubelet-arg");
	assert_non_null(k);
	assert_true(k->list);
	assert_int_equal(k->n, 3);
	assert_string_equal(k->v[1].s, "read-only-port=0");
	assert_string_equal(k->v[1].path, "/c.yaml.d/20.yaml");
	assert_int_equal(k->v[1].line, 2);
	assert_string_equal(k->v[2].s, "anonymous-auth=false");
	assert_int_equal(k->v[2].line, 3);
	/* without '+' a repeated key replaces, also within one file */
	merge(&c, "kubelet-arg: [a=1]\nkubelet-arg: [b=2]\n", "/c.yaml.d/30.yaml", &res);
	assert_int_equal(count(&c, "kubelet-arg"), 1);
	assert_string_equal(val(&c, "kubelet-arg", 0), "b=2");
	assert_null(c.fatal);
	assert_int_equal(res.nd, 0);
	rancher_config_release(&c);
	result_release(&res);
}

/* Keys keep first-seen order; scalars are printed as yaml.v2 decoded them. */
static void test_merge_scalars(void **state)
{
	struct rancher_config c;
	struct result res;

	(void)state;
	rancher_config_init(&c);
	result_init(&res);
	merge(&c,
	      "write-kubeconfig-mode: 0644\nquoted: \"0644\"\nflag: yes\nempty:\n"
	      "list+: [x]\n",
	      "/c.yaml", &res);
	assert_string_equal(c.k[0].name, "write-kubeconfig-mode");
	assert_string_equal(val(&c, "write-kubeconfig-mode", 0), "420"); /* YAML 1.1 octal */
	assert_string_equal(val(&c, "quoted", 0), "0644");
	assert_string_equal(val(&c, "flag", 0), "true");
	assert_string_equal(val(&c, "empty", 0), "");
	/* `list+` with nothing before it is a plain set */
	assert_string_equal(val(&c, "list", 0), "x");
	/* appending to a null drops it (toSlice); to a scalar makes a list */
	merge(&c, "empty+: [a]\nflag+: b\n", "/d.yaml", &res);
	assert_int_equal(count(&c, "empty"), 1);
	assert_string_equal(val(&c, "empty", 0), "a");
	assert_int_equal(count(&c, "flag"), 2);
	assert_string_equal(val(&c, "flag", 1), "b");
	assert_true(rancher_config_get(&c, "flag")->list);
	/* the order of first appearance stays */
	assert_string_equal(c.k[2].name, "flag");
	rancher_config_release(&c);
	result_release(&res);
}

/* A file that does not parse stops k3s: fatal, with the file and line. */
static void test_merge_bad_yaml(void **state)
{
	struct rancher_config c;
	struct result res;

	(void)state;
	rancher_config_init(&c);
	result_init(&res);
	merge(&c, "kubelet-arg: [a=1]\n", "/c.yaml", &res);
	merge(&c, "a: b\nkubelet-arg: [\n", "/c.yaml.d/10.yaml", &res);
	assert_non_null(c.fatal);
	assert_non_null(strstr(c.fatal, "/c.yaml.d/10.yaml:"));
	assert_int_equal(res.nd, 1);
	assert_non_null(strstr(res.d[0].text, "/c.yaml.d/10.yaml:"));
	/* the earlier file's values are kept for what is shown */
	assert_string_equal(val(&c, "kubelet-arg", 0), "a=1");
	rancher_config_release(&c);
	rancher_config_init(&c);
	merge(&c, "- a\n- b\n", "/list.yaml", &res);
	assert_non_null(c.fatal);
	assert_non_null(strstr(c.fatal, "/list.yaml:1: not a map"));
	/* yaml.Unmarshal reads the first document only */
	rancher_config_release(&c);
	rancher_config_init(&c);
	merge(&c, "a: 1\n---\nb: 2\n", "/two.yaml", &res);
	assert_null(c.fatal);
	assert_null(rancher_config_get(&c, "b"));
	rancher_config_release(&c);
	result_release(&res);
}

static void check_argv(const struct argv_list *a, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n && i < a->n; i++)
		assert_string_equal(a->v[i], want[i]);
	assert_int_equal(a->n, n);
}

/* pkg/util/args.go GetArgs: replace, `+` append, `-` prepend, sorted by key. */
static void test_get_args(void **state)
{
	static const struct rancher_default defs[] = {
	    {"anonymous-auth", "false", NULL, "k3s"},
	    {"read-only-port", "0", NULL, "k3s"},
	    {"authorization-mode", "Webhook", NULL, "k3s"},
	};
	static const char *const want[] = {
	    "--anonymous-auth=true",
	    "--anonymous-auth=false",
	    "--authorization-mode=AlwaysAllow",
	    "--authorization-mode=Webhook",
	    "--feature-gates=A=true,B=false",
	    "--protect-kernel-defaults=true",
	    "--read-only-port=0",
	    "--read-only-port=10255",
	    "--v=2",
	};
	struct rancher_config c;
	struct result res;
	struct argv_list a;
	const struct argv_origin *o;

	(void)state;
	rancher_config_init(&c);
	result_init(&res);
	argv_init(&a);
	merge(&c,
	      "kubelet-arg:\n- anonymous-auth=true\n- read-only-port+=10255\n"
	      "- --authorization-mode-=AlwaysAllow\n- v=2\n- feature-gates=A=true,B=false\n"
	      "- protect-kernel-defaults\n- anonymous-auth=false\n",
	      "/etc/rancher/k3s/config.yaml", &res);
	rancher_get_args(defs, 3, rancher_config_get(&c, "kubelet-arg"), "kubelet-arg", &a);
	check_argv(&a, want, sizeof(want) / sizeof(want[0]));
	o = argv_origin(&a, 0);
	assert_non_null(o);
	assert_string_equal(o->path, "/etc/rancher/k3s/config.yaml");
	assert_int_equal(o->line, 2);
	assert_non_null(strstr(o->note, "kubelet-arg entry 'anonymous-auth=true'"));
	o = argv_origin(&a, 6); /* k3s's own read-only-port, kept by the '+' */
	assert_non_null(o);
	assert_null(o->path);
	assert_string_equal(o->note, "k3s");
	assert_string_equal(rancher_arg_value(rancher_config_get(&c, "kubelet-arg"), "v", NULL),
			    "2");
	assert_null(
	    rancher_arg_value(rancher_config_get(&c, "kubelet-arg"), "read-only-port", NULL));
	argv_release(&a);
	rancher_config_release(&c);
	result_release(&res);
}

struct found {
	struct provider *p;
	struct node_layout l;
	struct result res;
	int r;
};

static void find(struct found *f, bool apiserver)
{
	f->p = provider_root_create(NULL, root);
	result_init(&f->res);
	node_layout_init(&f->l);
	f->r = apiserver ? node_rancher_apiserver(f->p, &f->l, &f->res)
			 : node_rancher_kubelet(f->p, &f->l, &f->res);
}

static void found_release(struct found *f)
{
	node_layout_release(&f->l);
	result_release(&f->res);
	provider_destroy(f->p);
}

static ssize_t word(const struct argv_list *a, const char *w)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], w))
			return (ssize_t)i;
	return -1;
}

/* A node image: config.yaml only; k3s's drop-in values stand as flags. */
static void test_kubelet_k3s_defaults(void **state)
{
	static const char *const want[] = {
	    "kubelet",
	    "--anonymous-auth=false",
	    "--authentication-token-webhook=true",
	    "--authorization-mode=Webhook",
	    "--kubeconfig=/var/lib/rancher/k3s/agent/kubelet.kubeconfig",
	    "--read-only-port=0",
	};
	struct found f;
	const struct argv_origin *o;

	(void)state;
	new_root("k3s-defaults");
	write_file("/etc/rancher/k3s/config.yaml", "write-kubeconfig-mode: \"0644\"\n");
	find(&f, false);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.l.kind, "k3s");
	assert_string_equal(f.l.where, "/etc/rancher/k3s/config.yaml");
	assert_non_null(strstr(f.l.fix, "kubelet-arg"));
	assert_null(f.l.unknown);
	check_argv(&f.l.argv, want, sizeof(want) / sizeof(want[0]));
	o = argv_origin(&f.l.argv, 1);
	assert_null(o->path); /* k3s rewrites the file: not a place to edit */
	assert_non_null(strstr(o->note, "defaultKubeletConfig"));
	assert_non_null(
	    strstr(o->note, "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf"));
	found_release(&f);
}

/* A user flag replaces k3s's; with k3s's drop-in on disk, --config-dir names it. */
static void test_kubelet_k3s_user_and_dropin(void **state)
{
	struct found f;
	ssize_t i;

	(void)state;
	new_root("k3s-user");
	write_file("/etc/rancher/k3s/config.yaml", "kubelet-arg:\n  - anonymous-auth=true\n");
	find(&f, false);
	assert_int_equal(word(&f.l.argv, "--anonymous-auth=false"), -1);
	i = word(&f.l.argv, "--anonymous-auth=true");
	assert_true(i > 0);
	assert_int_equal(argv_origin(&f.l.argv, (size_t)i)->line, 2);
	assert_int_equal(word(&f.l.argv, "--authorization-mode=Webhook"), 2);
	found_release(&f);

	write_file("/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf",
		   "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n");
	find(&f, false);
	assert_true(word(&f.l.argv, "--config-dir=/var/lib/rancher/k3s/agent/etc/kubelet.conf.d") >
		    0);
	assert_int_equal(word(&f.l.argv, "--authorization-mode=Webhook"), -1);
	assert_null(f.l.unknown);
	found_release(&f);

	/* a user drop-in without k3s's own: the order is not known */
	new_root("k3s-user-dropin");
	write_file("/etc/rancher/k3s/config.yaml", "data-dir: /srv/k3s\n");
	write_file("/srv/k3s/agent/etc/kubelet.conf.d/50-mine.conf", "readOnlyPort: 10255\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "00-k3s-defaults.conf"));
	assert_true(word(&f.l.argv, "--kubeconfig=/srv/k3s/agent/kubelet.kubeconfig") > 0);
	found_release(&f);
}

/* config.yaml.d alone, an ignored .txt, and a drop-in that does not parse. */
static void test_kubelet_dropins_and_bad_file(void **state)
{
	struct found f;
	bool ignored = false;

	(void)state;
	new_root("k3s-d");
	write_file("/etc/rancher/k3s/config.yaml.d/10-a.yml", "kubelet-arg: [v=3]\n");
	write_file("/etc/rancher/k3s/config.yaml.d/20-b.txt", "kubelet-arg: [v=9]\n");
	find(&f, false);
	assert_int_equal(f.r, 1);
	assert_true(word(&f.l.argv, "--v=3") > 0);
	assert_int_equal(word(&f.l.argv, "--v=9"), -1);
	assert_false(f.l.files[0].present); /* config.yaml itself */
	assert_string_equal(f.l.where, "/etc/rancher/k3s/config.yaml.d/10-a.yml");
	for (size_t i = 0; i < f.l.nfiles; i++)
		if (strstr(f.l.files[i].path, "20-b.txt"))
			ignored = f.l.files[i].note && strstr(f.l.files[i].note, "ignored");
	assert_true(ignored);
	found_release(&f);

	/* a near miss does not reach the kubelet: a warning */
	write_file("/etc/rancher/k3s/config.yaml", "kubelet_args:\n  - anonymous-auth=false\n");
	find(&f, false);
	assert_int_equal(f.res.nd, 1);
	assert_non_null(
	    strstr(f.res.d[0].text, "config.yaml:2: 'kubelet_args' is not a k3s option"));
	found_release(&f);

	write_file("/etc/rancher/k3s/config.yaml.d/30-c.yaml", "kubelet-arg: [\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "30-c.yaml:"));
	assert_true(f.res.nd >= 1);
	found_release(&f);
}

/* Hostile input: too many entries is UNKNOWN, quickly. */
static void test_limits(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	new_root("k3s-big");
	strbuf_addstr(&sb, "kubelet-arg:\n");
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "- k%d=%d\n", i, i);
	write_file("/etc/rancher/k3s/config.yaml", sb.buf);
	find(&f, false);
	assert_int_equal(f.r, 1);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "more than 4096 kubelet-arg entries"));
	found_release(&f);
	strbuf_reset(&sb);
	for (int i = 0; i < 5000; i++)
		strbuf_addf(&sb, "k%d: %d\n", i, i);
	write_file("/etc/rancher/k3s/config.yaml", sb.buf);
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "more than 4096 keys"));
	found_release(&f);
	strbuf_release(&sb);
}

/* The unit's ExecStart= options follow config.yaml's; what is not modelled is UNKNOWN. */
static void test_unit(void **state)
{
	struct found f;
	ssize_t t, fa;

	(void)state;
	new_root("k3s-unit");
	write_file("/etc/rancher/k3s/config.yaml", "kubelet-arg: [anonymous-auth=false]\n");
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStopPost=/bin/sh -c 'echo -c'\nExecStart=/usr/local/bin/k3s \\\n"
		   "    server \\\n\t'--kubelet-arg' \\\n\t'anonymous-auth=true' \\\n");
	find(&f, false);
	assert_null(f.l.unknown);
	fa = word(&f.l.argv, "--anonymous-auth=false");
	t = word(&f.l.argv, "--anonymous-auth=true");
	assert_true(fa > 0 && t == fa + 1); /* the command line's entry comes last */
	assert_string_equal(argv_origin(&f.l.argv, (size_t)t)->path,
			    "/etc/systemd/system/k3s.service");
	assert_int_equal(argv_origin(&f.l.argv, (size_t)t)->line, 3);
	found_release(&f);

	/* -c and --data-dir change the files read and the paths */
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server -c /srv/k3s.yaml "
		   "--data-dir=/srv/data\n");
	write_file("/srv/k3s.yaml", "kubelet-arg: [v=5]\n");
	find(&f, false);
	assert_null(f.l.unknown);
	assert_string_equal(f.l.where, "/srv/k3s.yaml");
	assert_true(word(&f.l.argv, "--v=5") > 0);
	assert_true(word(&f.l.argv, "--kubeconfig=/srv/data/agent/kubelet.kubeconfig") > 0);
	found_release(&f);

	/* an empty ExecStart= resets; two commands are not modelled */
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server --kubelet-arg=v=1\nExecStart=\n"
		   "ExecStart=/usr/local/bin/k3s server --kubelet-arg=v=2\n");
	find(&f, false);
	assert_null(f.l.unknown);
	assert_int_equal(word(&f.l.argv, "--v=1"), -1);
	assert_true(word(&f.l.argv, "--v=2") > 0);
	found_release(&f);
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server\nExecStart=/bin/true\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "more than one"));
	found_release(&f);

	/* a variable in ExecStart=, a drop-in: not modelled */
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server $K3S_ARGS\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "environment variable"));
	found_release(&f);
	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server\n");
	write_file("/etc/systemd/system/k3s.service.d/override.conf", "[Service]\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "drop-ins"));
	found_release(&f);

	new_root("k3s-unit-ok");
	write_file(
	    "/etc/systemd/system/k3s-agent.service",
	    "[Service]\nExecStopPost=/bin/sh -c 'echo'\nExecStart=/usr/local/bin/k3s agent\n");
	write_file("/etc/systemd/system/k3s-agent.service.env", "K3S_URL=https://a:6443\n");
	find(&f, false);
	assert_int_equal(f.r, 1);
	assert_null(f.l.unknown);
	found_release(&f);
	/* an agent runs no kube-apiserver */
	find(&f, true);
	assert_int_equal(f.r, 0);
	found_release(&f);

	write_file("/etc/rancher/k3s/config.yaml", "rootless: true\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "rootless"));
	found_release(&f);

	write_file("/etc/rancher/k3s/config.yaml", "token: x\n");
	write_file("/etc/systemd/system/k3s-agent.service.env", "K3S_CONFIG_FILE=/srv/c.yaml\n");
	find(&f, false);
	assert_non_null(f.l.unknown);
	assert_non_null(strstr(f.l.unknown, "K3S_CONFIG_FILE"));
	found_release(&f);
}

/* pkg/daemons/control/server.go apiServer, on a k3s server. */
static void test_apiserver_k3s(void **state)
{
	static const char *const want[] = {
	    "kube-apiserver",
	    "--allow-privileged=true",
	    "--anonymous-auth=true",
	    "--authorization-mode=Node,RBAC",
	    "--client-ca-file=/var/lib/rancher/k3s/server/tls/client-ca.crt",
	    "--enable-admission-plugins=NodeRestriction",
	    "--enable-bootstrap-token-auth=true",
	    "--profiling=false",
	};
	struct found f;

	(void)state;
	new_root("k3s-server");
	write_file("/etc/rancher/k3s/config.yaml",
		   "kube-apiserver-arg:\n  - anonymous-auth=true\n");
	/* no unit: whether the node runs `k3s server` is not known */
	find(&f, true);
	assert_int_equal(f.r, 1);
	assert_non_null(f.l.unknown);
	found_release(&f);

	write_file("/etc/systemd/system/k3s.service",
		   "[Service]\nExecStart=/usr/local/bin/k3s server\n");
	find(&f, true);
	assert_int_equal(f.r, 1);
	assert_null(f.l.unknown);
	assert_string_equal(f.l.kind, "k3s");
	assert_non_null(strstr(f.l.fix, "kube-apiserver-arg"));
	check_argv(&f.l.argv, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(argv_origin(&f.l.argv, 2)->line, 2);
	found_release(&f);

	/* an etcd-only server runs no kube-apiserver */
	write_file("/etc/rancher/k3s/config.yaml.d/90-etcd.yaml", "disable-apiserver: true\n");
	find(&f, true);
	assert_int_equal(f.r, 0);
	found_release(&f);
	remove_file("/etc/rancher/k3s/config.yaml.d/90-etcd.yaml");

	/* an authentication config file: k3s leaves --anonymous-auth out */
	write_file("/etc/rancher/k3s/config.yaml",
		   "kube-apiserver-arg:\n  - authentication-config=/etc/authn.yaml\n");
	find(&f, true);
	assert_int_equal(word(&f.l.argv, "--anonymous-auth=false"), -1);
	assert_true(word(&f.l.argv, "--authentication-config=/etc/authn.yaml") > 0);
	assert_null(f.l.unknown);
	found_release(&f);

	/* an empty value: util.ArgValue gives "", and k3s sets the flag */
	write_file(
	    "/etc/rancher/k3s/config.yaml",
	    "kube-apiserver-arg:\n  - authentication-config=\n  - authentication-config=/a\n");
	find(&f, true);
	assert_true(word(&f.l.argv, "--anonymous-auth=false") > 0);
	found_release(&f);
	write_file("/etc/rancher/k3s/config.yaml",
		   "kube-apiserver-arg:\n  - authorization-config\n");
	find(&f, true);
	assert_non_null(f.l.unknown);
	found_release(&f);
}

/* RKE2: the static pod it wrote is read instead. */
static void test_apiserver_rke2_manifest(void **state)
{
	struct found f;

	(void)state;
	new_root("rke2");
	write_file("/etc/rancher/rke2/config.yaml", "token: x\n");
	write_file("/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml", "kind: Pod\n");
	find(&f, true);
	assert_int_equal(f.r, 1);
	assert_string_equal(f.l.kind, "rke2");
	assert_string_equal(f.l.manifest,
			    "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml");
	assert_string_equal(f.l.where, f.l.manifest);
	assert_int_equal(f.l.argv.n, 0);
	found_release(&f);
	find(&f, false);
	assert_int_equal(f.r, 1);
	assert_true(word(&f.l.argv, "--kubeconfig=/var/lib/rancher/rke2/agent/kubelet.kubeconfig") >
		    0);
	assert_non_null(
	    strstr(argv_origin(&f.l.argv, 1)->note,
		   "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf"));
	found_release(&f);

	new_root("none");
	write_file("/etc/kubernetes/manifests/kube-apiserver.yaml", "kind: Pod\n");
	find(&f, true);
	assert_int_equal(f.r, 0);
	found_release(&f);
	find(&f, false);
	assert_int_equal(f.r, 0);
	found_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_replace_append),
	    cmocka_unit_test(test_merge_scalars),
	    cmocka_unit_test(test_merge_bad_yaml),
	    cmocka_unit_test(test_get_args),
	    cmocka_unit_test(test_kubelet_k3s_defaults),
	    cmocka_unit_test(test_kubelet_k3s_user_and_dropin),
	    cmocka_unit_test(test_kubelet_dropins_and_bad_file),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_unit),
	    cmocka_unit_test(test_apiserver_k3s),
	    cmocka_unit_test(test_apiserver_rke2_manifest),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
