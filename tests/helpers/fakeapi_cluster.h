#ifndef FAKEAPI_CLUSTER_H
#define FAKEAPI_CLUSTER_H
#include <microhttpd.h>
/* fakeapi --mode cluster (fakeapi_cluster.c) */
int cluster_arg(const char *key, const char *value);
void cluster_set_log(const char *log);
/* ends the answers that hang (a node that never answers) */
void cluster_stop(void);
enum MHD_Result cluster_handle(struct MHD_Connection *c, const char *url, const char *method);
#endif
