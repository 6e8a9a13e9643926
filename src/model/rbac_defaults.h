#ifndef KANON_RBAC_DEFAULTS_H
#define KANON_RBAC_DEFAULTS_H

/* The Kubernetes bootstrap ClusterRoles as JSON lines (see rbac_defaults.c). */
extern const char rbac_default_roles[];

#endif
