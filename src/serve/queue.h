#ifndef KANON_SERVE_QUEUE_H
#define KANON_SERVE_QUEUE_H

/*
 * The queue between the HTTP threads and the worker of `kanon serve`:
 * batches, bounded by the events they hold. A batch goes in whole or not
 * at all; its events stay counted in the depth until the worker says they
 * are processed, so that depth 0 means every accepted event is counted.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct serve_queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void **ring;
	size_t ring_cap, head, n;
	size_t depth, cap; /* events queued or being processed; the bound */
	bool closed;	   /* draining: nothing more goes in */
	bool stop;	   /* pop returns NULL once empty */
};

enum { SQ_OK = 0, SQ_FULL = -1, SQ_CLOSED = -2, SQ_TOO_BIG = -3 };

void serve_queue_init(struct serve_queue *q, size_t cap_events);
/* Frees what is still queued with free_item. */
void serve_queue_release(struct serve_queue *q, void (*free_item)(void *));
/* All of item or nothing: SQ_OK, SQ_FULL (no room now), SQ_TOO_BIG (never), SQ_CLOSED. */
int serve_queue_push(struct serve_queue *q, void *item, size_t events);
/* The oldest batch (waits for one); NULL once stopped and empty. */
void *serve_queue_pop(struct serve_queue *q);
/* The worker processed a popped batch of this many events. */
void serve_queue_done(struct serve_queue *q, size_t events);
void serve_queue_close(struct serve_queue *q);
void serve_queue_stop(struct serve_queue *q);
size_t serve_queue_depth(struct serve_queue *q);

#endif
