/* SPDX-License-Identifier: MIT */
/*
 * The docker runtime: the Docker CLI driven as the lab drives it (docker build, run,
 * exec, port, stop, rm), bounded in time. Everything isocheck makes carries the labels
 * isocheck.run=<run id> and isocheck.case=<case name>, so it can be found and removed.
 */
#ifndef ISOCHECK_DOCKER_H
#define ISOCHECK_DOCKER_H

#include <stddef.h>
#include <sys/types.h>

#include "isocheck/util.h"

#define ISO_DOCKER_LABEL_RUN "isocheck.run"
#define ISO_DOCKER_LABEL_CASE "isocheck.case"

/*
 * Run `docker ARGS...` (@args NULL-terminated, without "docker") with stdout and stderr
 * into @out (@size bytes), at most @timeout_s seconds, with the client variables that would
 * change isocheck's local images pinned (iso_docker_pinned_env). Returns the wait status (0 is
 * success), or -1 with @e when docker could not be started.
 */
int iso_docker(char *const args[], char *out, size_t size, double timeout_s, struct iso_err *e);

/*
 * What `docker build` is told to use, from the client's DOCKER_BUILDKIT (@buildkit_env, may
 * be NULL) and the buildx plugin's version (@buildx, "" or NULL when `docker buildx` does not
 * run). BuildKit needs buildx in a 23+ client, so without it the legacy builder is pinned
 * even when DOCKER_BUILDKIT=1 asks otherwise; DOCKER_BUILDKIT=0 is honoured (the legacy
 * builder still ships). Returns 1 for BuildKit, 0 for legacy, with a line for
 * `isocheck --env` in @why ("legacy (no buildx plugin; DOCKER_BUILDKIT=1 overridden ...)").
 */
int iso_docker_pick_builder(const char *buildkit_env, const char *buildx, char *why, size_t size);

/* iso_docker_pick_builder for this client: asks `docker buildx version` (10 s at most). */
int iso_docker_builder(char *why, size_t size);

/* The client variables every iso_docker call pins, as one line for `isocheck --env`. */
const char *iso_docker_pinned_env(void);

struct iso_docker_build_opts {
        const char *context;   /* directory holding the Dockerfile and what it copies */
        const char *tag;       /* name:tag of the image */
        const char *labels[4]; /* "key=value", at most 3, NULL-terminated: on the final
                                  image and, by a LABEL after each FROM, on every
                                  intermediate one */
        const char *extra;     /* Dockerfile lines appended (test-build faults), or NULL */
        int buildkit;          /* iso_docker_pick_builder's answer, pinned as DOCKER_BUILDKIT */
};

/*
 * The Dockerfile at @path as isocheck builds it into @out (@size bytes): unchanged but for
 * a `LABEL key="value" ...` line of @labels ("key=value", NULL-terminated, may be NULL)
 * after each FROM instruction (after its last line when continued with a backslash), and
 * @extra lines (may be NULL) at the end. Returns 0, or -1
 * with @e: unreadable file, no FROM, a label without "=" or whose value holds a quote,
 * backslash, $ or newline (Dockerfile reference: LABEL), or a result of @size bytes or more.
 */
int iso_docker_dockerfile(const char *path, const char *const labels[], const char *extra,
                          char *out, size_t size, struct iso_err *e);

/*
 * `docker build --rm --force-rm -f - -t TAG --label ... CONTEXT` with CONTEXT/Dockerfile
 * made by iso_docker_dockerfile (at most 4095 bytes) on stdin, so that an interrupted build leaves only images carrying the run's labels
 * (docker-build(1), Dockerfile reference: LABEL). The client's whole output (its
 * deprecation banner first, the error last) goes to @out (@size bytes; the rest dropped),
 * at most @timeout_s seconds. Returns the wait status, or -1 with @e (unreadable
 * Dockerfile, a label value that cannot be quoted, docker not started).
 */
int iso_docker_build(const struct iso_docker_build_opts *o, char *out, size_t size,
                     double timeout_s, struct iso_err *e);

/*
 * Is a daemon reachable? `docker info --format {{.ServerVersion}}` within 10 s. Returns 1
 * with the server version in @info, or 0 with the reason in @info ("no Docker daemon
 * reachable at unix:///var/run/docker.sock: Cannot connect ..." or "docker not on PATH"),
 * naming DOCKER_HOST and DOCKER_CONTEXT when set (they choose the daemon, not the default
 * socket); or -1 when one of them is set and the client cannot even resolve an endpoint
 * from it ("context not found"): the user's setting is broken, an environment error.
 */
int iso_docker_reachable(char *info, size_t size);

/*
 * Remove the containers (docker rm -f) and then the images, intermediate ones included
 * (docker image prune -a, then rmi -f of what is left), labelled with @run_id and, when not
 * NULL, @case_name. Returns how many objects were found (and
 * removed); their names go to @what (@size bytes). -1 when docker could not be asked.
 */
long iso_docker_reclaim(const char *run_id, const char *case_name, char *what, size_t size);

/*
 * The host port docker published for the container's @port/tcp (docker port NAME PORT),
 * bound on 127.0.0.1. Returns 0 with *@host_port set, or -1 with @e.
 */
int iso_docker_host_port(const char *name, int port, int *host_port, struct iso_err *e);

/* The host PID of the container's first process (docker inspect .State.Pid). 0 or -1. */
int iso_docker_pid(const char *name, pid_t *pid, struct iso_err *e);

/*
 * @s (a DOCKER_HOST such as tcp://user:password@host:2376) into @out (@size bytes) with
 * the password of its user:password@ shown as ***, for messages and reports; anything
 * else is copied as it is.
 */
void iso_docker_url_masked(const char *s, char *out, size_t size);

/*
 * The last @lines non-empty lines of a client's output @out, joined with " | " into @buf
 * (@size bytes, cut at its end): docker prints its banners first and its error last.
 */
void iso_docker_tail(const char *out, int lines, char *buf, size_t size);

#endif
