/* bench-common.h: helpers shared by the benchmarks under tests/bench
 *
 * Benchmarks that measure a client against a sandbox run the sandbox in a
 * process of its own (`capsolver sandbox`), so that its CPU time is its
 * own, and compare with wrk against the same port.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A `capsolver sandbox` child process. */
typedef struct {
  GPid  pid;
  char *base_url;   /* line 1 of its output, "http://127.0.0.1:PORT" */
  char *api_key;    /* line 2: the key it always accepts */
} BenchSandbox;

/* The `capsolver` program of this build (or $CAPSOLVER when set). */
const char   *bench_capsolver_path      (void);

/* Starts `capsolver sandbox --port 0` followed by @args (NULL-terminated,
 * may be NULL), such as { "--time-scale", "0", NULL }, and waits (up to
 * 20 s) for it to print its URL and key. Returns NULL with @error set if
 * it cannot be started or exits first. */
BenchSandbox *bench_sandbox_start       (const char * const *args,
                                         GError            **error);

/* Stops the sandbox with SIGTERM, waits for it, and frees @sandbox. */
void          bench_sandbox_stop        (BenchSandbox       *sandbox);

/* The CPU time (user + system) process @pid used so far, in seconds,
 * from /proc/PID/stat; -1 if it cannot be read. */
double        bench_process_cpu_seconds (GPid                pid);

/* GET @base_url/sandbox/timings and return its "requests" counter (the
 * requests the sandbox served), or -1 with @error set. */
gint64        bench_sandbox_requests    (const char         *base_url,
                                         GError            **error);

/* The lag from "ready" to the token of a set of tasks, in seconds, and
 * their polls per task; -1 when the sandbox recorded none. @failed is the
 * caller's to fill. */
typedef struct {
  double p50;
  double p99;
  double polls;
  guint  n;
  guint  failed;
} BenchLag;

/* GET @url/sandbox/timings and read the lag of the tasks whose ids are
 * in @ids (a set of strings). */
BenchLag      bench_sandbox_read_lag    (const char         *url,
                                         GHashTable         *ids);

/* Whether wrk is installed (on PATH). */
gboolean      bench_wrk_available       (void);

/* Prints, on standard error, that wrk is missing and how to install it. */
void          bench_wrk_explain_missing (void);

/* Runs wrk for @seconds with @connections connections (and as many
 * threads as processors, at most @connections), POSTing @body
 * (application/json) to @url, and sets @requests_per_second to the rate
 * wrk reports. FALSE with @error set if wrk is missing (G_SPAWN_ERROR_NOENT),
 * fails, or prints no rate. */
gboolean      bench_wrk_post            (const char         *url,
                                         const char         *body,
                                         guint               connections,
                                         guint               seconds,
                                         double             *requests_per_second,
                                         GError            **error);

/* The same, each request POSTing the next of @bodies (NULL-terminated)
 * in turn, for instance to poll many tasks. */
gboolean      bench_wrk_post_each       (const char         *url,
                                         const char * const *bodies,
                                         guint               connections,
                                         guint               seconds,
                                         double             *requests_per_second,
                                         GError            **error);

G_END_DECLS
