/*
 * GKE audit logs as Cloud Logging keeps them: LogEntry objects whose
 * protoPayload is a google.cloud.audit.AuditLog. The mapping to an
 * audit.k8s.io Event (docs/audit.md, "GKE mapping"), built as a cJSON Event
 * and judged like any other:
 *   one entry = one request, judged at once (stage ResponseComplete);
 *   auditID = insertId (else operation.id, else the entry's own fields);
 *   user.username = authenticationInfo.principalEmail;
 *   sourceIPs = [requestMetadata.callerIp]; userAgent = callerSuppliedUserAgent;
 *   verb, resource, subresource = methodName io.k8s.GROUP.VERSION.RESOURCE[.SUB].VERB;
 *   requestURI, namespace, name = resourceName GROUP/VERSION/[namespaces/NS/]RES/NAME[/SUB]
 *     (a non-resource request: methodName io.k8s.VERB, resourceName the path);
 *   responseStatus.code from status.code (gRPC: absent/0 = 200, 7 = 403, 16 = 401, ...);
 *   decision = labels["authorization.k8s.io/decision"], else allow for code 0 and
 *     forbid for 7;
 *   stageTimestamp = requestReceivedTimestamp = timestamp;
 *   requestObject/responseObject = protoPayload.request/response.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_int.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "core/banned.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* google.rpc.Code to the HTTP status the API server answered (code.proto's own table) */
static int http_code(int grpc)
{
	static const int map[17] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
				    400, 409, 400, 501, 500, 503, 500, 401};
	return grpc >= 0 && grpc <= 16 ? map[grpc] : 500;
}

/* "v1", "v1beta1", "v2alpha1" */
static bool is_version(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 2 || s[0] != 'v' || s[1] < '0' || s[1] > '9')
		return false;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == n)
		return true;
	if (n - i > 5 && !memcmp(s + i, "alpha", 5))
		i += 5;
	else if (n - i > 4 && !memcmp(s + i, "beta", 4))
		i += 4;
	else
		return false;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i == n;
}

/*
 * methodName: the verb is the last part; after the version come the
 * resource and, when there is one more part, the subresource.
 */
static void method_parts(const char *m, cJSON *ev, cJSON *oref)
{
	const char *part[16];
	size_t len[16], n = 0, v = 0;

	while (*m && n < 16) {
		const char *d = strchr(m, '.');
		size_t l = d ? (size_t)(d - m) : strlen(m);
		part[n] = m;
		len[n++] = l;
		m += l + (d != NULL);
	}
	if (n < 3)
		return;
	{
		char *verb = xstrndup(part[n - 1], len[n - 1]);
		cJSON_AddStringToObject(ev, "verb", verb);
		free(verb);
	}
	for (size_t i = 2; i + 1 < n; i++)
		if (is_version(part[i], len[i])) {
			v = i;
			break;
		}
	if (!v || v + 2 > n - 1)
		return; /* a non-resource request (io.k8s.get) */
	{
		char *res = xstrndup(part[v + 1], len[v + 1]);
		cJSON_AddStringToObject(oref, "resource", res);
		free(res);
	}
	if (v + 3 == n - 1) {
		char *sub = xstrndup(part[v + 2], len[v + 2]);
		cJSON_AddStringToObject(oref, "subresource", sub);
		free(sub);
	}
}

/* resourceName: the request path, and the namespace and name of the object */
static void resource_parts(const char *rn, bool resource, cJSON *ev, cJSON *oref)
{
	struct strbuf uri = STRBUF_INIT;
	const char *seg[8];
	size_t len[8], n = 0;
	const char *p = rn;

	if (!resource) {
		strbuf_addf(&uri, "%s%s", rn[0] == '/' ? "" : "/", rn);
		goto out;
	}
	if (!strncmp(rn, "core/", 5))
		strbuf_addf(&uri, "/api/%s", rn + 5);
	else
		strbuf_addf(&uri, "/apis/%s", rn);
	while (*p && n < 8) {
		const char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		seg[n] = p;
		len[n++] = l;
		p += l + (s != NULL);
	}
	/* GROUP VERSION [namespaces NS] RESOURCE [NAME [SUB]] */
	if (n >= 4 && len[2] == 10 && !memcmp(seg[2], "namespaces", 10) && n >= 5) {
		char *ns = xstrndup(seg[3], len[3]);
		cJSON_AddStringToObject(oref, "namespace", ns);
		free(ns);
		memmove(seg + 2, seg + 4, (n - 4) * sizeof(*seg));
		memmove(len + 2, len + 4, (n - 4) * sizeof(*len));
		n -= 2;
	} else if (n == 4 && len[2] == 10 && !memcmp(seg[2], "namespaces", 10)) {
		char *ns = xstrndup(seg[3], len[3]);
		cJSON_AddStringToObject(oref, "name", ns);
		free(ns);
	}
	if (n >= 4 && !get(oref, "name")) {
		char *name = xstrndup(seg[3], len[3]);
		cJSON_AddStringToObject(oref, "name", name);
		free(name);
	}
out:
	cJSON_AddStringToObject(ev, "requestURI", uri.buf ? uri.buf : "/");
	strbuf_release(&uri);
}

/* the outcome: code and decision */
static void outcome(const cJSON *e, const cJSON *pp, cJSON *ev)
{
	const cJSON *c = get(get(pp, "status"), "code");
	int grpc = cJSON_IsNumber(c) ? (int)c->valuedouble : 0;
	const char *dec = str(get(e, "labels"), "authorization.k8s.io/decision");
	cJSON *st = cJSON_AddObjectToObject(ev, "responseStatus");
	cJSON *ann = cJSON_AddObjectToObject(ev, "annotations");

	cJSON_AddNumberToObject(st, "code", http_code(grpc));
	if (!dec)
		dec = grpc == 0 ? "allow" : grpc == 7 ? "forbid" : NULL;
	if (dec)
		cJSON_AddStringToObject(ann, "authorization.k8s.io/decision", dec);
}

/* the auditID: the entry's insertId, its operation, or what it says */
static void entry_id(const cJSON *e, const cJSON *pp, const char *ts, cJSON *ev)
{
	const char *id = str(e, "insertId");
	struct strbuf sb = STRBUF_INIT;

	if (!id)
		id = str(get(e, "operation"), "id");
	if (!id) {
		strbuf_addf(&sb, "%s|%s|%s|%s", ts,
			    str(pp, "methodName") ? str(pp, "methodName") : "",
			    str(pp, "resourceName") ? str(pp, "resourceName") : "",
			    str(get(pp, "requestMetadata"), "callerIp")
				? str(get(pp, "requestMetadata"), "callerIp")
				: "");
		id = sb.buf;
	}
	cJSON_AddStringToObject(ev, "auditID", id);
	strbuf_release(&sb);
}

static void copy_body(cJSON *ev, const char *key, const cJSON *v)
{
	cJSON *c = cJSON_IsObject(v) ? cJSON_Duplicate(v, true) : NULL;
	if (c)
		cJSON_AddItemToObject(ev, key, c);
}

void audit_gcp_entry(struct block *b, const cJSON *e, uint64_t loc)
{
	const cJSON *pp = get(e, "protoPayload"), *md = get(pp, "requestMetadata");
	const char *ts = str(e, "timestamp"), *m = str(pp, "methodName");
	const char *rn = str(pp, "resourceName"), *who;
	cJSON *ev, *oref;
	uint8_t saved = b->fmt;

	if (!ts)
		ts = str(pp, "timestamp");
	if (!cJSON_IsObject(pp) || !m || strncmp(m, "io.k8s.", 7) || !ts) {
		audit_malformed(b, loc,
				"a Cloud Logging entry that is not a GKE audit entry (no io.k8s. "
				"methodName or no timestamp)");
		return;
	}
	ev = cJSON_CreateObject();
	oref = cJSON_CreateObject();
	entry_id(e, pp, ts, ev);
	cJSON_AddStringToObject(ev, "stage", "ResponseComplete");
	method_parts(m, ev, oref);
	resource_parts(rn ? rn : "", get(oref, "resource") != NULL, ev, oref);
	who = str(get(pp, "authenticationInfo"), "principalEmail");
	if (who)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(ev, "user"), "username", who);
	if (str(md, "callerIp")) {
		cJSON *ips = cJSON_AddArrayToObject(ev, "sourceIPs");
		cJSON_AddItemToArray(ips, cJSON_CreateString(str(md, "callerIp")));
	}
	if (str(md, "callerSuppliedUserAgent"))
		cJSON_AddStringToObject(ev, "userAgent", str(md, "callerSuppliedUserAgent"));
	if (get(oref, "resource"))
		cJSON_AddItemToObject(ev, "objectRef", oref);
	else
		cJSON_Delete(oref);
	outcome(e, pp, ev);
	copy_body(ev, "requestObject", get(pp, "request"));
	copy_body(ev, "responseObject", get(pp, "response"));
	cJSON_AddStringToObject(ev, "requestReceivedTimestamp", ts);
	cJSON_AddStringToObject(ev, "stageTimestamp", ts);
	b->fmt = AF_GCP;
	audit_scan_event(b, ev, loc);
	b->fmt = saved;
	cJSON_Delete(ev);
}
