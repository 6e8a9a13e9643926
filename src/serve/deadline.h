#ifndef KANON_SERVE_DEADLINE_H
#define KANON_SERVE_DEADLINE_H

/*
 * Request deadlines for what libmicrohttpd's --timeout does not catch: its
 * timeout is an idle timeout, so a client that sends its request a byte a
 * second (slow loris) never times out and keeps a connection slot for ever.
 * Each connection gets a deadline when it opens and after each answer: the
 * next request must be read whole by then. The signal thread reaps the
 * late ones once a second by shutting their socket down, which
 * libmicrohttpd then sees as a closed connection.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct conn_deadline {
	int peer; /* first: the peer-certificate cache serve.c keeps per connection */
	int fd;
	atomic_uint_fast64_t until_us; /* 0: disarmed (a request is being answered) */
	struct conn_deadline *prev, *next;
};

struct deadlines {
	pthread_mutex_t lock;
	struct conn_deadline head; /* a circular list of the open connections */
	uint64_t span_us;
	atomic_uint_fast64_t cut; /* connections shut down for being late */
};

void deadlines_init(struct deadlines *d, uint64_t span_us);
void deadlines_release(struct deadlines *d);
/* A new connection on fd, armed until now + span. */
struct conn_deadline *deadline_add(struct deadlines *d, int fd, uint64_t now_us);
/* Called before libmicrohttpd closes the socket: the fd is never reaped after this. */
void deadline_remove(struct deadlines *d, struct conn_deadline *c);
/* A request was read whole: no deadline until it is answered. */
void deadline_disarm(struct conn_deadline *c);
/* Answered: the next request must arrive by now + span. */
void deadline_rearm(struct deadlines *d, struct conn_deadline *c, uint64_t now_us);
/* Shut down the sockets past their deadline; how many. */
unsigned deadlines_reap(struct deadlines *d, uint64_t now_us);

#endif
