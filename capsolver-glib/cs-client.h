/* cs-client.h: the CapSolver API client
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "cs-version.h"
#include "cs-task.h"
#include "cs-solution.h"
#include "cs-balance.h"
#include "cs-account-state.h"
#include "cs-usage.h"
#include "cs-provider.h"

G_BEGIN_DECLS

/**
 * CS_DEFAULT_BASE_URL:
 *
 * The address of the CapSolver service, the default of [property@Client:base-url].
 *
 * Since: 1.0
 */
#define CS_DEFAULT_BASE_URL "https://api.capsolver.com"

#define CS_TYPE_CLIENT (cs_client_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsClient, cs_client, CS, CLIENT, GObject)

CS_AVAILABLE_IN_ALL
CsClient    *cs_client_new                  (const char          *api_key);
CS_AVAILABLE_IN_ALL
CsClient    *cs_client_new_from_environment (GError             **error);
CS_AVAILABLE_IN_ALL
void         cs_client_new_from_environment_async  (GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
CS_AVAILABLE_IN_ALL
CsClient    *cs_client_new_from_environment_finish (GAsyncResult        *result,
                                                    GError             **error);

CS_AVAILABLE_IN_ALL
const char  *cs_client_get_api_key          (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_api_key          (CsClient            *client,
                                             const char          *api_key);
CS_AVAILABLE_IN_ALL
const char  *cs_client_get_base_url         (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_base_url         (CsClient            *client,
                                             const char          *base_url);
CS_AVAILABLE_IN_ALL
const char * const *cs_client_get_base_urls (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_base_urls        (CsClient            *client,
                                             const char * const  *base_urls);
CS_AVAILABLE_IN_ALL
char        *cs_client_dup_active_endpoint  (CsClient            *client);
CS_AVAILABLE_IN_ALL
CsProvider   cs_client_get_provider         (CsClient            *client);
CS_AVAILABLE_IN_ALL
CsClient    *cs_client_get_fallback         (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_fallback         (CsClient            *client,
                                             CsClient            *fallback);
CS_AVAILABLE_IN_ALL
const char  *cs_client_get_app_id           (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_app_id           (CsClient            *client,
                                             const char          *app_id);
CS_AVAILABLE_IN_ALL
const char  *cs_client_get_language_pool    (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_language_pool    (CsClient            *client,
                                             const char          *language_pool);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_first_poll_delay (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_first_poll_delay (CsClient            *client,
                                             guint                msec);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_poll_interval    (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_poll_interval    (CsClient            *client,
                                             guint                msec);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_deadline         (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_deadline         (CsClient            *client,
                                             guint                msec);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_max_polls        (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_max_polls        (CsClient            *client,
                                             guint                max_polls);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_request_timeout  (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_request_timeout  (CsClient            *client,
                                             guint                msec);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_adaptive_polling (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_adaptive_polling (CsClient            *client,
                                             gboolean             adaptive);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_token_request_timeout (CsClient           *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_token_request_timeout (CsClient           *client,
                                                  guint               msec);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_pause_on_cooldown (CsClient           *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_pause_on_cooldown (CsClient           *client,
                                              gboolean            pause);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_paused_for       (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_resume               (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_pause                (CsClient            *client,
                                             guint                seconds);
CS_AVAILABLE_IN_ALL
CsAccountState cs_client_get_account_state  (CsClient            *client);
CS_AVAILABLE_IN_ALL
GError      *cs_client_dup_account_error    (CsClient            *client);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_account_breaker  (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_account_breaker  (CsClient            *client,
                                             gboolean             breaker);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_balance_cache_time (CsClient          *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_balance_cache_time (CsClient          *client,
                                               guint              seconds);
CS_AVAILABLE_IN_ALL
void         cs_client_invalidate_balance   (CsClient            *client);
CS_AVAILABLE_IN_ALL
SoupSession *cs_client_get_session          (CsClient            *client);
CS_AVAILABLE_IN_ALL
char        *cs_client_redact               (CsClient            *client,
                                             CsTask              *task,
                                             const char          *text);
CS_AVAILABLE_IN_ALL
GTlsDatabase *cs_client_get_tls_database    (CsClient            *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_tls_database     (CsClient            *client,
                                             GTlsDatabase        *database);
CS_AVAILABLE_IN_ALL
void         cs_client_install_default_tls_database (void);
CS_AVAILABLE_IN_ALL
CsUsage     *cs_client_get_usage               (CsClient         *client);
CS_AVAILABLE_IN_ALL
CsUsage     *cs_client_get_account_usage       (CsClient         *client);
CS_AVAILABLE_IN_ALL
guint        cs_client_get_max_tasks_in_flight (CsClient         *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_max_tasks_in_flight (CsClient         *client,
                                                guint             max_tasks);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_allow_insecure_http (CsClient         *client);
CS_AVAILABLE_IN_ALL
void         cs_client_set_allow_insecure_http (CsClient         *client,
                                                gboolean          allow);

/* createTask */
CS_AVAILABLE_IN_ALL
void         cs_client_create_task_async    (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_create_task_finish   (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_create_task          (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* getToken: createTask held until solved */
CS_AVAILABLE_IN_ALL
void         cs_client_get_token_async      (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
CsSolution  *cs_client_get_token_finish     (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
CsSolution  *cs_client_get_token            (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* getTaskResult, once */
CS_AVAILABLE_IN_ALL
void         cs_client_get_task_result_async  (CsClient            *client,
                                               CsTask              *task,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_task_result_finish (CsClient            *client,
                                               GAsyncResult        *result,
                                               GError             **error);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_get_task_result        (CsClient            *client,
                                               CsTask              *task,
                                               GCancellable        *cancellable,
                                               GError             **error);

/* createTask (unless the task has an id) and poll until done */
CS_AVAILABLE_IN_ALL
void         cs_client_solve_async          (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
CsSolution  *cs_client_solve_finish         (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
CsSolution  *cs_client_solve                (CsClient            *client,
                                             CsTask              *task,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* getBalance */
CS_AVAILABLE_IN_ALL
void         cs_client_get_balance_async    (CsClient            *client,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
CsBalance   *cs_client_get_balance_finish   (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
CsBalance   *cs_client_get_balance          (CsClient            *client,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* feedbackTask */
CS_AVAILABLE_IN_ALL
void         cs_client_feedback_task_async  (CsClient            *client,
                                             CsTask              *task,
                                             gboolean             invalid,
                                             int                  code,
                                             const char          *message,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_feedback_task_finish (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_feedback_task        (CsClient            *client,
                                             CsTask              *task,
                                             gboolean             invalid,
                                             int                  code,
                                             const char          *message,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* a report in the provider's dialect */
CS_AVAILABLE_IN_ALL
void         cs_client_report_async         (CsClient            *client,
                                             CsTask              *task,
                                             gboolean             correct,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_report_finish        (CsClient            *client,
                                             GAsyncResult        *result,
                                             GError             **error);
CS_AVAILABLE_IN_ALL
gboolean     cs_client_report               (CsClient            *client,
                                             CsTask              *task,
                                             gboolean             correct,
                                             GCancellable        *cancellable,
                                             GError             **error);

G_END_DECLS
