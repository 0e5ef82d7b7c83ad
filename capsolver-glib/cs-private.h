/* cs-private.h: internals shared by the sources of capsolver-glib
 *
 * Nothing here is installed or introspected. Tests reach these symbols
 * through the static build of the library.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "capsolver-glib.h"

G_BEGIN_DECLS

/* --- Limits ------------------------------------------------------------- */

/* A reply larger than this is not the protocol: nothing the service sends
 * comes near it, and json-glib 1.6 would happily build a huge tree. */
#define CS_MAX_REPLY_SIZE (8 * 1024 * 1024)
/* json-glib 1.6 recurses without a limit; refuse deeper documents. */
#define CS_MAX_JSON_DEPTH 64

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

/* --- Secrets ------------------------------------------------------------ */

char       *_cs_redact                  (const char   *text,
                                         const char   *secret);
void        _cs_error_redact            (GError       *error,
                                         const char   *secret);

/* --- Errors ------------------------------------------------------------- */

GError     *_cs_error_new_from_reply    (const char   *code,
                                         const char   *description,
                                         const char   *secret);

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
} CsReply;

void        _cs_reply_clear             (CsReply      *reply);
gboolean    _cs_reply_parse             (CsReply      *reply,
                                         guint         http_status,
                                         GBytes       *body,
                                         const char   *secret,
                                         GError      **error);
gboolean    _cs_reply_check_solution    (CsReply      *reply,
                                         const char   *type_name,
                                         GError      **error);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsReply, _cs_reply_clear)
/* The status words live in cs-reply.c only: "idle", "processing", "ready",
 * "failed"; NULL for CS_TASK_STATUS_NEW. */
const char *_cs_reply_status_to_string  (CsTaskStatus  status);

/* --- Tasks ---------------------------------------------------------------- */

JsonObject  *_cs_task_get_fields         (CsTask       *task);
JsonObject  *_cs_task_to_valid_json      (CsTask       *task,
                                          GError      **error);
void         _cs_task_set_task_id        (CsTask       *task,
                                          const char   *task_id);
void         _cs_task_set_status         (CsTask       *task,
                                          CsTaskStatus  status);
void         _cs_task_set_solution       (CsTask       *task,
                                          CsSolution   *solution);
void         _cs_task_count_poll         (CsTask       *task);
gboolean     _cs_task_begin_create       (CsTask       *task,
                                          gpointer      waiter);
GSList      *_cs_task_end_create         (CsTask       *task);

/* --- The table of task families -------------------------------------------
 *
 * One table describes every task type the library knows: the type names of
 * each family, whether it needs a proxy, and its fields. The typed tasks
 * build their GObject properties and their JSON from it; the client
 * validates before sending with it; the sandbox validates requests with it.
 */

typedef enum {
  CS_FIELD_STRING,
  CS_FIELD_BOOLEAN,
  CS_FIELD_INT,
  CS_FIELD_DOUBLE,
  CS_FIELD_STRV,      /* JSON array of strings */
  CS_FIELD_OBJECT,    /* JSON object, a JsonObject property */
  CS_FIELD_COOKIES,   /* "name=value" strings <-> [{"name":…,"value":…}] */
} CsFieldKind;

typedef enum {
  CS_FIELD_OPTIONAL = 0,
  CS_FIELD_REQUIRED = 1 << 0,
  CS_FIELD_IMAGE    = 1 << 1,   /* base64 PNG/JPEG/GIF/WebP (or an array of them) */
} CsFieldFlags;

typedef struct {
  const char  *property;     /* kebab-case property name; NULL: not a property */
  const char  *json_name;    /* camelCase member; "a.b" is member b of object a */
  CsFieldKind  kind;
  CsFieldFlags flags;
  const char  *unless;       /* REQUIRED only when this member is absent */
} CsTaskField;

typedef enum {
  CS_PROXY_RULE_NONE,        /* never takes a proxy */
  CS_PROXY_RULE_OPTIONAL,    /* proxy variant and ProxyLess variant */
  CS_PROXY_RULE_REQUIRED,    /* only the proxy variant */
} CsProxyRule;

/* How long the service takes to solve a task of a family: from low_ms to
 * high_ms, most often near the middle (the quantile function is
 * _cs_task_family_solve_time()). The sandbox draws each task's solve time
 * from it; the client seeds its poll schedule with it. */
typedef struct {
  guint low_ms;
  guint high_ms;
} CsSolveTime;

typedef struct {
  const char        *name;                /* short family name, "recaptcha-v2" */
  const char        *type_name;           /* the variant with a proxy, or the only one */
  const char        *proxyless_type_name; /* NULL if none */
  const char        *enterprise_type_name;
  const char        *enterprise_proxyless_type_name;
  CsProxyRule        proxy;
  gboolean           synchronous;         /* answered in createTask (for the sandbox) */
  const CsTaskField *fields;              /* terminated by a zeroed entry */
  CsSolveTime        solve_time;
  /* members of a ready solution of which at least one is always there;
   * NULL-terminated */
  const char * const *solution_fields;
} CsTaskFamily;

const CsTaskFamily *_cs_task_family_lookup   (const char          *type_name,
                                              gboolean            *with_proxy);
const CsTaskFamily *_cs_task_family_get_all  (guint               *n_families);
gboolean            _cs_task_family_validate (const char          *type_name,
                                              JsonObject          *task_json,
                                              GError             **error);
/* The solve time in ms below which a fraction @p (0 to 1) of the tasks of
 * @family are solved. */
guint               _cs_task_family_solve_time (const CsTaskFamily *family,
                                                double              p);
double              _cs_task_family_solved_within (const CsTaskFamily *family,
                                                   double              msec);
/* The family of a short name ("recaptcha-v2"), or NULL. */
const CsTaskFamily *_cs_task_family_find     (const char          *name);

/* --- A field's JSON forms (cs-task-field.c) ---------------------------------- */

/* The member a json_name designates ("a.b": member b of object a), or NULL. */
JsonNode   *_cs_task_field_lookup       (JsonObject          *object,
                                         const char          *json_name);
/* Sets (node owned) or, for NULL, removes the member a json_name designates. */
void        _cs_task_field_put          (JsonObject          *fields,
                                         const char          *json_name,
                                         JsonNode            *node);
/* Null, "" and [] count as absent. */
gboolean    _cs_task_field_is_present   (JsonObject          *object,
                                         const char          *json_name);
gboolean    _cs_task_field_has_kind     (JsonNode            *node,
                                         CsFieldKind          kind);
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
void        _cs_proxy_write_fields      (CsProxy      *proxy,
                                         CsProxyFormat format,
                                         JsonObject   *task_json);

/* --- Balance ---------------------------------------------------------------- */

CsBalance  *_cs_balance_new_from_reply  (const CsReply *reply,
                                         GError      **error);
CsPackage  *_cs_package_new_from_json   (JsonObject   *object);

G_END_DECLS
