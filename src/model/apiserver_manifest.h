#ifndef KANON_APISERVER_MANIFEST_H
#define KANON_APISERVER_MANIFEST_H

#include <stddef.h>

#include "core/err.h"
#include "parsers/cmdline.h"

/*
 * The kube-apiserver container of a Pod: a static pod manifest
 * (/etc/kubernetes/manifests/kube-apiserver.yaml), or a Pod / List of Pods
 * as `kubectl get pod -o yaml|json` prints it. The command line is the
 * container's `command` followed by its `args` (a container with `args`
 * only runs the image's entrypoint with them, as RKE2 does); every word
 * keeps the line it sits on.
 */
struct apiserver_pod {
	char *pod_name;     /* metadata.name, or NULL */
	char *container;    /* the chosen container's name, or NULL */
	size_t index;       /* its index in spec.containers */
	size_t ncontainers; /* how many the Pod has */
	int container_line;
	char *why;          /* how the container was recognised */
	char *image;        /* or NULL */
	int image_line;
	struct argv_list argv; /* argv[0] is kube-apiserver (or the wrapper's word) */
	int *lines;            /* the line of every argv word */
	size_t alines;
	/* "file:line: $(VAR)" for references the kubelet resolves from
	 * valueFrom, which kanon leaves as written ("; "-separated), or NULL */
	char *unresolved;
	/* "$(VAR)" for each env var set with valueFrom that the command line
	 * refers to: its value is only known to the kubelet */
	struct argv_list opaque;
	/* why the command line is unknown (neither command nor args: the
	 * image's ENTRYPOINT and CMD run), or NULL */
	char *no_cmdline;
	/* why the command line may not be kube-apiserver's, or NULL */
	char *warning;
};

struct apiserver_pods {
	struct apiserver_pod *v;
	size_t n, alloc;
	/* Pods without a kube-apiserver container: "name (containers: a, b)" */
	char *skipped;
};

void apiserver_pods_release(struct apiserver_pods *p);

/*
 * Find the kube-apiserver containers in buf (YAML or JSON, possibly several
 * documents or a List). Returns -1 with *e naming file:line when the file
 * cannot be parsed or a Pod is malformed; 0 otherwise (out->n may be 0).
 */
int apiserver_manifest_parse(const char *buf, size_t len, const char *display,
			     struct apiserver_pods *out, struct err *e);

/* The Kubernetes minor version in an image tag ("...:v1.31.2"), or -1. */
int apiserver_image_minor(const char *image);

#endif
