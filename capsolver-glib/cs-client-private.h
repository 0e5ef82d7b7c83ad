/* cs-client-private.h: the parts of CsClient shared between its sources
 *
 * The files and their order are listed below, before the declarations.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "cs-private.h"
#include "cs-account.h"
#include "cs-client.h"
#include "cs-dialect.h"

G_BEGIN_DECLS

#define DEFAULT_FIRST_POLL_DELAY 2000   /* ms; token tasks are never ready sooner */
#define DEFAULT_MAX_CONNECTIONS  16
/* libsoup 3.2 has no name for it */
#define HTTP_TOO_MANY_REQUESTS   429
#define DEFAULT_TOKEN_REQUEST_TIMEOUT 180000 /* ms; the service gives up at 120 s */
/* The adaptive schedule's spacing of two polls of one task. */
#define MIN_STEP_MS              250
#define MAX_STEP_MS              1000
#define DEFAULT_POLL_INTERVAL    3000   /* ms; what the service asks for */
#define DEFAULT_DEADLINE         150000 /* ms; the service gives up at 120 s */
#define DEFAULT_MAX_POLLS        CS_MAX_POLLS_PER_TASK
#define DEFAULT_REQUEST_TIMEOUT  60000  /* ms for one whole HTTP exchange */
#define SESSION_IO_TIMEOUT       60     /* s, per socket operation */
/* The most held requests (getToken) on their way at once, each on a
 * connection of its own: never more than half the open-file limit. */
#define CS_MAX_HELD_REQUESTS     4096
/* Held requests on one session: libsoup walks every message of a session
 * and every connection of its host for each message that waits, on every
 * event of the session, so a thousand on one take seconds of CPU. */
#define CS_HELD_SESSION_SIZE     32
#define DEFAULT_BALANCE_CACHE_TIME 30   /* s; what the services ask of their users */
/* The longest pause after a cooldown error, whatever Retry-After says:
 * the longest cooldown of the error table (ERROR_IP_BANNED), in seconds. */
#define CS_MAX_PAUSE             (30 * 60)
/* Set on a message whose connection resumed a TLS session this client
 * would not have trusted (cs-client.c): the call fails as a bad
 * certificate. */
#define CS_UNTRUSTED_TLS_RESUMPTION "cs-untrusted-tls-resumption"
/* Polls are idempotent: a transient failure of one does not end the solve,
 * unless it happens this many times in a row. An outage (a transport
 * failure, a 5xx) is ridden out until the solve's deadline instead, its
 * polls backing off from DEFAULT_OUTAGE_BACKOFF up to OUTAGE_POLL_MAX_STEPS
 * times that. */
#define MAX_TRANSIENT_POLL_ERRORS 3
#define DEFAULT_OUTAGE_BACKOFF    500    /* ms */
#define OUTAGE_POLL_MAX_STEPS     8
/* getBalance and feedbackTask are sent again this many times after an
 * outage, the wait doubling from the same start. */
#define OUTAGE_RETRIES            3
/* After a move off the first endpoint, a health probe of the first after
 * this wait, doubling up to the second figure (ms). */
#define DEFAULT_ENDPOINT_PROBE_WAIT 5000
#define MAX_ENDPOINT_PROBE_WAIT     60000
/* Once every endpoint failed in a row, new tasks skip the client for the
 * next client of a chain this long, doubling up to the second figure (ms)
 * while the first one sent after it fails too. */
#define DOWN_HOLD_MS                5000
#define MAX_DOWN_HOLD_MS            60000

struct _CsClient
{
  GObject      parent_instance;

  char        *api_key;
  char        *base_url;         /* base_urls[0]; NULL for COMPATIBLE without one */
  char        *base_url_given;   /* the property as set, or NULL: the dialect's first */
  GStrv        base_urls_given;  /* base-urls as set, or NULL */
  CsProvider   provider;
  const CsDialect *dialect;  /* how requests are written and replies read */
  CsClient    *fallback;     /* the next of the chain, under cs-client.c's chain_lock */
  char        *app_id;
  char        *language_pool;    /* languagePool, or NULL */
  guint        first_poll_delay;
  guint        poll_interval;
  guint        deadline;
  guint        max_polls;
  guint        request_timeout;
  guint        token_request_timeout;
  gboolean     pause_on_cooldown;
  gboolean     adaptive_polling;
  guint        max_connections;
  gboolean     allow_insecure_http;
  guint        outage_backoff;  /* ms, the first wait after an outage; tests shorten it */
  SoupSession *session;
  SoupSession *blocking_session; /* the blocking calls' (cs-client.c) */
  SoupSession *blocking_held_session; /* the blocking getToken calls' */
  /* the held requests' (getToken), each of at most CS_HELD_SESSION_SIZE
   * of them, made as needed under queue_lock (cs-client-call.c) */
  GPtrArray   *held_sessions;
  GArray      *held_session_use; /* guint: requests on each */
  GTlsDatabase *tls_database;   /* NULL: the session's own */

  /* the requests waiting for one of max_in_flight slots (cs-client-call.c) */
  GMutex       queue_lock;
  GQueue       waiting_creates;
  GQueue       waiting_polls;
  GQueue       waiting_paced;   /* createTask and getToken: paced after no-slot answers */
  guint        in_flight;
  guint        max_in_flight;
  gboolean     admit_creates_next;
  /* held requests (getToken) have slots of their own: max_held of them */
  GQueue       waiting_held;
  guint        held_in_flight;
  guint        max_held;
  GSource     *pace_wake;       /* admits the paced requests when their turn comes */

  /* the pace of creates after no-slot answers (cs-client-slots.c) */
  GMutex       slot_lock;
  guint        slot_level;      /* 0: no back-off; else the doublings of the wait */
  gint64       slot_next;       /* monotonic µs: the next paced request's turn */
  guint        slot_generation; /* moves on at each answer that changes the level */
  guint        slot_window;     /* after a back-off: paced requests at once; 0: any */
  guint        paced_in_flight; /* paced requests the queue let go, not yet answered */
  /* the cap on tasks in flight, under slot_lock too */
  guint        max_tasks;       /* 0: no cap; the key's places are its account's */

  /* one scheduler per main context (cs-client-solve.c) and the poll plans
   * of the task families (cs-client-plan.c) */
  GMutex       solve_lock;
  GHashTable  *schedulers;
  GHashTable  *poll_plans;

  /* the account of the key at the base URL, shared in the process
   * (cs-account.c), and what this client makes of it
   * (cs-client-account.c); the pointers under account_lock */
  GMutex          account_lock;
  CsAccount      *account;
  CsAccountWatch *account_watch;
  GSource        *account_timer;
  GMainContext   *context;          /* where the client was made: its wake-ups */
  GThread        *made_in;          /* the thread that made it, only compared */
  CsAccountState  account_state;    /* the last notified */
  gboolean        account_breaker;
  guint           balance_cache_time; /* s */

  /* the endpoints, base_urls[0] being base_url, and the one in use
   * (cs-client-call.c), under endpoint_lock */
  GMutex       endpoint_lock;
  GStrv        base_urls;
  guint        endpoint;
  guint        endpoint_generation; /* moves on when base_urls changes */
  GSource     *endpoint_probe;      /* the next probe of the first, while off it */
  guint        probe_wait;          /* ms, the wait before the next probe */
  guint        probe_first_wait;    /* ms; tests shorten it */
  gint64       switched_at;         /* monotonic µs of the last move */
  gboolean     constructing;        /* base-url and base-urls are both construct: */
  gboolean     construct_urls_given; /* a list given wins over base-url */
  GStrv        endpoints_skipped;   /* why each URL left out of base_urls was, or NULL */
  gboolean     skipped_logged;      /* the reasons were logged, at the first request */
  gboolean     endpoints_usable;    /* base_urls passed the checks as they were made;
                                     * endpoint_lock, set with them */
  CsWeakHandle *handle;             /* what tasks and deferred calls hold of the client */
  guint        down_streak;         /* requests that found an endpoint down, in a row */
  guint        down_hold;           /* ms; 0 while the endpoints answer */
  gint64       down_until;          /* monotonic µs; new tasks skip the client until then */

  /* what the client asked and spent (cs-client-slots.c) */
  GMutex       usage_lock;
  gint64       usage[CS_USAGE_N_FIELDS];
};


/* The files of the client, from the bottom up; each uses only those
 * above it in this list:
 *   cs-client-sessions.c the client's own session and those beside it
 *   cs-client-slots.c    the pace of creates after no-slot answers, the cap
 *                        on tasks in flight, the usage counters
 *   cs-client-call.c     one HTTP exchange, the queue, the account's
 *                        breaker checked and tripped, the bookkeeping of
 *                        blocking calls
 *   cs-client-account.c  the client's account: bound to its key, woken on
 *                        its context, the queue swept, the balance probed
 *   cs-client-plan.c     the adaptive poll plans of the task families
 *   cs-client.c          the object: its configuration and the state of
 *                        every layer, made in init and freed in finalize
 *   cs-client-methods.c  createTask, getToken, getTaskResult, getBalance,
 *                        feedbackTask
 *   cs-client-solve.c    the scheduler that creates and polls
 *   cs-client-sync.c     the blocking forms
 *   cs-client-environment.c  the client from the environment or keyring
 */

/* cs-client-sessions.c */
SoupSession *_cs_client_new_own_session       (CsClient    *self);
SoupSession *_cs_client_new_companion_session (SoupSession *shared,
                                               guint        max_connections,
                                               gboolean     follow_timeout);
SoupSession *_cs_client_new_held_session      (CsClient    *self);

/* cs-client-slots.c */
gboolean    _cs_client_ticket_take     (CsClient            *self,
                                        CsTicket            *ticket);
void        _cs_client_ticket_drop     (CsClient            *self,
                                        CsTicket            *ticket);
void        _cs_client_tickets_set_max (CsClient            *self,
                                        guint                max_tasks);
guint       _cs_client_outage_backoff  (guint                failures,
                                        guint                base_ms,
                                        guint                max_ms);
void        _cs_client_slots_init      (CsClient            *self);
void        _cs_client_slots_clear     (CsClient            *self);
gboolean    _cs_client_slots_pass      (CsClient            *self,
                                        gint64               now,
                                        guint               *generation);
gint64      _cs_client_slots_reserve   (CsClient            *self,
                                        gint64               now,
                                        guint               *generation);
gint64      _cs_client_slots_next      (CsClient            *self);
/* The one place a counter of the client moves (CsUsage). */
void        _cs_client_count           (CsClient            *self,
                                        CsUsageField         field,
                                        gint64               n);
void        _cs_client_count_for       (CsClient            *self,
                                        CsAccount           *account,
                                        CsUsageField         field,
                                        gint64               n);
void        _cs_client_slots_record    (CsClient            *self,
                                        guint                generation,
                                        gboolean             refused);
void        _cs_client_slots_left      (CsClient            *self);

/* cs-client-call.c */
typedef enum {
  CS_CALL_IDEMPOTENT = 1 << 0,   /* safe to repeat: kept-alive connections */
  CS_CALL_LONG       = 1 << 1,   /* held by the service: token-request-timeout */
  CS_CALL_BLOCKING   = 1 << 2,   /* of a blocking call: bypasses the queue, and goes
                                  * on the blocking calls' session */
  CS_CALL_SPENDS     = 1 << 3,   /* creates a task: held while there is no money */
  CS_CALL_PACED      = 1 << 4,   /* asks the service for a slot (createTask, getToken):
                                  * paced after no-slot answers */
  CS_CALL_PROBE      = 1 << 5,   /* the health probe: to the first endpoint, never moves */
} CsCallFlags;

void        _cs_client_init_queue      (CsClient            *self);
guint       _cs_client_held_allowance  (guint                max_connections);
void        _cs_client_clear_queue     (CsClient            *self);
void        _cs_client_call_async      (CsClient            *self,
                                        const char          *method,
                                        JsonObject          *body,
                                        const char * const  *secrets,
                                        CsCallFlags          flags,
                                        GCancellable        *cancellable,
                                        GCancellable        *unsent_cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    _cs_client_call_was_sent   (GAsyncResult        *result);
gboolean    _cs_client_call_may_have_arrived (GAsyncResult  *result);
gboolean    _cs_client_call_never_reached (GAsyncResult     *result);
void        _cs_client_probe_blocking  (CsClient            *self);
void        _cs_client_end_held_calls  (CsClient            *self);
CsAccount  *_cs_client_ref_account     (CsClient            *self);
gboolean    _cs_client_call_was_held_back (GAsyncResult     *result);
gboolean    _cs_client_call_finish     (CsClient            *self,
                                        GAsyncResult        *result,
                                        CsReply             *reply,
                                        GError             **error);
gboolean    _cs_client_endpoints_set   (CsClient            *self,
                                        const char * const  *base_urls,
                                        gboolean             usable);
void        _cs_client_endpoints_clear (CsClient            *self);

/* A blocking call in progress: its own main context, the call it is
 * inside, and the requests that must end before it returns. */
typedef struct _CsBlockingCall CsBlockingCall;

struct _CsBlockingCall {
  GMainContext   *context;
  CsBlockingCall *outer;
  guint           holds;
};

void        _cs_client_blocking_call_begin (CsBlockingCall *call);
void        _cs_client_blocking_call_end   (CsBlockingCall *call);
gpointer    _cs_client_hold_blocking_call  (void);
void        _cs_client_release_blocking_call (gpointer      hold);

/* cs-client-account.c */
void        _cs_client_account_init    (CsClient            *self);
void        _cs_client_account_clear   (CsClient            *self);
void        _cs_client_bind_account    (CsClient            *self);

/* cs-client-plan.c */
typedef struct _CsPollPlan CsPollPlan;

void        _cs_client_plan_init       (CsClient            *self);
void        _cs_client_plan_clear      (CsClient            *self);
CsPollPlan *_cs_client_plan_for_task   (CsClient            *client,
                                        CsTask              *task);
gint64      _cs_client_plan_next_poll  (CsClient            *client,
                                        CsPollPlan          *plan,
                                        gint64               now_ms,
                                        gint64               last_ms,
                                        guint32              key);
gint64      _cs_client_plan_replan     (CsClient            *client,
                                        CsPollPlan          *plan,
                                        gint64               now_ms,
                                        gint64               last_ms,
                                        guint32              key);
gboolean    _cs_client_plan_observe    (CsClient            *client,
                                        CsPollPlan          *plan,
                                        gint64               poll_ms,
                                        gint64               previous_ms,
                                        gboolean             ready);
void        _cs_client_plan_begin      (CsClient            *client,
                                        CsPollPlan          *plan,
                                        guint32              key);
gboolean    _cs_client_plan_end        (CsClient            *client,
                                        CsPollPlan          *plan,
                                        guint32              key);
gsize       _cs_client_plan_memory     (CsPollPlan          *plan);
guint       _cs_client_plan_get_remakes (CsPollPlan         *plan);
gint64      _cs_client_plan_poll_floor (const CsDialectLimits *limits,
                                        guint                  polls,
                                        gint64                 last_poll,
                                        gint64                 now,
                                        gint64                 deadline);
gint64      _cs_client_plan_retention_end (const CsDialectLimits *limits,
                                           gint64                 created);
guint       _cs_client_plan_poll_limit (const CsDialectLimits *limits,
                                        guint                  max_polls);

/* cs-client.c */
/* What an exchange about @task (nullable) must never repeat: the key, the
 * login and password of the task's proxy. NULL-terminated. */
GStrv       _cs_client_dup_secrets     (CsClient            *self,
                                        CsTask              *task);
GPtrArray  *_cs_client_dup_chain       (CsClient            *self);

/* cs-client-methods.c, routing (CsClient:fallback) */
/* The client that has @task: the one that created it while it exists,
 * else the first of @self's chain of its provider, @self when that is not
 * known; NULL with CS_ERROR_TASKID_INVALID when none of the chain speaks
 * it. */
CsClient   *_cs_client_route_task      (CsClient            *self,
                                        CsTask              *task,
                                        GError             **error);
/* Whether every endpoint of @self failed in a row lately, so that a
 * chain's new tasks go to its next client (cs-client-call.c). */
gboolean    _cs_client_endpoints_down  (CsClient            *self);
/* Whether @client would send @task's createTask rather than refuse it
 * before sending; its account's state aside. */
gboolean    _cs_client_would_send_task (CsClient            *client,
                                        CsTask              *task);

/* cs-client-methods.c */
/* G_IO_ERROR_INVALID_ARGUMENT unless the base URL is one requests may be
 * sent to: http or https with a host, and https unless the host is this
 * machine or CsClient:allow-insecure-http is set. */
gboolean    _cs_client_check_base_url  (CsClient            *self,
                                        GError             **error);
/* cs-client.c: the same for one URL */
gboolean    _cs_client_base_url_usable (CsClient            *self,
                                        const char          *base_url,
                                        GError             **error);
/* cs-client-methods.c */
gboolean    _cs_client_poll_met_outage (GAsyncResult        *result);
gboolean    _cs_client_create_was_refused (GAsyncResult     *result);
gboolean    _cs_client_create_was_held_back (GAsyncResult   *result);
void        _cs_client_create_task_started (CsClient            *client,
                                            CsTask              *task,
                                            GCancellable        *cancellable,
                                            GCancellable        *unsent_cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);

G_END_DECLS
