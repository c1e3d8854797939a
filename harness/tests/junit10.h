/* SPDX-License-Identifier: MIT */
/*
 * A JUnit report as Jenkins' junit-10.xsd sees it: the attributes isocheck writes for CI
 * front ends that that schema cannot declare (skipped on <testsuites>; file, line,
 * timestamp, assertions on <testcase>) removed, nothing else touched. The same list as
 * harness/tests/junit10_view.py, which the shell tests use.
 */
#ifndef ISOCHECK_TESTS_JUNIT10_H
#define ISOCHECK_TESTS_JUNIT10_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

static void junit10_strip(xmlNodePtr n)
{
        static const char *const on_case[] = {"file", "line", "timestamp", "assertions"};

        for (; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                if (!xmlStrcmp(n->name, BAD_CAST "testsuites"))
                        xmlUnsetProp(n, BAD_CAST "skipped");
                if (!xmlStrcmp(n->name, BAD_CAST "testcase"))
                        for (size_t i = 0; i < sizeof(on_case) / sizeof(on_case[0]); i++)
                                xmlUnsetProp(n, BAD_CAST on_case[i]);
                junit10_strip(n->children);
        }
}

/* @doc's junit-10 view, malloc'd (the caller frees), or NULL when @doc does not parse. */
static inline char *junit10_view(const char *doc)
{
        xmlDocPtr x = xmlReadMemory(doc, (int)strlen(doc), "report.xml", NULL, XML_PARSE_NONET);
        xmlChar *mem = NULL;
        int len = 0;
        char *out;

        if (!x)
                return NULL;
        junit10_strip(xmlDocGetRootElement(x));
        xmlDocDumpMemoryEnc(x, &mem, &len, "UTF-8");
        xmlFreeDoc(x);
        out = mem ? strndup((const char *)mem, (size_t)len) : NULL;
        xmlFree(mem);
        return out;
}

#endif
