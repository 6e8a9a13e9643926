#include "report/report.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

static const struct reporter reporters[] = {
    {"text", report_text},
    {"json", report_json},
    {"sarif", report_sarif},
    {"junit", report_junit},
    {"prometheus", report_prometheus},
    {"html", report_html},
};

const struct reporter *reporter_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(reporters); i++)
		if (!strcmp(reporters[i].name, name))
			return &reporters[i];
	return NULL;
}

const char *reporter_names(void)
{
	static char names[128];

	if (!names[0]) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < ARRAY_SIZE(reporters); i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", reporters[i].name);
		snprintf(names, sizeof(names), "%s", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	return names;
}
