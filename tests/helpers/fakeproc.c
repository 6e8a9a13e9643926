/*
 * A process that only waits. Built as "kubelet" (and linked under other
 * names) so that the /proc discovery and --pid tests have a real process
 * with the command line they need.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
	alarm(120); /* never outlive a test run */
	for (;;)
		pause();
}
