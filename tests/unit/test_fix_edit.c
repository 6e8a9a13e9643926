/* fix/fix_yaml.c and fix/fix_text.c: minimal textual edits, and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "fix/fix_text.h"
#include "fix/fix_yaml.h"

static const char *const anon[] = {"authentication", "anonymous", "enabled"};
static const char *const mode[] = {"authorization", "mode"};
static const char *const port[] = {"readOnlyPort"};

/* set path in text; expect the result (NULL: a refusal) */
static void set_expect(const char *text, const char *const *path, size_t depth,
		       enum fix_scalar type, const char *value, const char *want)
{
	struct strbuf b = STRBUF_INIT;
	struct err e = {0};
	int r;

	strbuf_addstr(&b, text);
	r = fix_yaml_set(&b, "f", path, depth, type, value, &e);
	if (!want) {
		assert_int_equal(r, -1);
		assert_true(strlen(e.msg) > 0);
	} else {
		if (r)
			fail_msg("refused: %s", e.msg);
		assert_string_equal(b.buf, want);
	}
	strbuf_release(&b);
}

static void yaml_replace_keeps_comments(void **state)
{
	(void)state;
	set_expect("# kubelet\nauthentication:\n  anonymous:\n    enabled: true # debug\n"
		   "  webhook:\n    enabled: false\n",
		   anon, 3, FIX_BOOL, "false",
		   "# kubelet\nauthentication:\n  anonymous:\n    enabled: false # debug\n"
		   "  webhook:\n    enabled: false\n");
	/* quoting style of a string is kept */
	set_expect("authorization:\n  mode: 'AlwaysAllow'\n", mode, 2, FIX_STRING, "Webhook",
		   "authorization:\n  mode: 'Webhook'\n");
}

static void yaml_add_missing(void **state)
{
	(void)state;
	/* after the last key, with the file's 4-space indentation */
	set_expect("apiVersion: v1\nauthentication:\n    x509:\n        clientCAFile: /ca\n"
		   "kind: KubeletConfiguration\n",
		   anon, 3, FIX_BOOL, "false",
		   "apiVersion: v1\nauthentication:\n    anonymous:\n        enabled: false\n"
		   "    x509:\n        clientCAFile: /ca\nkind: KubeletConfiguration\n");
	set_expect("kind: KubeletConfiguration\nport: 10250\n", port, 1, FIX_INT, "0",
		   "kind: KubeletConfiguration\nport: 10250\nreadOnlyPort: 0\n");
	/* no newline at the end of the file */
	set_expect("kind: KubeletConfiguration", port, 1, FIX_INT, "0",
		   "kind: KubeletConfiguration\nreadOnlyPort: 0");
	set_expect("kind: K\n", anon, 3, FIX_BOOL, "false",
		   "kind: K\nauthentication:\n  anonymous:\n    enabled: false\n");
}

static void crlf_kept(void **state)
{
	(void)state;
	set_expect("kind: K\r\nreadOnlyPort: 10255\r\n", port, 1, FIX_INT, "0",
		   "kind: K\r\nreadOnlyPort: 0\r\n");
	set_expect("kind: K\r\nauthorization:\r\n  webhook: {}\r\n", mode, 2, FIX_STRING, "Webhook",
		   "kind: K\r\nauthorization:\r\n  mode: Webhook\r\n  webhook: {}\r\n");
}

static void flow_and_json(void **state)
{
	(void)state;
	set_expect("{kind: K, authentication: {anonymous: {enabled: true}}}\n", anon, 3, FIX_BOOL,
		   "false", "{kind: K, authentication: {anonymous: {enabled: false}}}\n");
	set_expect("{kind: K}\n", port, 1, FIX_INT, "0", "{readOnlyPort: 0, kind: K}\n");
	set_expect("{\n  \"kind\": \"K\",\n  \"authorization\": {\n    \"mode\": \"AlwaysAllow\"\n"
		   "  }\n}\n",
		   mode, 2, FIX_STRING, "Webhook",
		   "{\n  \"kind\": \"K\",\n  \"authorization\": {\n    \"mode\": \"Webhook\"\n"
		   "  }\n}\n");
	set_expect("{\n\t\"kind\": \"K\"\n}\n", anon, 3, FIX_BOOL, "false", NULL);
	set_expect("{\n  \"kind\": \"K\"\n}\n", anon, 3, FIX_BOOL, "false",
		   "{\n  \"authentication\": {\"anonymous\": {\"enabled\": false}},\n"
		   "  \"kind\": \"K\"\n}\n");
}

static void hostile_refused(void **state)
{
	struct strbuf big = STRBUF_INIT;

	(void)state;
	/* an alias: what it means is shared with another place */
	set_expect("base: &a {enabled: true}\nauthentication:\n  anonymous: *a\n", anon, 3,
		   FIX_BOOL, "false", NULL);
	set_expect("authentication: !!map\n  anonymous:\n    enabled: true\n", anon, 3, FIX_BOOL,
		   "false", NULL);
	set_expect("a: 1\n---\nb: 2\n", port, 1, FIX_INT, "0", NULL);
	/* duplicated key on the path */
	set_expect("readOnlyPort: 1\nreadOnlyPort: 2\n", port, 1, FIX_INT, "0", NULL);
	/* an escaped or multi-line scalar is not rewritten */
	set_expect("authorization:\n  mode: \"Always\\x41llow\"\n", mode, 2, FIX_STRING, "Webhook",
		   NULL);
	set_expect("authorization:\n  mode: Always\n    Allow\n", mode, 2, FIX_STRING, "Webhook",
		   NULL);
	/* a mapping where a scalar belongs */
	set_expect("readOnlyPort: {a: 1}\n", port, 1, FIX_INT, "0", NULL);
	/* weird indentation still gives valid YAML (checked after the edit) */
	set_expect("authentication:\n       webhook:\n              enabled: true\n", anon, 3,
		   FIX_BOOL, "false",
		   "authentication:\n       anonymous:\n              enabled: false\n"
		   "       webhook:\n              enabled: true\n");
	/* a huge line */
	strbuf_addstr(&big, "kind: ");
	for (int i = 0; i < 200000; i++)
		strbuf_addch(&big, 'x');
	strbuf_addstr(&big, "\nreadOnlyPort: 10255\n");
	{
		struct err e = {0};

		assert_int_equal(fix_yaml_set(&big, "f", port, 1, FIX_INT, "0", &e), 0);
		assert_true(big.len > 200000 &&
			    !strcmp(big.buf + big.len - 16, "readOnlyPort: 0\n"));
	}
	strbuf_release(&big);
}

static void word_edit(const char *text, int line, enum fix_word_style st, const char *word,
		      const char *next, const char *repl, const char *want)
{
	struct strbuf b = STRBUF_INIT;
	struct err e = {0};
	int r;

	strbuf_addstr(&b, text);
	r = repl ? fix_word_replace(&b, line, st, word, next, repl, &e)
		 : fix_word_remove(&b, line, st, word, next, &e);
	if (!want) {
		assert_int_equal(r, -1);
	} else {
		if (r)
			fail_msg("refused: %s", e.msg);
		assert_string_equal(b.buf, want);
	}
	strbuf_release(&b);
}

static void words(void **state)
{
	(void)state;
	word_edit("KUBELET_EXTRA_ARGS=--anonymous-auth=true --v=2\n", 1, FIX_WORDS_SHELL,
		  "--anonymous-auth=true", NULL, NULL, "KUBELET_EXTRA_ARGS=--v=2\n");
	word_edit("A=\"--v=2 --read-only-port 10255\"\r\nB=1\r\n", 1, FIX_WORDS_SHELL,
		  "--read-only-port", "10255", NULL, "A=\"--v=2\"\r\nB=1\r\n");
	word_edit("ExecStart=/usr/bin/kubelet \"--anonymous-auth=true\" --v=2\n", 1,
		  FIX_WORDS_SHELL, "--anonymous-auth=true", NULL, NULL,
		  "ExecStart=/usr/bin/kubelet --v=2\n");
	word_edit("X=--anonymous-auth=true\n", 1, FIX_WORDS_SHELL, "--anonymous-auth=true", NULL,
		  "--anonymous-auth=false", "X=--anonymous-auth=false\n");
	/* twice on the line: not guessing */
	word_edit("X=--a=1 --a=1\n", 1, FIX_WORDS_SHELL, "--a=1", NULL, NULL, NULL);
	/* a longer word is not the word */
	word_edit("X=--a=10\n", 1, FIX_WORDS_SHELL, "--a=1", NULL, NULL, NULL);
	/* YAML lists, block and flow, with or without the dashes */
	word_edit("kubelet-arg:\n  - \"anonymous-auth=true\"\n  - v=2\n", 2, FIX_WORDS_YAML,
		  "--anonymous-auth=true", NULL, NULL, "kubelet-arg:\n  - v=2\n");
	word_edit("kubelet-arg: [\"v=2\", \"anonymous-auth=true\"]\n", 1, FIX_WORDS_YAML,
		  "--anonymous-auth=true", NULL, NULL, "kubelet-arg: [\"v=2\"]\n");
	word_edit("kubelet-arg: [anonymous-auth=true, v=2]\n", 1, FIX_WORDS_YAML,
		  "--anonymous-auth=true", NULL, "--anonymous-auth=false",
		  "kubelet-arg: [anonymous-auth=false, v=2]\n");
	word_edit("    - --anonymous-auth=true\n", 1, FIX_WORDS_YAML, "--anonymous-auth=true", NULL,
		  "--anonymous-auth=false", "    - --anonymous-auth=false\n");
}

static void item_insert(void **state)
{
	struct strbuf b = STRBUF_INIT;
	struct err e = {0};

	(void)state;
	strbuf_addstr(&b, "    command:\r\n    - kube-apiserver\r\n    - --v=2\r\n");
	assert_int_equal(fix_item_insert_after(&b, 2, "--anonymous-auth=false", &e), 0);
	assert_string_equal(b.buf, "    command:\r\n    - kube-apiserver\r\n"
				   "    - --anonymous-auth=false\r\n    - --v=2\r\n");
	assert_int_equal(fix_item_insert_after(&b, 1, "x", &e), -1);
	strbuf_release(&b);
}

static void seq_and_key(void **state)
{
	static const char *const vols[] = {"spec", "volumes"};
	static const char *const mounts[] = {"spec", "containers", "#0", "volumeMounts"};
	const char *item[] = {"hostPath:", "  path: /a", "name: a"};
	const char *mount[] = {"mountPath: /a", "name: a"};
	struct strbuf b = STRBUF_INIT;
	struct err e = {0};

	(void)state;
	strbuf_addstr(&b, "spec:\r\n  containers:\r\n  - name: c\r\n    volumeMounts:\r\n"
			  "      - mountPath: /x\r\n        name: x\r\n  volumes:\r\n"
			  "  - name: x\r\n");
	assert_int_equal(fix_yaml_seq_prepend(&b, "f", vols, 2, item, 3, &e), 0);
	assert_int_equal(fix_yaml_seq_prepend(&b, "f", mounts, 4, mount, 2, &e), 0);
	assert_string_equal(b.buf, "spec:\r\n  containers:\r\n  - name: c\r\n    volumeMounts:\r\n"
				   "      - mountPath: /a\r\n        name: a\r\n"
				   "      - mountPath: /x\r\n        name: x\r\n  volumes:\r\n"
				   "  - hostPath:\r\n      path: /a\r\n    name: a\r\n"
				   "  - name: x\r\n");
	/* no list there, or a flow one: refused */
	{
		static const char *const scalar[] = {"spec", "containers", "#0", "name"};

		assert_int_equal(fix_yaml_seq_prepend(&b, "f", scalar, 4, mount, 2, &e), -1);
	}
	strbuf_reset(&b);
	strbuf_addstr(&b, "spec: {volumes: [{name: x}]}\n");
	assert_int_equal(fix_yaml_seq_prepend(&b, "f", vols, 2, item, 3, &e), -1);
	/* a top-level key at the end; not twice, not into JSON */
	strbuf_reset(&b);
	strbuf_addstr(&b, "kind: A\njwt: []");
	assert_int_equal(
	    fix_yaml_append_key(&b, "f", "anonymous", "anonymous:\n  enabled: true", &e), 0);
	assert_string_equal(b.buf, "kind: A\njwt: []\nanonymous:\n  enabled: true\n");
	assert_int_equal(fix_yaml_append_key(&b, "f", "anonymous", "anonymous: {}", &e), -1);
	strbuf_reset(&b);
	strbuf_addstr(&b, "{\"kind\": \"A\"}\n");
	assert_int_equal(fix_yaml_append_key(&b, "f", "anonymous", "anonymous: {}", &e), -1);
	strbuf_release(&b);
}

static void continuation(void **state)
{
	(void)state;
	word_edit("ExecStart=/k \\\n  --a=1 \\\n  --b=2\n", 1, FIX_WORDS_SHELL, "--b=2", NULL, NULL,
		  "ExecStart=/k \\\n  --a=1 \\\n\n");
	/* the word on the next logical line is not this one's */
	word_edit("A=--x\nB=--b=2\n", 1, FIX_WORDS_SHELL, "--b=2", NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(yaml_replace_keeps_comments),
	    cmocka_unit_test(yaml_add_missing),
	    cmocka_unit_test(crlf_kept),
	    cmocka_unit_test(flow_and_json),
	    cmocka_unit_test(hostile_refused),
	    cmocka_unit_test(words),
	    cmocka_unit_test(item_insert),
	    cmocka_unit_test(seq_and_key),
	    cmocka_unit_test(continuation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
