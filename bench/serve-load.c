/*
 * serve-load: a load generator for `kanon serve` (bench/serve-bench.sh, the serve e2e tests).
 *
 * N threads, each with one keep-alive HTTPS (GnuTLS, optional client certificate, bearer
 * token) or plain HTTP connection, POST audit.k8s.io/v1 EventLists of real events read from
 * native JSON-lines files (e.g. ../shared/corpus/auditlogs/). Every send gives each request of
 * the batch a fresh auditID (all stages of one request keep one ID and travel in the same batch),
 * so the server's stage and dedup counters are predictable. A 429 is resent, unchanged, after its
 * Retry-After. It always stops: --events and --duration bound the sending, --timeout every I/O.
 *
 * Output: one JSON line with the figures (latency percentiles, answers by code, events sent,
 * accepted and refused, resends, accepted events by stage). --dump FILE writes every accepted
 * event as a JSON line (for `kanon audit` to compute the expected counters).
 *
 *   make bench-tools   (build/tests/serve-load)
 *   serve-load --host 127.0.0.1 --port P --ca ca.pem --cert c.pem --key c.key \
 *     --corpus ../shared/corpus/auditlogs --connections 4 --batch 400 --events 1000000 --duration
 * 20
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ID_LEN	   36 /* 8-4-4-4-12 */
#define ID_MARK	   "SERVELOAD-ID-PLACEHOLDER-0000000000x"
#define MAX_EVENTS (1 << 20)
#define HBUCKETS   (1024 + 23 * 512)
#define MAX_CODE   600

struct opts {
	const char *host, *port, *ca, *cert, *key, *token, *path, *dump, *servername;
	const char *files[256];
	int nfiles;
	int http, conns, batch, timeout_s, max_templates;
	long long events;
	double duration;
};

/* one request of the corpus: its events (all stages), pre-serialised with ID_MARK as auditID */
struct group {
	char **ev;
	int *stage; /* index into stages[] */
	int n;
};

/* a ready EventList body; ids[] are the offsets of the auditIDs to patch, one per group */
struct tmpl {
	char *body;
	size_t len;
	size_t *off; /* per event */
	int *grp;    /* per event: group index within the batch */
	int nev, ngrp;
	long long by_stage[5];
};

static const char *stages[5] = {"RequestReceived", "ResponseStarted", "ResponseComplete", "Panic",
				"other"};

struct conn {
	int fd;
	gnutls_session_t tls;
	char *rbuf;
	size_t rlen, rcap;
};

struct stats {
	uint64_t hist[HBUCKETS];
	uint64_t max_us;
	long long codes[MAX_CODE + 1];
	long long sent, accepted, refused429, refused_other, unknown, resends, requests;
	long long abandoned, transport_errors, connect_errors, accepted_ids, retry_after_headers;
	long long by_stage[5];
};

static struct opts o = {.host = "127.0.0.1",
			.port = "8443",
			.path = "/audit",
			.conns = 4,
			.batch = 400,
			.timeout_s = 30,
			.max_templates = 64,
			.events = 1000000,
			.duration = 30};
static gnutls_certificate_credentials_t cred;
static struct tmpl *tmpls;
static int ntmpl;
static atomic_llong budget;    /* events still allowed to start */
static atomic_ullong send_seq; /* unique per send */
static atomic_int draining;    /* a 503: the server is stopping */
static uint32_t nonce;
static double t_start, t_stop;
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *dump_fp;
static long long skipped_lines, corpus_events;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "serve-load: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die("%s", "size overflow");
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (!p)
		die("%s", "out of memory");
	return p;
}

/* ---- corpus ---- */

static int stage_index(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, stages[i]))
			return i;
	return 4;
}

struct corpus {
	struct group *g;
	char **gid; /* original auditID of each group */
	int n, cap;
	int file_first; /* the first group of the file being read */
};

/*
 * The request an event belongs to: same file, same auditID, and no event of that stage yet (the
 * same auditID in two files, or a stage repeated, is another request: the corpus has hand-edited
 * copies of one capture).
 */
static struct group *corpus_group(struct corpus *c, const char *id, int stage)
{
	/* linear over the last requests: the corpus is small and this runs once */
	for (int i = c->n - 1; i >= c->file_first && i >= c->n - 64; i--) {
		int seen = 0;
		if (strcmp(c->gid[i], id))
			continue;
		for (int j = 0; j < c->g[i].n; j++)
			seen |= c->g[i].stage[j] == stage;
		if (!seen)
			return &c->g[i];
		break;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->g = xrealloc(c->g, (size_t)c->cap, sizeof(*c->g));
		c->gid = xrealloc(c->gid, (size_t)c->cap, sizeof(*c->gid));
	}
	c->g[c->n] = (struct group){0};
	c->gid[c->n] = strdup(id);
	return &c->g[c->n++];
}

/* a native Event line: an object with string auditID, stage and requestURI */
static void corpus_line(struct corpus *c, const char *line)
{
	cJSON *j = cJSON_Parse(line), *id, *st, *uri;
	struct group *g;
	char *s;

	id = cJSON_GetObjectItemCaseSensitive(j, "auditID");
	st = cJSON_GetObjectItemCaseSensitive(j, "stage");
	uri = cJSON_GetObjectItemCaseSensitive(j, "requestURI");
	if (!cJSON_IsObject(j) || !cJSON_IsString(id) || !cJSON_IsString(st) ||
	    !cJSON_IsString(uri) || corpus_events >= MAX_EVENTS) {
		skipped_lines++;
		cJSON_Delete(j);
		return;
	}
	g = corpus_group(c, id->valuestring, stage_index(st->valuestring));
	cJSON_SetValuestring(id, ID_MARK);
	s = cJSON_PrintUnformatted(j);
	if (!s)
		die("%s", "out of memory");
	g->ev = xrealloc(g->ev, (size_t)g->n + 1, sizeof(*g->ev));
	g->stage = xrealloc(g->stage, (size_t)g->n + 1, sizeof(*g->stage));
	g->stage[g->n] = stage_index(st->valuestring);
	g->ev[g->n++] = s;
	corpus_events++;
	cJSON_Delete(j);
}

static void corpus_file(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		die("cannot open '%s'", path);
	c->file_first = c->n;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
			line[--len] = 0;
		if (len)
			corpus_line(c, line);
	}
	free(line);
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void corpus_dir(struct corpus *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		die("cannot open directory '%s'", dir);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || (l > 3 && !strcmp(e->d_name + l - 3, ".md")))
			continue;
		names = xrealloc(names, n + 1, sizeof(*names));
		names[n] = xrealloc(NULL, strlen(dir) + l + 2, 1);
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (!stat(names[i], &st) && S_ISREG(st.st_mode))
			corpus_file(c, names[i]);
		free(names[i]);
	}
	free(names);
}

/* ---- templates: batches of whole requests, cycling through the corpus ---- */

static void tmpl_add(struct tmpl *t, size_t *cap, const char *s)
{
	size_t l = strlen(s);
	while (t->len + l + 1 > *cap) {
		*cap *= 2;
		t->body = xrealloc(t->body, *cap, 1);
	}
	memcpy(t->body + t->len, s, l + 1);
	t->len += l;
}

static int tmpl_build(struct tmpl *t, struct corpus *c, int *next)
{
	size_t cap = 1 << 16;
	int first = 1;

	*t = (struct tmpl){.body = xrealloc(NULL, cap, 1)};
	t->off = xrealloc(NULL, (size_t)o.batch + 64, sizeof(*t->off));
	t->grp = xrealloc(NULL, (size_t)o.batch + 64, sizeof(*t->grp));
	tmpl_add(t, &cap,
		 "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\","
		 "\"metadata\":{},\"items\":[");
	for (;;) {
		struct group *g = &c->g[*next];
		if (t->nev && t->nev + g->n > o.batch)
			break;
		if (g->n > o.batch + 64)
			die("%s", "a request has more stages than the batch holds");
		for (int i = 0; i < g->n; i++) {
			if (!first)
				tmpl_add(t, &cap, ",");
			first = 0;
			t->off[t->nev] = t->len + (size_t)(strstr(g->ev[i], ID_MARK) - g->ev[i]);
			t->grp[t->nev++] = t->ngrp;
			t->by_stage[g->stage[i]]++;
			tmpl_add(t, &cap, g->ev[i]);
		}
		t->ngrp++;
		*next = (*next + 1) % c->n;
		if (t->nev >= o.batch)
			break;
	}
	tmpl_add(t, &cap, "]}");
	return *next == 0;
}

static void load_corpus(void)
{
	struct corpus c = {0};
	int next = 0;

	for (int i = 0; i < o.nfiles; i++) {
		struct stat st;
		if (stat(o.files[i], &st))
			die("cannot stat '%s'", o.files[i]);
		if (S_ISDIR(st.st_mode))
			corpus_dir(&c, o.files[i]);
		else
			corpus_file(&c, o.files[i]);
	}
	if (!c.n)
		die("%s", "no native audit Event lines in the given files");
	tmpls = xrealloc(NULL, (size_t)o.max_templates, sizeof(*tmpls));
	/* batches until one ends where the corpus wraps (every request sent alike), bounded */
	while (ntmpl < o.max_templates)
		if (tmpl_build(&tmpls[ntmpl++], &c, &next))
			break;
	for (int i = 0; i < c.n; i++) {
		for (int j = 0; j < c.g[i].n; j++)
			free(c.g[i].ev[j]);
		free(c.g[i].ev);
		free(c.g[i].stage);
		free(c.gid[i]);
	}
	free(c.g);
	free(c.gid);
}

/* fresh IDs for a send: nonce(32) | send(48) | group(48), as a UUID-shaped string */
static void tmpl_patch(struct tmpl *t, unsigned long long send)
{
	char id[ID_LEN + 1];
	int last = -1;

	for (int i = 0; i < t->nev; i++) {
		if (t->grp[i] != last) {
			last = t->grp[i];
			snprintf(id, sizeof(id), "%08" PRIx32 "-%04llx-%04llx-%04llx-%012llx",
				 nonce, (send >> 32) & 0xffff, (send >> 16) & 0xffff, send & 0xffff,
				 (unsigned long long)last);
		}
		memcpy(t->body + t->off[i], id, ID_LEN);
	}
}

/* ---- connections ---- */

static int wait_fd(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};
	int r;
	do
		r = poll(&p, 1, o.timeout_s * 1000);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

static void conn_close(struct conn *c)
{
	if (c->tls) {
		gnutls_deinit(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rlen = 0;
}

static int tcp_connect(void)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	int fd = -1, one = 1;

	if (getaddrinfo(o.host, o.port, &hints, &ai))
		return -1;
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int is_ip(const char *h)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

static int conn_open(struct conn *c)
{
	const char *name = o.servername ? o.servername : o.host;
	int r;

	c->fd = tcp_connect();
	if (c->fd < 0)
		return -1;
	if (o.http)
		return 0;
	if (gnutls_init(&c->tls, GNUTLS_CLIENT) < 0 || gnutls_set_default_priority(c->tls) < 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto fail;
	if (!is_ip(name))
		gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, name, strlen(name));
	gnutls_session_set_verify_cert(c->tls, name, 0);
	gnutls_transport_set_int(c->tls, c->fd);
	gnutls_handshake_set_timeout(c->tls, (unsigned)o.timeout_s * 1000);
	do
		r = gnutls_handshake(c->tls);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		fprintf(stderr, "serve-load: TLS handshake: %s\n", gnutls_strerror(r));
		goto fail;
	}
	return 0;
fail:
	conn_close(c);
	return -1;
}

static int conn_write(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w;
		if (c->tls) {
			w = gnutls_record_send(c->tls, p, n);
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
				continue;
		} else {
			if (wait_fd(c->fd, POLLOUT))
				return -1;
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* more bytes into c->rbuf; 0 ok, 1 closed, -1 error or timeout */
static int conn_fill(struct conn *c)
{
	ssize_t r;

	if (c->rcap - c->rlen < 4096) {
		c->rcap = c->rcap ? 2 * c->rcap : 16384;
		if (c->rcap > (64u << 20))
			return -1;
		c->rbuf = xrealloc(c->rbuf, c->rcap, 1);
	}
	if (c->tls && gnutls_record_check_pending(c->tls) == 0 && wait_fd(c->fd, POLLIN))
		return -1;
	if (!c->tls && wait_fd(c->fd, POLLIN))
		return -1;
	do
		r = c->tls ? gnutls_record_recv(c->tls, c->rbuf + c->rlen, c->rcap - c->rlen - 1)
			   : recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen - 1, 0);
	while ((c->tls && (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)) ||
	       (!c->tls && r < 0 && errno == EINTR));
	if (r == 0)
		return 1;
	if (r < 0)
		return -1;
	c->rlen += (size_t)r;
	c->rbuf[c->rlen] = 0;
	return 0;
}

struct resp {
	int code, retry_after, has_retry_after, close;
};

static long header_num(const char *hdrs, const char *name, long dflt)
{
	size_t l = strlen(name);
	for (const char *p = strstr(hdrs, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (!strncasecmp(p + 2, name, l) && p[2 + l] == ':')
			return strtol(p + 3 + l, NULL, 10);
	return dflt;
}

static int header_has(const char *hdrs, const char *name, const char *val)
{
	size_t l = strlen(name);
	for (const char *p = strstr(hdrs, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (!strncasecmp(p + 2, name, l) && p[2 + l] == ':') {
			const char *v = p + 3 + l, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			return e && (size_t)(e - v) >= strlen(val) &&
			       !strncasecmp(v, val, strlen(val));
		}
	return 0;
}

/* one response (Content-Length body, or until close); 0 ok */
static int read_response(struct conn *c, struct resp *r)
{
	char *end;
	long clen;
	size_t hlen;
	int f;

	c->rlen = 0;
	while (!c->rbuf || !(end = strstr(c->rbuf, "\r\n\r\n")))
		if (conn_fill(c))
			return -1;
	*end = 0;
	hlen = (size_t)(end - c->rbuf) + 4;
	if (sscanf(c->rbuf, "HTTP/1.%*d %d", &r->code) != 1)
		return -1;
	r->retry_after = (int)header_num(c->rbuf, "Retry-After", -1);
	r->has_retry_after = r->retry_after >= 0;
	r->close = header_has(c->rbuf, "Connection", "close");
	clen = header_num(c->rbuf, "Content-Length", -1);
	if (clen < 0 && header_has(c->rbuf, "Transfer-Encoding", "chunked"))
		return -1; /* kanon answers with a length; a chunked reply ends the connection */
	if (clen < 0) {
		while (!(f = conn_fill(c)))
			;
		r->close = 1;
		return f > 0 ? 0 : -1;
	}
	while (c->rlen < hlen + (size_t)clen)
		if (conn_fill(c))
			return -1;
	return 0;
}

/* ---- the workers ---- */

static void hist_add(struct stats *s, uint64_t us)
{
	size_t b;
	if (us > s->max_us)
		s->max_us = us;
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (us < 1024) {
		b = us;
	} else {
		int e = 63 - __builtin_clzll(us), sh = e - 9;
		b = 1024 + (size_t)(e - 10) * 512 + (size_t)((us >> sh) - 512);
	}
	s->hist[b]++;
}

static double hist_value(size_t b)
{
	int e, sh;
	if (b < 1024)
		return (double)b;
	e = (int)((b - 1024) / 512) + 10;
	sh = e - 9;
	return (double)(((b - 1024) % 512 + 512) << sh) + (double)(1u << sh) / 2;
}

static void dump_batch(const struct tmpl *t)
{
	const char *p = strchr(t->body, '[') + 1, *e = t->body + t->len - 2;
	int depth = 0, instr = 0;

	/* the items, one per line: split at top-level commas (strings honoured) */
	pthread_mutex_lock(&dump_lock);
	for (; p < e; p++) {
		char ch = *p;
		if (instr) {
			if (ch == '\\') {
				fputc(ch, dump_fp);
				ch = *++p;
			} else if (ch == '"') {
				instr = 0;
			}
		} else if (ch == '"') {
			instr = 1;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
		} else if (ch == ',' && !depth) {
			ch = '\n';
		}
		fputc(ch, dump_fp);
	}
	fputc('\n', dump_fp);
	pthread_mutex_unlock(&dump_lock);
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* a kept-alive connection the server has closed meanwhile (readable before we asked) */
static int conn_stale(struct conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	if (c->tls && gnutls_record_check_pending(c->tls))
		return 1;
	return poll(&p, 1, 0) != 0;
}

/* one POST; returns the response code, or -1 on a transport failure */
static int post(struct conn *c, const struct tmpl *t, char *hdr, struct stats *s)
{
	struct resp r = {0};
	double t0;
	int hl;

	if (c->fd >= 0 && conn_stale(c))
		conn_close(c);
	if (c->fd < 0 && conn_open(c))
		return -2;
	hl = snprintf(hdr, 1024,
		      "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
		      "Content-Length: %zu\r\n%s%s%s\r\n",
		      o.path, o.host, t->len, o.token ? "Authorization: Bearer " : "",
		      o.token ? o.token : "", o.token ? "\r\n" : "");
	t0 = now();
	s->sent += t->nev;
	s->requests++;
	if (conn_write(c, hdr, (size_t)hl) || conn_write(c, t->body, t->len) ||
	    read_response(c, &r)) {
		conn_close(c);
		return -1;
	}
	hist_add(s, (uint64_t)((now() - t0) * 1e6));
	s->codes[r.code > 0 && r.code <= MAX_CODE ? r.code : 0]++;
	if (r.close)
		conn_close(c);
	if (r.code == 429 && r.has_retry_after)
		s->retry_after_headers++;
	if (r.code == 429)
		return 1000 + (r.retry_after > 0 && r.retry_after < 60 ? r.retry_after : 1);
	return r.code;
}

/* sends one batch until it is accepted or refused for good */
static int send_batch(struct conn *c, struct tmpl *t, char *hdr, struct stats *s)
{
	int code;

	for (;;) {
		code = post(c, t, hdr, s);
		if (code == -2) {
			/* not sent: no connection */
			s->connect_errors++;
			return -1;
		}
		if (code < 0) {
			/* sent, answer unknown: not resent (it may have been queued) */
			s->transport_errors++;
			s->unknown += t->nev;
			return -1;
		}
		if (code == 200) {
			s->accepted += t->nev;
			s->accepted_ids += t->ngrp;
			for (int i = 0; i < 5; i++)
				s->by_stage[i] += t->by_stage[i];
			if (dump_fp)
				dump_batch(t);
			return 0;
		}
		if (code < 1000) {
			s->refused_other += t->nev;
			if (code == 503)
				atomic_store(&draining, 1);
			return -1;
		}
		s->refused429 += t->nev;
		if (now() + code - 1000 > t_stop || atomic_load(&draining)) {
			s->abandoned += t->nev;
			return -1;
		}
		sleep_s(code - 1000);
		s->resends++;
	}
}

static void *worker(void *arg)
{
	struct stats *s = arg;
	struct conn c = {.fd = -1};
	struct tmpl t;
	char hdr[1024], *buf = NULL;
	size_t cap = 0;
	int fails = 0;

	while (now() < t_stop && !atomic_load(&draining) && fails < 3) {
		unsigned long long seq = atomic_fetch_add(&send_seq, 1);
		struct tmpl *src = &tmpls[seq % (unsigned)ntmpl];
		if (atomic_fetch_sub(&budget, src->nev) < src->nev)
			break;
		/* a private copy: the IDs are patched per send */
		if (cap < src->len + 1)
			buf = xrealloc(buf, cap = src->len + 1, 1);
		t = *src;
		t.body = buf;
		memcpy(t.body, src->body, src->len + 1);
		tmpl_patch(&t, seq);
		fails = send_batch(&c, &t, hdr, s) && c.fd < 0 ? fails + 1 : 0;
	}
	conn_close(&c);
	free(c.rbuf);
	free(buf);
	return NULL;
}

/* ---- options and output ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: serve-load [--host H] [--port P] [--servername NAME] [--http]\n"
		"  [--ca CA.pem] [--cert C.pem --key C.key] [--token-file F] [--path /audit]\n"
		"  [--connections N] [--batch EVENTS] [--events TOTAL] [--duration SECONDS]\n"
		"  [--timeout SECONDS] [--templates N] [--dump FILE] --corpus DIR|FILE...\n");
	exit(2);
}

static char *read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096] = "";
	if (!f)
		die("cannot open '%s'", path);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\r\n")] = 0;
	return strdup(buf);
}

static long num(const char *s, long lo, long hi)
{
	char *e;
	long v = strtol(s, &e, 10);
	if (*e || v < lo || v > hi)
		die("bad number '%s'", s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--http")) {
			o.http = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--host"))
			o.host = v;
		else if (!strcmp(a, "--port"))
			o.port = v;
		else if (!strcmp(a, "--servername"))
			o.servername = v;
		else if (!strcmp(a, "--ca"))
			o.ca = v;
		else if (!strcmp(a, "--cert"))
			o.cert = v;
		else if (!strcmp(a, "--key"))
			o.key = v;
		else if (!strcmp(a, "--token-file"))
			o.token = read_token(v);
		else if (!strcmp(a, "--path"))
			o.path = v;
		else if (!strcmp(a, "--dump"))
			o.dump = v;
		else if (!strcmp(a, "--connections"))
			o.conns = (int)num(v, 1, 1024);
		else if (!strcmp(a, "--batch"))
			o.batch = (int)num(v, 1, 100000);
		else if (!strcmp(a, "--events"))
			o.events = num(v, 1, LONG_MAX);
		else if (!strcmp(a, "--duration"))
			o.duration = (double)num(v, 1, 86400);
		else if (!strcmp(a, "--timeout"))
			o.timeout_s = (int)num(v, 1, 3600);
		else if (!strcmp(a, "--templates"))
			o.max_templates = (int)num(v, 1, 4096);
		else if (!strcmp(a, "--corpus") && o.nfiles < 256)
			o.files[o.nfiles++] = v;
		else
			usage();
	}
	if (!o.nfiles || (!o.http && !o.ca) || (!o.cert != !o.key))
		usage();
}

static void tls_setup(void)
{
	if (o.http)
		return;
	if (gnutls_global_init() < 0 || gnutls_certificate_allocate_credentials(&cred) < 0)
		die("%s", "cannot initialise GnuTLS");
	if (gnutls_certificate_set_x509_trust_file(cred, o.ca, GNUTLS_X509_FMT_PEM) <= 0)
		die("cannot read CA '%s'", o.ca);
	if (o.cert &&
	    gnutls_certificate_set_x509_key_file(cred, o.cert, o.key, GNUTLS_X509_FMT_PEM) < 0)
		die("cannot read client certificate '%s'", o.cert);
}

static double pct(const struct stats *s, double p)
{
	uint64_t total = 0, acc = 0;
	for (size_t i = 0; i < HBUCKETS; i++)
		total += s->hist[i];
	if (!total)
		return 0;
	for (size_t i = 0; i < HBUCKETS; i++) {
		acc += s->hist[i];
		if ((double)acc >= p * (double)total) {
			double v = hist_value(i);
			/* a bucket's midpoint may lie above the largest value seen */
			return (v < (double)s->max_us ? v : (double)s->max_us) / 1000.0;
		}
	}
	return (double)s->max_us / 1000.0;
}

static void merge(struct stats *all, const struct stats *s)
{
	for (size_t i = 0; i < HBUCKETS; i++)
		all->hist[i] += s->hist[i];
	for (int i = 0; i <= MAX_CODE; i++)
		all->codes[i] += s->codes[i];
	for (int i = 0; i < 5; i++)
		all->by_stage[i] += s->by_stage[i];
	if (s->max_us > all->max_us)
		all->max_us = s->max_us;
	all->sent += s->sent;
	all->accepted += s->accepted;
	all->refused429 += s->refused429;
	all->refused_other += s->refused_other;
	all->unknown += s->unknown;
	all->resends += s->resends;
	all->requests += s->requests;
	all->abandoned += s->abandoned;
	all->transport_errors += s->transport_errors;
	all->connect_errors += s->connect_errors;
	all->retry_after_headers += s->retry_after_headers;
	all->accepted_ids += s->accepted_ids;
}

static void print_summary(const struct stats *s, double elapsed)
{
	const char *sep = "";
	struct rusage ru;

	printf("{\"connections\":%d,\"batch\":%d,\"elapsed_s\":%.3f,\"requests\":%lld,"
	       "\"events_sent\":%lld,\"events_accepted\":%lld,\"events_refused_429\":%lld,"
	       "\"events_refused_other\":%lld,\"events_unknown\":%lld,\"events_abandoned\":%lld,"
	       "\"resends\":%lld,\"transport_errors\":%lld,\"connect_errors\":%lld,"
	       "\"accepted_ids\":%lld,\"retry_after_headers\":%lld,",
	       o.conns, o.batch, elapsed, s->requests, s->sent, s->accepted, s->refused429,
	       s->refused_other, s->unknown, s->abandoned, s->resends, s->transport_errors,
	       s->connect_errors, s->accepted_ids, s->retry_after_headers);
	printf("\"accepted_events_per_s\":%.0f,\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,"
	       "\"p99\":%.3f,\"max\":%.3f},\"codes\":{",
	       elapsed > 0 ? (double)s->accepted / elapsed : 0, pct(s, 0.50), pct(s, 0.90),
	       pct(s, 0.99), (double)s->max_us / 1000.0);
	for (int i = 0; i <= MAX_CODE; i++)
		if (s->codes[i]) {
			printf("%s\"%d\":%lld", sep, i, s->codes[i]);
			sep = ",";
		}
	printf("},\"accepted_by_stage\":{");
	sep = "";
	for (int i = 0; i < 5; i++)
		if (s->by_stage[i]) {
			printf("%s\"%s\":%lld", sep, stages[i], s->by_stage[i]);
			sep = ",";
		}
	getrusage(RUSAGE_SELF, &ru);
	printf("},\"corpus_events\":%lld,\"corpus_skipped_lines\":%lld,\"templates\":%d,"
	       "\"cpu_s\":%.3f}\n",
	       corpus_events, skipped_lines, ntmpl,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
}

int main(int argc, char **argv)
{
	static struct stats all;
	struct stats *st;
	pthread_t *th;
	double elapsed;

	parse_args(argc, argv);
	load_corpus();
	tls_setup();
	if (o.dump && !(dump_fp = fopen(o.dump, "w")))
		die("cannot open '%s'", o.dump);
	nonce = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	atomic_store(&budget, o.events);
	st = xrealloc(NULL, (size_t)o.conns, sizeof(*st));
	th = xrealloc(NULL, (size_t)o.conns, sizeof(*th));
	memset(st, 0, (size_t)o.conns * sizeof(*st));
	t_start = now();
	t_stop = t_start + o.duration;
	for (int i = 0; i < o.conns; i++)
		if (pthread_create(&th[i], NULL, worker, &st[i]))
			die("%s", "cannot start a thread");
	for (int i = 0; i < o.conns; i++) {
		pthread_join(th[i], NULL);
		merge(&all, &st[i]);
	}
	elapsed = now() - t_start;
	print_summary(&all, elapsed);
	fflush(stdout);
	if (dump_fp && fclose(dump_fp))
		die("cannot write '%s'", o.dump);
	if (cred)
		gnutls_certificate_free_credentials(cred);
	for (int i = 0; i < ntmpl; i++) {
		free(tmpls[i].body);
		free(tmpls[i].off);
		free(tmpls[i].grp);
	}
	free(tmpls);
	free(st);
	free(th);
	free((char *)o.token);
	return all.unknown || all.refused_other || all.connect_errors ? 1 : 0;
}
