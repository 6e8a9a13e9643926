/*
 * Shared by the fuzz targets that run kanon's commands in-process, as a user
 * would run them, on files the fuzzer writes (fuzz_node, fuzz_cli_*): a
 * private scratch directory, stdout and stderr captured in memory files,
 * and the output properties every run must keep whatever the input:
 *
 *  - the exit code is one of the documented ones (0..3, docs/kanon.1);
 *  - text output and every diagnostic are valid UTF-8 with no control
 *    character but newline and tab, no C1 control and no bidi control
 *    (what strbuf_add_clean() escapes): input never drives a terminal;
 *  - JSON output is one well-formed JSON document.
 *
 * A violation aborts: libFuzzer records the input as a crash.
 */
#ifndef KANON_FUZZ_HARNESS_H
#define KANON_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Once, before the first input: scratch directory and capture files. */
void fz_setup(void);
/* The scratch directory (empty at the start of every input). */
const char *fz_dir(void);
/* Remove everything in the scratch directory. */
void fz_clean(void);
/* Write dir/rel (parent directories made), n bytes of data. */
void fz_write(const char *rel, const void *data, size_t n);
/* dir/rel as an absolute path, in a static buffer per slot (0..3). */
const char *fz_path(int slot, const char *rel);

enum fz_out { FZ_TEXT, FZ_JSON };

/*
 * Run a command (cmd_kubelet, ...) with a NULL-terminated argv, its output
 * format `out`, and check the properties above. Returns the exit code.
 */
int fz_run(int (*cmd)(int, char **), enum fz_out out, const char *const *argv);

#endif
