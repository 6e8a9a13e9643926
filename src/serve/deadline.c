/* Request deadlines of kanon serve's connections (deadline.h). */
#include <stdlib.h>
#include <sys/socket.h>

#include "core/util.h"
#include "serve/deadline.h"
#include "core/banned.h"

void deadlines_init(struct deadlines *d, uint64_t span_us)
{
	pthread_mutex_init(&d->lock, NULL);
	d->head.prev = d->head.next = &d->head;
	d->span_us = span_us;
	atomic_init(&d->cut, 0);
}

void deadlines_release(struct deadlines *d)
{
	pthread_mutex_lock(&d->lock);
	while (d->head.next != &d->head) {
		struct conn_deadline *c = d->head.next;
		c->prev->next = c->next;
		c->next->prev = c->prev;
		free(c);
	}
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_destroy(&d->lock);
}

struct conn_deadline *deadline_add(struct deadlines *d, int fd, uint64_t now_us)
{
	struct conn_deadline *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	atomic_init(&c->until_us, now_us + d->span_us);
	pthread_mutex_lock(&d->lock);
	c->next = &d->head;
	c->prev = d->head.prev;
	c->prev->next = c;
	d->head.prev = c;
	pthread_mutex_unlock(&d->lock);
	return c;
}

void deadline_remove(struct deadlines *d, struct conn_deadline *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&d->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
}

void deadline_disarm(struct conn_deadline *c)
{
	if (c)
		atomic_store(&c->until_us, 0);
}

void deadline_rearm(struct deadlines *d, struct conn_deadline *c, uint64_t now_us)
{
	if (c)
		atomic_store(&c->until_us, now_us + d->span_us);
}

unsigned deadlines_reap(struct deadlines *d, uint64_t now_us)
{
	unsigned n = 0;

	/* under the lock: a removed connection's fd, maybe reused, is never touched */
	pthread_mutex_lock(&d->lock);
	for (struct conn_deadline *c = d->head.next; c != &d->head; c = c->next) {
		uint64_t until = atomic_load(&c->until_us);
		if (until && now_us > until && c->fd >= 0) {
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1; /* once */
			n++;
		}
	}
	pthread_mutex_unlock(&d->lock);
	atomic_fetch_add(&d->cut, n);
	return n;
}
