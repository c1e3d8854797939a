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
 * into @out (@size bytes), at most @timeout_s seconds. Returns the wait status (0 is
 * success), or -1 with @e when docker could not be started.
 */
int iso_docker(char *const args[], char *out, size_t size, double timeout_s, struct iso_err *e);

/*
 * Is a daemon reachable? `docker info --format {{.ServerVersion}}` within 10 s. Returns 1
 * with the server version in @info, or 0 with the reason in @info ("no Docker daemon
 * reachable at unix:///var/run/docker.sock: Cannot connect ..." or "docker not on PATH").
 */
int iso_docker_reachable(char *info, size_t size);

/*
 * Remove the containers (docker rm -f) and then the images (docker rmi -f) labelled with
 * @run_id and, when not NULL, @case_name. Returns how many objects were found (and
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

#endif
