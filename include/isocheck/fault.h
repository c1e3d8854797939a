/* SPDX-License-Identifier: MIT */
/*
 * Fault hooks, for `make test` to show that each case can fail. A hook is compiled only
 * into the test build (build/san, -DISO_FAULT_INJECTION); in the binary `make install`
 * ships, iso_fault() is the constant 0 and its name is not even in the binary.
 *
 *   if (iso_fault("cgroup.limit.ignored"))
 *           limit = -1;   // misbehave as a broken kernel would
 *
 * The test build honours ISOCHECK_FAULT="name[,name...]" from the environment: a hook is
 * active when its exact name is in that list. Name hooks "<area>.<what goes wrong>".
 */
#ifndef ISOCHECK_FAULT_H
#define ISOCHECK_FAULT_H

#ifdef ISO_FAULT_INJECTION
/* 1 when @name is listed in ISOCHECK_FAULT, else 0. Async-signal-unsafe (getenv). */
int iso_fault(const char *name);
#else
#define iso_fault(name) 0
#endif

#endif
