/*
 * /metrics of `kanon serve`: Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): HELP and
 * TYPE before each family, label values escaped, histogram buckets
 * cumulative with le="+Inf" equal to _count.
 */
#include <stdio.h>
#include <string.h>

#include "core/version.h"
#include "parsers/jsonl.h"
#include "serve/serve_int.h"
#include "core/banned.h"

void serve_label_value(struct strbuf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			strbuf_addstr(out, "\\\\");
		else if (*v == '"')
			strbuf_addstr(out, "\\\"");
		else if (*v == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, *v);
	}
}

static void head(struct strbuf *out, const char *name, const char *type, const char *help)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct strbuf *out, const char *name, const char *type, const char *help,
		uint64_t v)
{
	head(out, name, type, help);
	strbuf_addf(out, "%s %llu\n", name, (unsigned long long)v);
}

static void audit_families(struct strbuf *out, const struct live_counts *c)
{
	head(out, "kanon_audit_events_total", "counter",
	     "Audit events accepted into processing, by stage.");
	for (int i = 0; i < LIVE_STAGES; i++)
		strbuf_addf(out, "kanon_audit_events_total{stage=\"%s\"} %llu\n",
			    audit_live_stage_name(i), (unsigned long long)c->events[i]);
	one(out, "kanon_audit_requests_total", "counter",
	    "Requests seen (events deduplicated by auditID).", c->requests);
	head(out, "kanon_anonymous_requests_total", "counter",
	     "Anonymous requests judged, by class and outcome.");
	for (int k = 0; k < CL__COUNT; k++)
		for (int o = 0; o < LO__COUNT; o++)
			strbuf_addf(out,
				    "kanon_anonymous_requests_total{class=\"%s\",outcome=\"%s\"} "
				    "%llu\n",
				    audit_class_name((enum audit_class)k),
				    audit_live_outcome_name((enum live_outcome)o),
				    (unsigned long long)c->anon[k][o]);
	one(out, "kanon_unauthorized_requests_total", "counter",
	    "Requests the API server answered 401.", c->unauthorized_401);
	one(out, "kanon_rbac_anonymous_grants_total", "counter",
	    "RBAC binding writes whose subjects include anonymous users or groups.", c->grants);
	one(out, "kanon_impersonated_anonymous_requests_total", "counter",
	    "Requests impersonating an anonymous user or group.", c->impersonated);
	one(out, "kanon_audit_duplicate_events_total", "counter",
	    "Events of a stage already seen for their auditID.", c->duplicates);
	one(out, "kanon_audit_open_requests", "gauge",
	    "Requests whose final stage has not been seen yet.", c->open);
	one(out, "kanon_audit_evicted_requests_total", "counter",
	    "Open requests judged early to make room in the bounded table.", c->evicted);
	head(out, "kanon_audit_last_event_timestamp_seconds", "gauge",
	     "stageTimestamp of the latest event, seconds since the epoch (0: none yet).");
	strbuf_addf(out, "kanon_audit_last_event_timestamp_seconds %.6f\n",
		    c->last_ts == TS_NONE ? 0.0 : (double)c->last_ts / 1e6);
}

static void webhook_families(struct server *s, struct strbuf *out)
{
	head(out, "kanon_webhook_requests_total", "counter", "HTTP requests answered, by code.");
	for (int i = 0; i < SERVE_CODES; i++)
		if (serve_codes[i])
			strbuf_addf(out, "kanon_webhook_requests_total{code=\"%d\"} %llu\n",
				    serve_codes[i], (unsigned long long)s->st.codes[i]);
		else
			strbuf_addf(out, "kanon_webhook_requests_total{code=\"other\"} %llu\n",
				    (unsigned long long)s->st.codes[i]);
	head(out, "kanon_webhook_rejected_total", "counter", "Requests refused, by reason.");
	for (int i = 0; i < RJ__COUNT; i++)
		strbuf_addf(out, "kanon_webhook_rejected_total{reason=\"%s\"} %llu\n",
			    serve_reasons[i], (unsigned long long)s->st.rejected[i]);
	head(out, "kanon_webhook_rejected_events_total", "counter",
	     "Events in refused requests (when the body was read), by reason.");
	for (int i = 0; i < RJ__COUNT; i++)
		strbuf_addf(out, "kanon_webhook_rejected_events_total{reason=\"%s\"} %llu\n",
			    serve_reasons[i], (unsigned long long)s->st.rejected_events[i]);
	head(out, "kanon_webhook_request_duration_seconds", "histogram",
	     "Time from a request's headers to its answer.");
	{
		uint64_t cum = 0;
		for (int i = 0; i < SERVE_BUCKETS; i++) {
			cum += s->st.buckets[i];
			strbuf_addf(
			    out, "kanon_webhook_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    serve_buckets[i], (unsigned long long)cum);
		}
		cum += s->st.buckets[SERVE_BUCKETS];
		strbuf_addf(out,
			    "kanon_webhook_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
			    "kanon_webhook_request_duration_seconds_sum %.6f\n"
			    "kanon_webhook_request_duration_seconds_count %llu\n",
			    (unsigned long long)cum, (double)s->st.dur_us / 1e6,
			    (unsigned long long)cum);
	}
}

void serve_metrics(struct server *s, struct strbuf *out)
{
	struct live_counts c;
	struct alert_counts a;
	size_t depth;

	audit_live_counts(s->live, &c);
	alerts_counts(s->alerts, &a);
	depth = serve_queue_depth(&s->q);
	audit_families(out, &c);
	one(out, "kanon_audit_gap_active", "gauge",
	    "1 while no event came for --gap after events were coming.", s->gap_active ? 1 : 0);
	webhook_families(s, out);
	one(out, "kanon_queue_depth", "gauge", "Events queued, not yet processed.", depth);
	one(out, "kanon_queue_capacity", "gauge", "Queue capacity in events (--queue).",
	    s->o->queue);
	head(out, "kanon_alerts_total", "counter", "Alerts emitted, by kind.");
	for (int k = 0; k < AK__COUNT; k++)
		strbuf_addf(out, "kanon_alerts_total{kind=\"%s\"} %llu\n",
			    alert_kind_name((enum alert_kind)k), (unsigned long long)a.kinds[k]);
	one(out, "kanon_alerts_dropped_total", "counter",
	    "Alerts not delivered to --alert-webhook (buffer full or delivery failed).", a.dropped);
	one(out, "kanon_alerts_forwarded_total", "counter", "Alerts delivered to --alert-webhook.",
	    a.forwarded);
	one(out, "kanon_alerts_write_errors_total", "counter",
	    "Alert lines that could not be written to the alert file.", a.write_errors);
	head(out, "kanon_build_info", "gauge", "The kanon version.");
	strbuf_addstr(out, "kanon_build_info{version=\"");
	serve_label_value(out, KANON_VERSION);
	strbuf_addstr(out, "\"} 1\n");
}
