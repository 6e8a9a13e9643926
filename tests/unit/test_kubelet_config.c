/* Merge order and defaults of the effective kubelet configuration. */
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

#include "model/kubelet_config.h"
#include "core/strbuf.h"

#include "tmpdir.h"

static const char *write_file(const char *rel, const char *text)
{
	static char path[256];
	FILE *f;
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define HDR "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"

struct run {
	struct kubelet_effective ke;
	struct result res;
	struct argv_list argv;
};

static const struct kubelet_model *load(struct run *r, const char *cmdline,
					const char *config, const char *dir)
{
	struct kubelet_input in;

	memset(&in, 0, sizeof(in));
	result_init(&r->res);
	argv_init(&r->argv);
	if (cmdline) {
		assert_int_equal(cmdline_split(cmdline, &r->argv, NULL), 0);
		in.argv = &r->argv;
	}
	in.config = config;
	in.config_dir = dir;
	in.required = true;
	assert_int_equal(kubelet_effective_load(&in, &r->ke, &r->res), 0);
	return kubelet_effective_model(&r->ke);
}

static void done(struct run *r)
{
	kubelet_effective_release(&r->ke);
	result_release(&r->res);
	argv_release(&r->argv);
}

static void test_legacy_defaults(void **state)
{
	struct run r;
	const struct kubelet_model *m = load(&r, "kubelet", NULL, NULL);
	(void)state;
	assert_null(m->invalid);
	assert_true(m->v[KK_ANONYMOUS].b);
	assert_false(m->v[KK_WEBHOOK_AUTHN].b);
	assert_string_equal(m->v[KK_AUTHZ_MODE].s, "AlwaysAllow");
	assert_int_equal(m->v[KK_READ_ONLY_PORT].i, 10255);
	assert_ptr_equal(m->v[KK_ANONYMOUS].chain[0].kind, SRC_DEFAULT);
	done(&r);
}

static void test_file_defaults(void **state)
{
	struct run r;
	const char *f = write_file("min.yaml", HDR "cgroupDriver: systemd\n");
	const struct kubelet_model *m = load(&r, "kubelet --config=/x", f, NULL);
	(void)state;
	assert_false(m->v[KK_ANONYMOUS].b);
	assert_true(m->v[KK_WEBHOOK_AUTHN].b);
	assert_string_equal(m->v[KK_AUTHZ_MODE].s, "Webhook");
	assert_int_equal(m->v[KK_READ_ONLY_PORT].i, 0);
	done(&r);
}

static void test_order_file_dropins_flags(void **state)
{
	struct run r;
	const char *f = write_file("c.yaml", HDR "authentication:\n  anonymous:\n    enabled: false\n"
				   "readOnlyPort: 1\n");
	const struct kubelet_model *m;
	char dir[128];
	(void)state;
	write_file("d/10-a.conf", HDR "authentication:\n  anonymous:\n    enabled: true\n"
		   "readOnlyPort: 2\n");
	write_file("d/20-b.conf", HDR "readOnlyPort: 3\n");
	write_file("d/20-b.conf.d/x.conf", HDR "readOnlyPort: 4\n"); /* after 20-b.conf */
	write_file("d/30-c.yaml", HDR "readOnlyPort: 5\n");        /* ignored */
	snprintf(dir, sizeof(dir), "%s/d", tmpdir);
	m = load(&r, "kubelet --config=/c", f, dir);
	assert_true(m->v[KK_ANONYMOUS].b);       /* drop-in beats file */
	assert_int_equal(m->v[KK_READ_ONLY_PORT].i, 4);
	assert_ptr_equal(m->v[KK_READ_ONLY_PORT].chain[m->v[KK_READ_ONLY_PORT].n - 1].kind,
			 SRC_DROPIN);
	done(&r);
	m = load(&r, "kubelet --config=/c --anonymous-auth=false --read-only-port=0", f, dir);
	assert_false(m->v[KK_ANONYMOUS].b);      /* flags beat drop-ins */
	assert_int_equal(m->v[KK_READ_ONLY_PORT].i, 0);
	assert_ptr_equal(m->v[KK_ANONYMOUS].chain[m->v[KK_ANONYMOUS].n - 1].kind, SRC_FLAG);
	done(&r);
}

static void test_dropins_onto_legacy(void **state)
{
	struct run r;
	const struct kubelet_model *m;
	char dir[128];
	(void)state;
	write_file("e/50.conf", HDR "authorization:\n  mode: Webhook\n");
	snprintf(dir, sizeof(dir), "%s/e", tmpdir);
	m = load(&r, "kubelet --config-dir=/e", NULL, dir);
	assert_true(m->v[KK_ANONYMOUS].b); /* legacy default stays */
	assert_string_equal(m->v[KK_AUTHZ_MODE].s, "Webhook");
	done(&r);
}

static void test_invalid_mode_and_types(void **state)
{
	struct run r;
	const struct kubelet_model *m;
	const char *f = write_file("m.yaml", HDR "authorization:\n  mode: webhook\n");
	(void)state;
	m = load(&r, "kubelet --config=/m", f, NULL);
	assert_non_null(m->invalid);
	assert_non_null(strstr(m->invalid, "unknown authorization mode"));
	done(&r);
	f = write_file("t.yaml", HDR "authentication:\n  anonymous:\n    enabled: \"no\"\n");
	m = load(&r, "kubelet --config=/t", f, NULL);
	assert_non_null(m->invalid);
	assert_int_equal(m->invalid_at.line, 5);
	done(&r);
	/* a drop-in's empty mode is not defaulted: the kubelet refuses it */
	write_file("g/1.conf", HDR "authorization:\n  mode: \"\"\n");
	{
		char dir[128];
		snprintf(dir, sizeof(dir), "%s/g", tmpdir);
		m = load(&r, "kubelet --config-dir=/g", NULL, dir);
		assert_non_null(m->invalid);
		done(&r);
	}
	/* ...while the file's empty mode becomes Webhook */
	f = write_file("e.yaml", HDR "authorization:\n  mode: \"\"\n");
	m = load(&r, "kubelet --config=/e", f, NULL);
	assert_null(m->invalid);
	assert_string_equal(m->v[KK_AUTHZ_MODE].s, "Webhook");
	done(&r);
}

static void test_unreadable_config_flags_still_known(void **state)
{
	struct run r;
	struct kubelet_input in;
	struct argv_list a;
	(void)state;
	memset(&in, 0, sizeof(in));
	result_init(&r.res);
	argv_init(&a);
	assert_int_equal(cmdline_split("kubelet --config=/nonexistent/kanon/c.yaml "
				       "--anonymous-auth=false", &a, NULL), 0);
	in.argv = &a;
	assert_int_equal(kubelet_effective_load(&in, &r.ke, &r.res), 0);
	assert_int_equal(r.ke.files.v[KK_ANONYMOUS].st, KV_OK);
	assert_false(r.ke.files.v[KK_ANONYMOUS].b);
	assert_int_equal(r.ke.files.v[KK_AUTHZ_MODE].st, KV_UNKNOWN);
	assert_non_null(strstr(r.ke.files.v[KK_AUTHZ_MODE].reason, "cannot read"));
	assert_false(r.res.input_error); /* named by the kubelet, not by the user */
	kubelet_effective_release(&r.ke);
	result_release(&r.res);
	argv_release(&a);
}

static void test_lint_wrong_case(void **state)
{
	struct run r;
	const char *f = write_file("w.yaml", HDR "Authentication:\n  anonymous:\n    enabled: true\n"
				   "bogusKey: 1\n");
	const struct kubelet_model *m = load(&r, "kubelet --config=/w", f, NULL);
	(void)state;
	assert_false(m->v[KK_ANONYMOUS].b); /* ignored: default false */
	assert_int_equal(r.ke.nlint, 2);
	assert_non_null(strstr(r.ke.lint[0].msg, "case-sensitive"));
	assert_non_null(strstr(r.ke.lint[1].msg, "unknown key 'bogusKey'"));
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_defaults),
		cmocka_unit_test(test_file_defaults),
		cmocka_unit_test(test_order_file_dropins_flags),
		cmocka_unit_test(test_dropins_onto_legacy),
		cmocka_unit_test(test_invalid_mode_and_types),
		cmocka_unit_test(test_unreadable_config_flags_still_known),
		cmocka_unit_test(test_lint_wrong_case),
	};
	return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
