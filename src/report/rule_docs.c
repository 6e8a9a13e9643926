#include "report/rule_docs.h"

#include <stddef.h>
#include <string.h>

#include "core/util.h"
#include "core/banned.h"

struct rule_doc_page {
	const char *id;
	const char *text;
};

#ifdef KANON_EMBED_DOCS
#include "rule_docs.inc"
#else
static const struct rule_doc_page rule_doc_pages[] = {{NULL, NULL}};
#endif

#ifndef KANON_DOC_URL
#define KANON_DOC_URL "file:///usr/local/share/doc/kanon/rules/"
#endif

const char *rule_doc_markdown(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(rule_doc_pages); i++)
		if (rule_doc_pages[i].id && !strcmp(rule_doc_pages[i].id, id))
			return rule_doc_pages[i].text;
	return NULL;
}

const char *rule_doc_url_base(void)
{
	return KANON_DOC_URL;
}
