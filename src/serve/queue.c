#include <stdlib.h>

#include "core/util.h"
#include "serve/queue.h"
#include "core/banned.h"

void serve_queue_init(struct serve_queue *q, size_t cap_events)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->cap = cap_events ? cap_events : 1;
	/* each batch has an event at least: this many batches fit */
	q->ring_cap = q->cap;
	q->ring = xcalloc(q->ring_cap, sizeof(*q->ring));
	q->head = q->n = q->depth = 0;
	q->closed = q->stop = false;
}

void serve_queue_release(struct serve_queue *q, void (*free_item)(void *))
{
	while (q->n) {
		if (free_item)
			free_item(q->ring[q->head]);
		q->head = (q->head + 1) % q->ring_cap;
		q->n--;
	}
	free(q->ring);
	q->ring = NULL;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
}

int serve_queue_push(struct serve_queue *q, void *item, size_t events)
{
	int ret = SQ_OK;

	if (events > q->cap)
		return SQ_TOO_BIG;
	pthread_mutex_lock(&q->lock);
	if (q->closed)
		ret = SQ_CLOSED;
	else if (q->depth + events > q->cap || q->n == q->ring_cap)
		ret = SQ_FULL;
	else {
		q->ring[(q->head + q->n) % q->ring_cap] = item;
		q->n++;
		q->depth += events;
		pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}

void *serve_queue_pop(struct serve_queue *q)
{
	void *item = NULL;

	pthread_mutex_lock(&q->lock);
	while (!q->n && !q->stop)
		pthread_cond_wait(&q->cond, &q->lock);
	if (q->n) {
		item = q->ring[q->head];
		q->head = (q->head + 1) % q->ring_cap;
		q->n--;
	}
	pthread_mutex_unlock(&q->lock);
	return item;
}

void serve_queue_done(struct serve_queue *q, size_t events)
{
	pthread_mutex_lock(&q->lock);
	q->depth -= events < q->depth ? events : q->depth;
	pthread_mutex_unlock(&q->lock);
}

void serve_queue_close(struct serve_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_mutex_unlock(&q->lock);
}

void serve_queue_stop(struct serve_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

size_t serve_queue_depth(struct serve_queue *q)
{
	size_t d;

	pthread_mutex_lock(&q->lock);
	d = q->depth;
	pthread_mutex_unlock(&q->lock);
	return d;
}
