#ifndef KANON_PROVENANCE_H
#define KANON_PROVENANCE_H

/*
 * Where a value came from: the kinds of evidence the models record. The
 * core only carries the name (struct evidence.kind); the kinds belong to
 * the model side. The names are part of the JSON contract
 * (docs/json-output.md, "evidence[].source"). Each kind is one object, so
 * kinds compare by pointer: `e->kind == SRC_FLAG`.
 */
extern const char SRC_FLAG[];	 /* a command-line flag */
extern const char SRC_CONFIG[];	 /* the --config file */
extern const char SRC_DROPIN[];	 /* a --config-dir drop-in */
extern const char SRC_CONFIGZ[]; /* the running kubelet's /configz */
extern const char SRC_DEFAULT[]; /* a built-in default of the component */
extern const char SRC_FILE[];	 /* any other file (manifest, RBAC object, audit log) */

#endif
