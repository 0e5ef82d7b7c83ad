/* cs-sandbox.h: a local CapSolver-compatible service
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "cs-version.h"
#include "cs-error.h"
#include "cs-provider.h"

G_BEGIN_DECLS

/**
 * CS_SANDBOX_DEFAULT_KEY:
 *
 * The API key every new [class@Sandbox] accepts, with a balance of
 * 100 USD. Other keys are added with [method@Sandbox.add_key].
 *
 * Since: 1.0
 */
#define CS_SANDBOX_DEFAULT_KEY "CAP-SANDBOX-0000000000000000000000000000000000000000000000000000000000"

/**
 * CS_SANDBOX_ERROR_URL_PREFIX:
 *
 * A task with a string field (such as `websiteURL`) that reads this prefix
 * followed by an error code, such as
 * `https://sandbox.invalid/error/ERROR_CAPTCHA_UNSOLVABLE`, ends in that
 * error in a [class@Sandbox]; [the sandbox guide](sandbox.html) says when.
 *
 * Since: 1.0
 */
#define CS_SANDBOX_ERROR_URL_PREFIX "https://sandbox.invalid/error/"

/**
 * CS_SANDBOX_FAULT_URL_PREFIX:
 *
 * A request whose body holds this prefix followed by the nickname of a
 * [enum@SandboxFault], such as a task with the `websiteURL`
 * `https://sandbox.invalid/fault/http-503-html`, fails at the HTTP level
 * in a [class@Sandbox] as that fault says. The nicknames are `http-500`,
 * `http-503-html`, `malformed-json`, `delay` and `drop-connection`. This
 * reaches a sandbox in another process, where
 * [method@Sandbox.inject_fault] cannot be called.
 *
 * Since: 1.0
 */
#define CS_SANDBOX_FAULT_URL_PREFIX "https://sandbox.invalid/fault/"

/**
 * CS_SANDBOX_ANSWER_KEYWORD:
 *
 * The keyword of a PNG `tEXt` chunk whose text a [class@Sandbox] gives as
 * the answer of an `ImageToTextTask`, so that a sample image can have a
 * known answer.
 *
 * Since: 1.0
 */
#define CS_SANDBOX_ANSWER_KEYWORD "capsolver-sandbox-answer"

/**
 * CsSandboxFault:
 * @CS_SANDBOX_FAULT_NONE: answer normally
 * @CS_SANDBOX_FAULT_HTTP_500: answer HTTP 500 with an empty body
 * @CS_SANDBOX_FAULT_HTTP_503_HTML: answer HTTP 503 with an HTML error page,
 *   as a proxy in front of the service does
 * @CS_SANDBOX_FAULT_MALFORMED_JSON: answer HTTP 200 with a JSON content type
 *   and a body that is not JSON
 * @CS_SANDBOX_FAULT_DELAY: answer normally, after [property@Sandbox:fault-delay]
 *   milliseconds
 * @CS_SANDBOX_FAULT_DROP_CONNECTION: close the connection without answering
 *
 * A failure at the HTTP level that the sandbox can inject with
 * [method@Sandbox.inject_fault], for testing an application's error paths.
 * Except for %CS_SANDBOX_FAULT_DELAY, a faulted request is not processed:
 * no task is created and nothing is charged.
 *
 * Since: 1.0
 */
typedef enum {
  CS_SANDBOX_FAULT_NONE,
  CS_SANDBOX_FAULT_HTTP_500,
  CS_SANDBOX_FAULT_HTTP_503_HTML,
  CS_SANDBOX_FAULT_MALFORMED_JSON,
  CS_SANDBOX_FAULT_DELAY,
  CS_SANDBOX_FAULT_DROP_CONNECTION,
} CsSandboxFault;

#define CS_TYPE_SANDBOX (cs_sandbox_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsSandbox, cs_sandbox, CS, SANDBOX, GObject)

CS_AVAILABLE_IN_ALL
CsSandbox  *cs_sandbox_new              (void);

CS_AVAILABLE_IN_ALL
gboolean    cs_sandbox_start            (CsSandbox      *sandbox,
                                         guint           port,
                                         GError        **error);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_stop             (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
const char *cs_sandbox_get_base_url     (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_port         (CsSandbox      *sandbox);

CS_AVAILABLE_IN_ALL
void        cs_sandbox_add_key          (CsSandbox      *sandbox,
                                         const char     *api_key,
                                         double          balance);
CS_AVAILABLE_IN_ALL
double      cs_sandbox_get_key_balance  (CsSandbox      *sandbox,
                                         const char     *api_key);

CS_AVAILABLE_IN_ALL
gboolean    cs_sandbox_is_running       (CsSandbox      *sandbox);

CS_AVAILABLE_IN_ALL
double      cs_sandbox_get_price        (CsSandbox      *sandbox,
                                         const char     *type_name);

CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_polls_until_ready (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_polls_until_ready (CsSandbox *sandbox,
                                              guint      polls);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_ready_delay  (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_ready_delay  (CsSandbox      *sandbox,
                                         guint           msec);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_task_lifetime (CsSandbox     *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_task_lifetime (CsSandbox     *sandbox,
                                          guint          seconds);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_fault_delay  (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_fault_delay  (CsSandbox      *sandbox,
                                         guint           msec);

CS_AVAILABLE_IN_ALL
double      cs_sandbox_get_time_scale   (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_time_scale   (CsSandbox      *sandbox,
                                         double          scale);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_workers (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_workers (CsSandbox *sandbox,
                                    guint      workers);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_queue_limit (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_queue_limit (CsSandbox *sandbox,
                                        guint      tasks);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_max_tasks (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_max_tasks (CsSandbox *sandbox,
                                      guint      tasks);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_rate_limit (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_rate_limit (CsSandbox *sandbox,
                                       guint      requests);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_key_block_errors (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_key_block_errors (CsSandbox *sandbox,
                                             guint      errors);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_ip_ban_errors (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_ip_ban_errors (CsSandbox *sandbox,
                                          guint      errors);
CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_idle_timeout (CsSandbox *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_idle_timeout (CsSandbox *sandbox,
                                         guint      msec);

CS_AVAILABLE_IN_ALL
CsProvider  cs_sandbox_get_dialect      (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_set_dialect      (CsSandbox      *sandbox,
                                         CsProvider      provider);

CS_AVAILABLE_IN_ALL
void        cs_sandbox_fail_next_task   (CsSandbox      *sandbox,
                                         const char     *error_code);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_inject_fault     (CsSandbox      *sandbox,
                                         CsSandboxFault  fault,
                                         guint           count);

CS_AVAILABLE_IN_ALL
guint       cs_sandbox_get_request_count (CsSandbox     *sandbox,
                                          const char    *method);

CS_AVAILABLE_IN_ALL
JsonNode   *cs_sandbox_get_timings      (CsSandbox      *sandbox);
CS_AVAILABLE_IN_ALL
void        cs_sandbox_clear_timings    (CsSandbox      *sandbox);

G_END_DECLS
