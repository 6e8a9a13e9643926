#ifndef KANON_CHECK_AUDIT_FORMATS_H
#define KANON_CHECK_AUDIT_FORMATS_H

/*
 * The places audit logs are kept (docs/audit.md, "Formats"): each record is
 * recognized by its structure, its Events taken out and scanned as native
 * ones; `--input-format NAME` accepts only that format.
 */

enum audit_format {
	AF_AUTO = 0,   /* as input: recognize each record; as a record's tag: native */
	AF_NATIVE = 0, /* audit.k8s.io Events: lines, arrays, EventList */
	AF_CLOUDWATCH, /* EKS via CloudWatch Logs: API pages, Firehose, export, tail, Insights */
	AF_GCP,	       /* GKE via Cloud Logging: protoPayload AuditLog entries */
	AF_AZURE,      /* AKS via Azure Monitor: records, Event Hub, Log Analytics */
	AF_CRI,	       /* container runtime log lines */
	AF_DOCKER,     /* docker json-file */
	AF_SHIPPER,    /* Fluent Bit, Vector, ...: the Event under some key */
	AF__COUNT
};

#define AF_FORCED_NATIVE 100 /* --input-format native (AF_NATIVE is also "auto") */

/* "native", "cloudwatch", ... */
const char *audit_format_name(int f);
/* The --input-format value: an enum audit_format, AF_FORCED_NATIVE, or -1. */
int audit_format_parse(const char *name);
/* The names --input-format takes, for usage and errors. */
#define AUDIT_FORMAT_NAMES "auto, native, cloudwatch, gcp, azure, cri, docker, shipper"

#endif
