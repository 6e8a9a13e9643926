/* `kanon scan --probe URL`: the probe of an API server in a scan's report. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/probe.h"
#include "cli/cli.h"
#include "cli/scan.h"
#include "core/banned.h"

int scan_probe(const char *url, const char *cacert, bool insecure, struct result *res)
{
	return scan_probe_tls(url, cacert, insecure, NULL, res);
}

int scan_probe_tls(const char *url, const char *cacert, bool insecure, const char *server_name,
		   struct result *res)
{
	struct probe_server srv = {PROBE_APISERVER, NULL};
	struct probe_input in;
	const char *why;
	char *u;
	int fd;

	if (cacert && insecure)
		return usage_error("scan", "--probe-cacert and --probe-insecure contradict "
					   "each other");
	if (cacert) {
		fd = open(cacert, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cli_error("cannot read --probe-cacert '%s': %s", cacert,
					 strerror(errno));
		close(fd);
	}
	u = probe_server_url(PROBE_APISERVER, url, &why);
	if (!u)
		return usage_error("scan", "--probe '%s': %s", url, why);
	srv.url = u;
	memset(&in, 0, sizeof(in));
	in.servers = &srv;
	in.nservers = 1;
	in.http.cacert = cacert;
	in.http.insecure = insecure;
	in.http.tls_server_name = server_name;
	check_run(&check_probe, &in, NULL, res);
	free(u);
	return 0;
}
