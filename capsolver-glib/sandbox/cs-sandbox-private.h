/* cs-sandbox-private.h: the parts of CsSandbox, shared between its sources
 *
 * cs-sandbox-server.c runs a SoupServer in a thread of its own, on
 * connections it accepts itself, with their header and body deadlines;
 * cs-sandbox-service.c is the service (keys, balances, tasks and their
 * time model, expiry, limits, the protocol's methods);
 * cs-sandbox-answers.c checks images, makes the deterministic solutions
 * and solve times, and writes JSON; cs-sandbox-http.c is the HTTP face in
 * the server thread (faults, counters, held getToken requests, callbacks,
 * the sandbox's own paths); cs-sandbox.c is the GObject and its API.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cs-dialect.h"
#include "cs-private.h"
#include "cs-sandbox.h"

G_BEGIN_DECLS

/* The slowest pace of the time model: a thousand times the service's
 * (its times in µs then still fit easily). */
#define MAX_TIME_SCALE 1000.0

/* Requests larger than this are refused with ERROR_BAD_REQUEST. */
#define CS_SANDBOX_MAX_REQUEST_SIZE (8 * 1024 * 1024)

/* A connection that sends no complete request headers, or no complete
 * body after its headers, for this long (ms) is closed (idle-timeout). */
#define CS_SANDBOX_IDLE_TIMEOUT 30000


/* --- A SoupServer on 127.0.0.1 in a thread of its own ---------------------- */

typedef struct _CsServerThread CsServerThread;

CsServerThread   *_cs_server_thread_start        (guint               port,
                                                  SoupServerCallback  early_handler,
                                                  SoupServerCallback  handler,
                                                  gpointer            user_data,
                                                  GError            **error);
guint             _cs_server_thread_get_port     (CsServerThread     *thread);
GMainContext     *_cs_server_thread_get_context  (CsServerThread     *thread);
void              _cs_server_thread_set_timeouts (CsServerThread     *thread,
                                                  guint               header_timeout,
                                                  guint               idle_timeout,
                                                  guint               body_timeout);
void              _cs_server_thread_get_connections (CsServerThread  *thread,
                                                     guint           *accepted,
                                                     guint           *open);
void              _cs_server_thread_stop         (CsServerThread     *thread);
/* For handlers of such a server. */
void              _cs_server_delay_message       (SoupServer         *server,
                                                  SoupServerMessage  *message,
                                                  guint               delay_ms);
void              _cs_server_drop_connection     (SoupServerMessage  *message);

/* --- The HTTP side ----------------------------------------------------------- */

/* Answers @body, a request of @method (a name of
 * _cs_sandbox_service_lookup_method()), as the server does once the
 * request is in: the HTTP status and the reply, to send after @delay_ms,
 * or 0 and the id of the task a getToken request waits for in @held. */
guint             _cs_sandbox_answer_body        (CsSandbox        *sandbox,
                                                  const char       *method,
                                                  GBytes           *body,
                                                  JsonObject      **reply,
                                                  guint            *delay_ms,
                                                  char            **held);

/* --- The service ---------------------------------------------------------
 *
 * Not thread-safe: CsSandbox holds its lock around every call. Times are
 * monotonic µs (g_get_monotonic_time()).
 */

typedef struct _CsSandboxService CsSandboxService;

struct _CsSandboxService
{
  GHashTable *balances;          /* API key → gint64 *, millionths of a USD */
  GHashTable *tasks;             /* task id → SandboxTask */
  GQueue      scripted_failures; /* error codes (char *) for the next tasks */
  guint       polls_until_ready;
  guint       ready_delay;       /* ms */
  guint       task_lifetime;     /* s */

  /* the time model; a negative scale keeps the poll-count model */
  double      time_scale;
  guint       workers;           /* 0: as many as there are tasks */
  guint       queue_limit;       /* tasks waiting for a worker; 0: no limit */
  guint       max_tasks;         /* tasks kept at once */
  guint       rate_limit;        /* requests per second and key; 0: none */
  guint       key_block_errors;  /* errors a minute that block a key; 0: never */
  guint       ip_ban_errors;     /* errors a minute that ban every client; 0: never */
  gboolean    numeric_ids;       /* task ids of digits, for the dialects that number tasks */
  gboolean    charge_unsolvable; /* ERROR_CAPTCHA_UNSOLVABLE costs the price (Anti-Captcha) */

  /* the service's own */
  gint64      epoch;             /* when it started: timings count from it */
  gint64      timings_since;     /* tasks created before are not reported */
  guint64     serial;
  guint64     id_base;           /* the first numeric task id */
  GQueue      created;           /* SandboxTask, by creation */
  GQueue      finished;          /* SandboxTask, by finish time (time model) */
  GQueue      waiting;           /* SandboxTask, for a worker */
  GSequence  *running;           /* SandboxTask, by ready time */
  GQueue      notices;           /* CsSandboxNotice */
  guint       n_awaited;         /* pending tasks with a notice to give */
  GHashTable *key_states;        /* API key → request rate and error counts */
  gint64      ip_window;
  guint       ip_errors;
  gint64      ip_banned_until;
  guint       n_forgotten;       /* tasks freed since the memory was last given back */
};

/* A task that someone waits for has finished: a held getToken request,
 * or a callback URL. */
typedef struct {
  char *task_id;
  char *callback_url;            /* nullable */
  gboolean held;
} CsSandboxNotice;

CsSandboxService *_cs_sandbox_service_new        (void);
void              _cs_sandbox_service_free       (CsSandboxService *service);
void              _cs_sandbox_service_set_balance (CsSandboxService *service,
                                                   const char       *api_key,
                                                   double            balance);
double            _cs_sandbox_service_get_balance (CsSandboxService *service,
                                                   const char       *api_key);
void              _cs_sandbox_service_fail_next  (CsSandboxService *service,
                                                  const char       *error_code);
gint64            _cs_sandbox_service_get_price  (const char       *type_name);

/* The API method a request path names ("/createTask/" → "createTask"), as
 * a static string, or NULL for a path the service does not have. */
const char       *_cs_sandbox_service_lookup_method (const char    *path);

/* Answers one request of @method; returns the HTTP status and sets
 * @reply to the body, to be sent after @delay_ms. A getToken request whose
 * task is not solved yet returns 0, no reply, and the task's id in @held:
 * a notice will say when to ask _cs_sandbox_service_task_reply(). */
guint             _cs_sandbox_service_call       (CsSandboxService *service,
                                                  const char       *method,
                                                  JsonObject       *request,
                                                  JsonObject      **reply,
                                                  guint            *delay_ms,
                                                  char            **held);
/* The answer to a held getToken request, or the body of a callback: the
 * task's result, as getTaskResult gives it, without counting a poll. */
guint             _cs_sandbox_service_task_reply (CsSandboxService *service,
                                                  const char       *task_id,
                                                  gboolean          fetched,
                                                  JsonObject      **reply);
/* Moves the tasks on to now; returns the notices of the tasks that
 * finished (transfer full, may be empty). */
GPtrArray        *_cs_sandbox_service_advance    (CsSandboxService *service);
/* Moves the tasks on to now and forgets those expired; TRUE when so many
 * tasks were freed since the last TRUE that their memory is worth giving
 * back to the system. */
gboolean          _cs_sandbox_service_expire     (CsSandboxService *service);
/* When the next task that someone waits for finishes (monotonic µs), or
 * 0 if none. */
gint64            _cs_sandbox_service_next_notice (CsSandboxService *service);
/* The timing records (see cs_sandbox_get_timings()), without the
 * connection counters. */
JsonObject       *_cs_sandbox_service_get_timings (CsSandboxService *service,
                                                   guint             connections,
                                                   guint             open_connections,
                                                   guint             requests);
void              _cs_sandbox_service_clear_timings (CsSandboxService *service);

/* What a dialect's replies and reports need to know of a task. */
typedef struct {
  const char *type_name;         /* CapSolver's; valid while the lock is held */
  gint64      price;             /* millionths of a USD */
  gint64      created;           /* real time, µs */
  gint64      finished;          /* real time, µs; 0: not finished */
  gboolean    ready;             /* finished with a solution */
  guint       reports;           /* reports counted before this call */
} CsSandboxTaskInfo;

/* The task @task_id of @api_key (NULL: any key's); FALSE for none
 * (expired, another key's).
 * @report counts one more report of it. */
gboolean          _cs_sandbox_service_get_task_info (CsSandboxService  *service,
                                                     const char        *api_key,
                                                     const char        *task_id,
                                                     gboolean           report,
                                                     CsSandboxTaskInfo *info);

/* @object as JSON, numbers in their shortest form, as the service writes
 * them. */
GBytes           *_cs_sandbox_json_to_bytes      (JsonObject       *object);

/* An error envelope; returns its HTTP status (401 for key errors, 400
 * otherwise). */
guint             _cs_sandbox_error_reply        (const char       *code,
                                                  const char       *description,
                                                  JsonObject      **reply);

/* --- Another provider's dialect (cs-sandbox-dialect.c) ---------------------
 *
 * Under the sandbox's lock, as the service is.
 */

/* The method a request path names in @dialect: the service's, and the
 * dialect's reports; NULL for none. A static string. */
const char       *_cs_sandbox_dialect_lookup_method (const CsDialect  *dialect,
                                                     const char       *path);
/* _cs_sandbox_service_call() for a request written in @dialect: the
 * reply is written in @dialect too. */
guint             _cs_sandbox_dialect_call       (CsSandboxService *service,
                                                  const CsDialect  *dialect,
                                                  const char       *method,
                                                  JsonObject       *request,
                                                  JsonObject      **reply,
                                                  guint            *delay_ms,
                                                  char            **held);
/* A reply of the service to @method (nullable), rewritten in @dialect;
 * returns the HTTP status to send in place of @status. */
guint             _cs_sandbox_dialect_write      (CsSandboxService *service,
                                                  const CsDialect  *dialect,
                                                  const char       *method,
                                                  guint             status,
                                                  JsonObject      **reply);

/* --- Answers ---------------------------------------------------------------
 *
 * Errors are in CS_ERROR; their message is the errorDescription to send.
 */

gboolean          _cs_sandbox_check_images       (const CsTaskFamily *family,
                                                  JsonObject         *task,
                                                  GError            **error);
JsonObject       *_cs_sandbox_answer             (const CsTaskFamily *family,
                                                  JsonObject         *task,
                                                  gint64              created_ms,
                                                  guint              *solve_ms,
                                                  GError            **error);

/* --- The object, shared by cs-sandbox.c and its HTTP face ------------------ */

/* How many method names and paths get a request counter of their own. */
#define MAX_COUNTED_NAMES 64

#define DEFAULT_POLLS_UNTIL_READY 2
#define DEFAULT_READY_DELAY       0     /* ms */
#define DEFAULT_TASK_LIFETIME     300   /* s, as the service keeps tasks */
#define DEFAULT_FAULT_DELAY       1000  /* ms */
#define DEFAULT_BALANCE           100.0 /* USD */

#define DEFAULT_MAX_TASKS         100000
/* s a callback receiver has to answer */
#define CALLBACK_TIMEOUT          2
/* s between two sweeps of the expired tasks of a sandbox that gets no
 * createTask */
#define EXPIRY_INTERVAL           1
#define TIMINGS_PATH              "/sandbox/timings"

#define TOO_LARGE_KEY "cs-sandbox-too-large"

typedef struct {
  CsSandboxFault fault;
  guint          remaining;
} FaultRun;

struct _CsSandbox
{
  GObject           parent_instance;

  /* Guards the service, the faults, the counters and the settings: the
   * server thread answers under it, the API changes things under it. */
  GMutex            lock;
  CsSandboxService *service;
  GQueue            faults;           /* FaultRun */
  GHashTable       *request_counts;   /* method → count */
  guint             n_requests;
  guint             fault_delay;

  guint             idle_timeout;
  CsProvider        provider;
  const CsDialect  *dialect;          /* NULL: CapSolver's, as the service writes it */

  /* the server thread's */
  GHashTable       *held;             /* task id → GList of held getToken messages */
  GSource          *notice_source;    /* ready when the next task is due */
  GSource          *expiry_source;
  SoupSession      *callbacks;
  gboolean          stopping;

  /* the owner's */
  CsServerThread   *server_thread;
  guint             port;
  char             *base_url;
};

/* cs-sandbox-http.c */
void              _cs_sandbox_http_request_headers (SoupServer        *server,
                                                    SoupServerMessage *message,
                                                    const char        *path,
                                                    GHashTable        *query,
                                                    gpointer           user_data);
void              _cs_sandbox_http_request       (SoupServer        *server,
                                                  SoupServerMessage *message,
                                                  const char        *path,
                                                  GHashTable        *query,
                                                  gpointer           user_data);
void              _cs_sandbox_http_make_sources  (CsSandbox         *self);
JsonObject       *_cs_sandbox_http_get_timings   (CsSandbox         *self);

G_END_DECLS
