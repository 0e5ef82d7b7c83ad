/* cs-dialect.h: how each provider spells the createTask protocol
 *
 * Private, never installed. A dialect is one row of data per provider
 * (cs-dialect.c): its base URLs, its names for the families of the task
 * table, its proxy encoding, error codes, limits and reports. The
 * functions below translate between the provider-neutral form the
 * library builds (CapSolver's, as cs_task_to_json() writes it) and a
 * dialect, and read a dialect's replies into the library's terms. They
 * are pure: no I/O, no state; the caller keeps what a rule needs (how
 * many reports a task had, when it was solved).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "cs-private.h"
#include "cs-provider.h"

G_BEGIN_DECLS

typedef struct _CsDialect CsDialect;

/* Who pays for a captcha the workers could not solve. */
typedef enum {
  CS_UNSOLVABLE_NOT_CHARGED,   /* never charged */
  CS_UNSOLVABLE_CHARGED,       /* charged like a solve */
  CS_UNSOLVABLE_REFUNDED,      /* charged, then refunded */
  CS_UNSOLVABLE_UNDOCUMENTED,
} CsUnsolvableBilling;

/* What the provider publishes; 0 where it publishes nothing. */
typedef struct {
  guint image_min_bytes;
  guint image_max_bytes;
  guint image_max_side;        /* pixels */
  guint polls_per_task;        /* getTaskResult calls a task answers */
  guint retention_s;           /* how long after its creation a task can be polled */
  guint first_poll_ms;         /* the provider's advice for the first poll */
  guint min_poll_interval_ms;  /* polls closer than this are refused or punished */
  guint balance_interval_s;    /* getBalance no more often than this */
} CsDialectLimits;

/* The methods whose replies _cs_dialect_parse_reply() reads. */
typedef enum {
  CS_DIALECT_CREATE_TASK,
  CS_DIALECT_GET_TASK_RESULT,
  CS_DIALECT_GET_BALANCE,
  CS_DIALECT_REPORT,
} CsDialectMethod;

CsProvider          _cs_dialect_get_provider     (const CsDialect *dialect);
const CsDialect    *_cs_dialect_get              (CsProvider       provider);
/* By nickname ("anti-captcha", "2captcha"…), in any case; NULL if none. */
const CsDialect    *_cs_dialect_lookup           (const char      *nick);
/* The name to write on a command line: "2captcha". */
const char         *_cs_dialect_get_nick         (const CsDialect *dialect);
/* The provider's name for people: "Anti-Captcha". */
const char         *_cs_dialect_get_name         (const CsDialect *dialect);
/* The base URLs in the order to try them; empty for COMPATIBLE, whose
 * URL the user gives. NULL-terminated. */
const char * const *_cs_dialect_get_base_urls    (const CsDialect *dialect);
const CsDialectLimits *_cs_dialect_get_limits    (const CsDialect *dialect);
CsUnsolvableBilling _cs_dialect_get_unsolvable_billing (const CsDialect *dialect);
/* Whether task ids go on the wire as JSON integers (else strings). */
gboolean            _cs_dialect_ids_are_integers (const CsDialect *dialect);

/* The dialect's type name for a variant of a family of the task table,
 * or NULL when the dialect has none. *@flag (nullable) gets the member
 * set to true beside that name to ask for the variant ("isEnterprise"),
 * or NULL. */
const char         *_cs_dialect_type_name        (const CsDialect *dialect,
                                                  const char      *family,
                                                  gboolean         with_proxy,
                                                  gboolean         enterprise,
                                                  const char     **flag);
/* The family of a type name as the dialect writes it in a task (aliases
 * such as NoCaptchaTask included; @task, nullable, decides the variant
 * where a flag or the proxy fields do), or NULL. */
const char         *_cs_dialect_family_of        (const CsDialect *dialect,
                                                  const char      *type_name,
                                                  JsonObject      *task,
                                                  gboolean        *with_proxy,
                                                  gboolean        *enterprise);
/* Whether @type_name is one of @dialect's own type names or aliases,
 * spelt exactly as the provider documents it (case included). */
gboolean            _cs_dialect_is_own_spelling  (const CsDialect *dialect,
                                                  const char      *type_name);
/* "CapSolver, CapMonster Cloud": the providers that have the variant. */
char               *_cs_dialect_providers_with   (const char      *family,
                                                  gboolean         with_proxy,
                                                  gboolean         enterprise);

/* What createTask carries beside the task. */
typedef struct {
  const char *client_key;
  const char *app_id;          /* CapSolver's appId, or the softId as digits */
  const char *callback_url;
  const char *language_pool;   /* "en", "rn"; nullable */
} CsDialectEnvelope;

/* The createTask body in @dialect for the provider-neutral task object
 * @task: the type named the dialect's way, its fields renamed, the proxy
 * encoded as the provider takes it, the developer id and languagePool
 * where it wants them. NULL with CS_ERROR_TASK_NOT_SUPPORTED (the type is
 * missing there; the message names who has it), CS_ERROR_INVALID_TASK_DATA
 * (a proxy, field or id it cannot take) or CS_ERROR_INVALID_IMAGE (an image
 * outside the sizes it takes) before anything is sent. A proxy beside a
 * type without one is left out where the dialect writes proxy fields
 * (CapSolver ignores it; CapMonster would solve through it). @dropped
 * (nullable) gets the members the provider has no use for and that were
 * left out, or NULL. */
JsonObject         *_cs_dialect_build_create_task (const CsDialect         *dialect,
                                                   JsonObject              *task,
                                                   const CsDialectEnvelope *envelope,
                                                   GStrv                   *dropped,
                                                   GError                 **error);
/* The other way, for a server that speaks @dialect (the sandbox): the
 * provider-neutral task object of the task a createTask @body carries,
 * with CapSolver's type name for the variant and CapSolver's members,
 * so that the task table validates it. A type the table does not know
 * keeps its name. NULL with CS_ERROR_REQUIRED_FIELDS for a body without
 * a task or a type. */
JsonObject         *_cs_dialect_read_create_task (const CsDialect *dialect,
                                                  JsonObject      *body,
                                                  GError         **error);
/* {clientKey, taskId}, the id as the dialect sends it: getTaskResult. */
JsonObject         *_cs_dialect_build_task_call  (const CsDialect *dialect,
                                                  const char      *client_key,
                                                  const char      *task_id,
                                                  GError         **error);

typedef enum {
  CS_DIALECT_HAS_COST        = 1 << 0,
  CS_DIALECT_HAS_IP          = 1 << 1,
  CS_DIALECT_HAS_CREATE_TIME = 1 << 2,
  CS_DIALECT_HAS_END_TIME    = 1 << 3,
  CS_DIALECT_HAS_SOLVE_COUNT = 1 << 4,
  CS_DIALECT_HAS_BALANCE     = 1 << 5,
  CS_DIALECT_HAS_CREDITS     = 1 << 6,
} CsDialectFields;

/* One reply, in the library's terms. */
typedef struct {
  CsReply          reply;       /* the envelope, as cs-reply.c reads it */
  CsDialectMethod  method;
  char            *task_id;     /* whatever its wire type; NULL for none (or 0) */
  CsTaskStatus     status;      /* CS_TASK_STATUS_NEW when the reply has none */
  char            *code_text;   /* the errorCode as sent (or named by errorId) */
  gint64           error_id;    /* errorId as sent: 0, 1, or the provider's number */
  CsDialectFields  fields;      /* which of the following the reply had */
  double           cost;
  char            *ip;
  gint64           create_time;
  gint64           end_time;
  gint64           solve_count;
  double           balance;
  gint64           credits;     /* Anti-Captcha's captchaCredits */
} CsDialectReply;

void                _cs_dialect_reply_clear      (CsDialectReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsDialectReply, _cs_dialect_reply_clear)

/* Reads cost, ip, createTime, endTime, solveCount, balance and
 * captchaCredits of @root (a number or a number written as text) into
 * @reply, and says which it had in reply->fields. */
void                _cs_dialect_read_result_fields (JsonObject     *root,
                                                    CsDialectReply *reply);
/* Gives @solution the result fields of the reply that carried it
 * (cs-solution.c). */
void                _cs_solution_set_result_fields (CsSolution           *solution,
                                                    const CsDialectReply *fields);

/* Reads a reply of @method in @dialect. FALSE with a CS_ERROR when it
 * names an error: the code is the CsError of the same meaning
 * (CS_ERROR_FAILED for a code with none) and reply->code_text keeps the
 * code as sent; CS_ERROR_PROTOCOL for a reply that is not the protocol. A
 * code that means "not ready yet" is no error: the status is PROCESSING. */
gboolean            _cs_dialect_parse_reply      (const CsDialect    *dialect,
                                                  CsDialectMethod     method,
                                                  guint               http_status,
                                                  GBytes             *body,
                                                  const char * const *secrets,
                                                  CsDialectReply     *reply,
                                                  GError            **error);
/* The envelope of a reply, as _cs_reply_parse() reads it, but with
 * @dialect's error codes and errorIds: the CsError of the same meaning,
 * the code text as sent kept in the message; a code that means "not
 * ready yet" is a PROCESSING status. For the client's call layer. */
gboolean            _cs_dialect_read_envelope    (const CsDialect    *dialect,
                                                  CsReply            *reply,
                                                  guint               http_status,
                                                  GBytes             *body,
                                                  const char * const *secrets,
                                                  GError            **error);
/* For a server that speaks @dialect (the sandbox): @reply, written as
 * CapSolver does, written as @dialect does: its error codes and numbers,
 * a task id of digits as a number where ids are numbers, "idle" as
 * "processing" where there is no idle, a failed status as an error. */
JsonObject         *_cs_dialect_write_reply      (const CsDialect *dialect,
                                                  JsonObject      *reply);
/* The CsError a code text of @dialect means (CS_ERROR_FAILED: none). */
CsError             _cs_dialect_error_from_code  (const CsDialect *dialect,
                                                  const char      *code_text);
/* How @dialect writes an error of @code: its code text, and in *@id
 * (nullable) its errorId (1 where it does not number them); NULL when it
 * has no code of that meaning (a server then sends CapSolver's). */
const char         *_cs_dialect_code_for_error   (const CsDialect *dialect,
                                                  CsError          code,
                                                  gint            *id);
/* The code text a numeric errorId names in @dialect, or NULL. */
const char         *_cs_dialect_code_from_id     (const CsDialect *dialect,
                                                  gint64           error_id);

/* A report of a solution, and what its rules need to know. */
typedef struct {
  const char *client_key;
  const char *app_id;
  const char *task_id;
  const char *family;          /* of the task table; NULL for a type it lacks */
  gboolean    correct;
  int         code;            /* CapSolver's feedbackTask result.code; 0: none */
  const char *message;         /* and result.message; nullable */
  guint       reports_sent;    /* reports of this task already sent */
  gint64      since_solved_s;  /* seconds since the solution; -1: unknown */
} CsDialectReport;

/* The report's method ("reportIncorrectRecaptcha") in *@method and its
 * body; NULL with CS_ERROR_PAGE_NOT_FOUND when the provider has no such
 * report, CS_ERROR_BAD_REQUEST for a second report where one is allowed,
 * CS_ERROR_TASKID_INVALID after the provider's window. */
JsonObject         *_cs_dialect_build_report     (const CsDialect       *dialect,
                                                  const CsDialectReport *report,
                                                  const char           **method,
                                                  GError               **error);

/* The report method @name as the rows spell it (a static string), for a
 * server that speaks @dialect, and in *@correct (nullable) whether it
 * reports correct solutions only; NULL when @dialect has no report of
 * that name. */
const char         *_cs_dialect_lookup_report    (const CsDialect       *dialect,
                                                  const char            *name,
                                                  gboolean              *correct);

G_END_DECLS
