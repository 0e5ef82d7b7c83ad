/* cs-private.h: internals shared by the sources of capsolver-glib
 *
 * Nothing here is installed or introspected. Tests reach these symbols
 * through the static build of the library.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cs-version.h"
#include "cs-enum-types.h"
#include "cs-error.h"
#include "cs-account-state.h"
#include "cs-proxy.h"
#include "cs-solution.h"
#include "cs-package.h"
#include "cs-balance.h"
#include "cs-usage.h"
#include "cs-provider.h"
#include "cs-task.h"
#include "cs-task-type.h"

G_BEGIN_DECLS

/* --- Limits ------------------------------------------------------------- */

/* A reply larger than this is not the protocol: nothing the service sends
 * comes near it, and json-glib 1.6 would happily build a huge tree. */
#define CS_MAX_REPLY_SIZE (8 * 1024 * 1024)
/* json-glib 1.6 recurses without a limit; refuse deeper documents. */
#define CS_MAX_JSON_DEPTH 64
/* getTaskResult answers this many polls of a task; the next one loses it. */
#define CS_MAX_POLLS_PER_TASK 120

/* --- Small helpers -------------------------------------------------------- */

/* g_set_str() arrived in GLib 2.76; this is the same for 2.74. */
static inline gboolean
_cs_set_str (char       **str_pointer,
             const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

/* Whether a debug line would be shown: G_MESSAGES_DEBUG names the domain
 * (or "all"), or g_log_set_debug_enabled() was called. The lines written
 * for every request are formatted only then: formatting one, redacted,
 * cost about a tenth of what the client adds to a request. */
static inline gboolean
_cs_debug_shown (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

/* --- Secrets ------------------------------------------------------------ */

/* The one redaction (cs-error.c): the secrets of an exchange, in any of
 * the forms the service echoes them, and anything shaped like a key or a
 * proxy. @secrets is NULL-terminated, and may be NULL. */
char       *_cs_redact                  (const char         *text,
                                         const char * const *secrets);
void        _cs_error_redact            (GError             *error,
                                         const char * const *secrets);

/* --- Errors ------------------------------------------------------------- */

GError     *_cs_error_new_from_reply    (const char         *code,
                                         const char         *description,
                                         const char * const *secrets);
/* Whether @error is the service saying it has no slot for a new task
 * (ERROR_SERVICE_UNAVALIABLE, ERROR_NO_SLOT_AVAILABLE,
 * ERROR_THREADS_MAXIMUM): a createTask so refused created nothing. */
gboolean    _cs_error_is_no_slot        (const GError       *error);

/* What an error says of the account rather than of the request: the
 * column of the error table that the account's breaker reads. */
typedef enum {
  CS_HOLD_NONE,       /* nothing: the request's own error */
  CS_HOLD_PAUSE,      /* a cooldown: no request at all until it ends */
  CS_HOLD_PAUSE_ADDRESS, /* the same, for every key at that service: the address is banned */
  CS_HOLD_SPENDING,   /* no money: no createTask or getToken until a balance shows some */
  CS_HOLD_ALL,        /* the key or account refused: no request at all */
} CsHold;

CsHold      _cs_error_get_hold          (const GError       *error);

/* --- JSON helpers: never warn or critical on remote data ---------------- */

JsonNode   *_cs_json_parse              (const char   *data,
                                         gsize         length,
                                         GError      **error);
GBytes     *_cs_json_to_bytes           (JsonObject   *object);
const char *_cs_json_get_string         (JsonObject   *object,
                                         const char   *member);
gboolean    _cs_json_get_int            (JsonObject   *object,
                                         const char   *member,
                                         gint64       *value);
/* A number, or a number written as a string ("0.000700"). */
gboolean    _cs_json_get_number         (JsonObject   *object,
                                         const char   *member,
                                         double       *value);
gboolean    _cs_json_get_double         (JsonObject   *object,
                                         const char   *member,
                                         double       *value);
gboolean    _cs_json_get_boolean        (JsonObject   *object,
                                         const char   *member,
                                         gboolean     *value);
JsonObject *_cs_json_get_object         (JsonObject   *object,
                                         const char   *member);
JsonArray  *_cs_json_get_array          (JsonObject   *object,
                                         const char   *member);
char       *_cs_json_get_id             (JsonObject   *object,
                                         const char   *member);
char       *_cs_json_dup_scalar         (JsonNode     *node);
const char *_cs_json_find_invalid_utf8  (JsonObject   *object);

/* --- Replies -------------------------------------------------------------- */

/* One reply of the service, read once by _cs_reply_parse(). */
typedef struct {
  guint         http_status;
  JsonObject   *root;          /* owned */
  char         *task_id;       /* string or integer id, as a string; or NULL */
  gboolean      has_status;    /* the reply has a "status" member */
  CsTaskStatus  status;        /* read once, without regard to case;
                                * unknown statuses are PROCESSING */
  JsonObject   *solution;      /* borrowed from root, or NULL */
  gboolean      has_cost;      /* the reply says what the task cost */
  gint64        cost;          /* millionths of a USD */
} CsReply;

void        _cs_reply_clear             (CsReply      *reply);
gboolean    _cs_reply_parse             (CsReply            *reply,
                                         guint               http_status,
                                         GBytes             *body,
                                         const char * const *secrets,
                                         GError            **error);
gboolean    _cs_reply_names_task        (const CsReply *reply);
gboolean    _cs_reply_mentions_task     (const CsReply *reply);
gboolean    _cs_reply_check_solution    (CsReply      *reply,
                                         const char   *type_name,
                                         GError      **error);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsReply, _cs_reply_clear)
/* The status words live in cs-reply.c only: "idle", "processing", "ready",
 * "failed"; NULL for CS_TASK_STATUS_NEW. */
const char *_cs_reply_status_to_string  (CsTaskStatus  status);

/* --- Tasks ---------------------------------------------------------------- */

/* One weak reference shared by any number of holders (cs-weak-handle.c). */
typedef struct _CsWeakHandle CsWeakHandle;

CsWeakHandle *_cs_weak_handle_new        (GObject      *object);
CsWeakHandle *_cs_weak_handle_ref        (CsWeakHandle *handle);
void          _cs_weak_handle_unref      (gpointer      handle);
GObject      *_cs_weak_handle_dup        (CsWeakHandle *handle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsWeakHandle, _cs_weak_handle_unref)

/* The one writer of a task's fields (node owned; NULL removes). */
void         _cs_task_write_field        (CsTask       *task,
                                          const char   *member,
                                          JsonNode     *node);
JsonObject  *_cs_task_to_valid_json      (CsTask       *task,
                                          GError      **error);
void         _cs_task_set_task_id        (CsTask       *task,
                                          const char   *task_id);
void         _cs_task_set_status         (CsTask       *task,
                                          CsTaskStatus  status);
void         _cs_task_set_solution       (CsTask       *task,
                                          CsSolution   *solution);
void         _cs_task_count_poll         (CsTask       *task);
gint64       _cs_task_get_last_poll_time (CsTask       *task);
gboolean     _cs_task_get_known_provider (CsTask       *task,
                                          CsProvider   *provider);
void         _cs_task_set_provider       (CsTask       *task,
                                          CsWeakHandle *client,
                                          CsProvider    provider,
                                          gboolean      creator);
GObject     *_cs_task_dup_creator        (CsTask       *task);
void         _cs_solution_set_provider   (CsSolution   *solution,
                                          CsProvider    provider);
guint        _cs_task_begin_report       (CsTask       *task);
void         _cs_task_cancel_report      (CsTask       *task);
gint64       _cs_task_get_seconds_since_solved (CsTask *task);
void         _cs_task_add_secrets        (CsTask       *task,
                                          GPtrArray    *secrets);
/* Whether a call creates a task: decided once, under one lock, with the
 * task id (_cs_task_begin_create()). */
typedef enum {
  CS_CREATE_BEGUN,    /* the caller sends createTask, then _cs_task_end_create() */
  CS_CREATE_JOINED,   /* one is on its way: the waiter is handed back at its end */
  CS_CREATE_DONE,     /* the task was created: it has an id, or its solution */
} CsCreateStart;

/* Called, in the thread that ended the creation, for each caller that
 * joined it: @sent tells whether a createTask left, @error how it ended. */
typedef void (*CsCreateWakeFunc) (GObject      *waiter,
                                  const GError *error,
                                  gboolean      sent);

CsCreateStart _cs_task_begin_create      (CsTask           *task,
                                          CsCreateWakeFunc  wake,
                                          GObject          *waiter);
guint        _cs_task_end_create         (CsTask           *task,
                                          const GError     *error,
                                          gboolean          sent);
/* For tests only: widens the window before creation is decided. */
typedef void (*CsTaskHook) (CsTask *task);
void         _cs_task_set_begin_create_hook (CsTaskHook  hook);

/* --- The table of task types (cs-task-family.c) ---------------------------
 *
 * One row per family of task types describes every task type the library
 * knows: its typed class, its type names, whether it needs a proxy, and its
 * fields. The public CsTaskType (cs-task-type.c) is this row, read through
 * accessors; inside the library it is called a CsTaskFamily, and it also
 * carries what stays private: whether the service answers in createTask,
 * the solve time, and the members a solution promises. The typed tasks
 * build their properties from it, the client validates before sending with
 * it, the sandbox validates and answers with it, the reply check reads its
 * promised members, and the command prints it.
 */

typedef enum {
  CS_FIELD_REQUIRED = 1 << 0,   /* unless the member `unless` is there */
  CS_FIELD_IMAGE    = 1 << 1,   /* base64 PNG/JPEG/GIF/WebP (or an array of them) */
} CsFieldFlags;

struct _CsTaskField {
  const char      *property;  /* kebab-case property name; NULL: not a property */
  const char      *member;    /* camelCase member; "a.b" is member b of object a */
  CsTaskFieldKind  kind;
  CsFieldFlags     flags;
  const char      *unless;    /* REQUIRED only when this member is absent */
  const char      *example;   /* a value as text, or NULL (images: a file) */
};

/* How one provider spells the variants of a type: NULL for a variant it
 * does not have. The rows hold CapSolver's; a provider dialect maps a
 * family name to its own. */
typedef struct {
  const char *proxyless;             /* also the only name of a type without proxy */
  const char *proxy;                 /* also the only name of a type that needs one */
  const char *enterprise_proxyless;
  const char *enterprise_proxy;
} CsTaskSpelling;

/* How long the service takes to solve a task of a family: from low_ms to
 * high_ms, most often near the middle (the quantile function is
 * _cs_task_family_solve_time()). The sandbox draws each task's solve time
 * from it; the client seeds its poll schedule with it. */
typedef struct {
  guint low_ms;
  guint high_ms;
} CsSolveTime;

struct _CsTaskType {
  const char                *name;            /* the family, "recaptcha-v2" */
  GType                    (*get_type) (void); /* its typed class */
  CsProxyRequirement         proxy;
  CsTaskSpelling             spelling;        /* CapSolver's type names */
  gboolean                   synchronous;     /* answered in createTask (for the sandbox) */
  const CsTaskField * const *fields;          /* NULL-terminated */
  CsSolveTime                solve_time;
  /* members of a ready solution of which at least one is always there;
   * NULL-terminated */
  const char * const        *solution_fields;
};

typedef struct _CsTaskType CsTaskFamily;

const CsTaskFamily * const *_cs_task_family_get_all (guint               *n_families);
/* The family of a type name, in any case; @with_proxy (nullable) tells
 * whether the name is a variant with a proxy. */
const CsTaskFamily *_cs_task_family_lookup   (const char          *type_name,
                                              gboolean            *with_proxy);
/* The family whose typed class is @gtype, or NULL. */
const CsTaskFamily *_cs_task_family_of_gtype (GType                gtype);
gboolean            _cs_task_family_validate (const char          *type_name,
                                              JsonObject          *task_json,
                                              GError             **error);
/* The solve time in ms below which a fraction @p (0 to 1) of the tasks of
 * @family are solved. */
guint               _cs_task_family_solve_time (const CsTaskFamily *family,
                                                double              p);
double              _cs_task_family_solved_within (const CsTaskFamily *family,
                                                   double              msec);
/* The one price table: what a solved task of @family costs, in millionths
 * of a USD; the sandbox charges it, and a client estimates with it. */
gint64              _cs_task_family_price      (const CsTaskFamily *family);
gboolean            _cs_invalid_task_data      (GError            **error,
                                                const char         *format,
                                                ...) G_GNUC_PRINTF (2, 3);

/* --- A field's JSON forms (cs-task-field.c) ---------------------------------- */

/* The member a dotted name designates ("a.b": member b of object a), or NULL. */
JsonNode   *_cs_task_field_lookup       (JsonObject          *object,
                                         const char          *member);
/* Sets (node owned) or, for NULL, removes a member; "a.b" is member b of object a. */
void        _cs_task_field_put          (JsonObject          *fields,
                                         const char          *member,
                                         JsonNode            *node);
/* Null, "" and [] count as absent. */
gboolean    _cs_task_field_is_present   (JsonObject          *object,
                                         const char          *member);
gboolean    _cs_task_field_has_kind     (JsonNode            *node,
                                         CsTaskFieldKind      kind);
GParamSpec *_cs_task_field_param_spec   (const CsTaskField   *field);
/* The node a property value sends, or NULL for "not sent". */
JsonNode   *_cs_task_field_from_value   (const CsTaskField   *field,
                                         const GValue        *value);
void        _cs_task_field_to_value     (const CsTaskField   *field,
                                         JsonNode            *node,
                                         GValue              *value);
JsonNode   *_cs_task_field_image_node   (GBytes              *image);
JsonNode   *_cs_task_field_images_append (JsonArray          *images,
                                          GBytes             *image);
typedef enum {
  CS_IMAGE_UNKNOWN,
  CS_IMAGE_PNG,
  CS_IMAGE_JPEG,
  CS_IMAGE_GIF,
  CS_IMAGE_WEBP,
} CsImageFormat;

/* The format of an image file from its first bytes: the one sniff. */
CsImageFormat _cs_image_sniff           (const guint8        *data,
                                         gsize                size);
/* CS_ERROR_INVALID_IMAGE unless @image is a PNG, JPEG, GIF or WebP file:
 * the one check of the library, the sandbox and the command. */
gboolean    _cs_image_check             (const char          *field,
                                         GBytes              *image,
                                         GError             **error);
/* Calls func for every cookie of a cookies member, whichever form it has:
 * {"name": "value"}, "a=b; c=d", or [{"name": …, "value": …}]. */
typedef void (*CsCookieFunc) (const char *name,
                              const char *value,
                              gpointer    user_data);
void        _cs_cookies_foreach         (JsonNode            *node,
                                         CsCookieFunc         func,
                                         gpointer             user_data);

/* --- Proxies ------------------------------------------------------------- */

const char *_cs_proxy_scheme_to_string  (CsProxyScheme scheme);
gboolean    _cs_proxy_is_utf8           (CsProxy      *proxy);
gboolean    _cs_proxy_check_parts       (const char   *host,
                                         guint         port,
                                         const char   *login,
                                         const char   *password,
                                         GError      **error);
gboolean    _cs_proxy_check             (CsProxy      *proxy,
                                         GError      **error);
void        _cs_proxy_write_fields      (CsProxy      *proxy,
                                         CsProxyFormat format,
                                         JsonObject   *task_json);

/* --- Usage (cs-usage.c) ------------------------------------------------------
 *
 * The counters of a client, recorded by _cs_client_count() alone. The
 * outcomes of solves (solved, failed by class, cancelled, not sent) add
 * up to the solves submitted once they all ended. Costs are millionths
 * of a USD, so that sums are exact.
 */
typedef enum {
  CS_USAGE_SUBMITTED,
  CS_USAGE_CREATED,
  CS_USAGE_SOLVED,
  CS_USAGE_FAILED_PERMANENT,    /* in the order of CsRetryClass */
  CS_USAGE_FAILED_TRANSIENT,
  CS_USAGE_FAILED_COOLDOWN,
  CS_USAGE_FAILED_NEW_TASK,
  CS_USAGE_CANCELLED,
  CS_USAGE_NOT_SENT,
  CS_USAGE_FEEDBACK_SENT,
  CS_USAGE_COST,                /* as the replies said */
  CS_USAGE_ESTIMATED_COST,      /* from the price table, for replies that said none */
  CS_USAGE_ENDPOINT_SWITCHES,   /* moves from one endpoint to another, returns included */
  CS_USAGE_N_FIELDS
} CsUsageField;

CsUsage    *_cs_usage_new               (const gint64  *counters);

/* --- Balance ---------------------------------------------------------------- */

CsBalance  *_cs_balance_new_from_reply  (const CsReply  *reply,
                                         GError        **error);
CsPackage  *_cs_package_new_from_json   (JsonObject   *object);

/* --- Keyring ---------------------------------------------------------------- */

/* For tests: how long a keyring call waits for a Secret Service to answer
 * (0: the default, 25 s). */
void        _cs_keyring_set_connect_timeout (guint      msec);

/* --- TLS (cs-tls.c) ------------------------------------------------------- */

/* A GTlsDatabase that forwards every question to another: glib-networking
 * builds no trust list per connection for a database not its own. */
#define CS_TYPE_TLS_DATABASE (_cs_tls_database_get_type ())
G_DECLARE_FINAL_TYPE (CsTlsDatabase, _cs_tls_database, CS, TLS_DATABASE, GTlsDatabase)

GTlsDatabase *_cs_tls_database_new        (GTlsDatabase *target);
GTlsDatabase *_cs_tls_database_get_target (GTlsDatabase *database);

G_END_DECLS
