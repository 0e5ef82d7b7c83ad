/* cs-account.h: the process's accounts, shared by the clients that use them
 *
 * Private: never installed. An account is a key at a base URL, known by
 * a hash of both; every client of the process that uses the same one
 * shares its entry: the breaker's state, the pause, the balance cache
 * and the one balance read in flight per main context. The registry
 * knows nothing of clients: it wakes each watcher on the watcher's own
 * main context, and the watcher reads what changed.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "cs-private.h"

G_BEGIN_DECLS

/* The first wait before a balance read after no money, and the longest
 * (it doubles from one to the other). */
#define CS_ACCOUNT_PROBE_INTERVAL     30000   /* ms */
#define CS_ACCOUNT_PROBE_MAX_INTERVAL 600000  /* ms */
/* How long a key with no answer yet keeps its held requests few, when no
 * key check is on its way (which extends it to its own timeout) */
#define CS_ACCOUNT_PROBATION          1000    /* ms */
/* How long an entry with a hold outlives its last client */
#define CS_ACCOUNT_LINGER             600000  /* ms */

typedef struct _CsAccount      CsAccount;
typedef struct _CsAccountWatch CsAccountWatch;
typedef struct _CsBalanceRead  CsBalanceRead;

/* Called on the watcher's main context with a strong reference to it. */
typedef void (*CsAccountWakeFunc) (GObject *owner);

CsAccount      *_cs_account_get             (const char        *base_url,
                                             const char        *api_key);
CsAccount      *_cs_account_ref             (CsAccount         *account);
void            _cs_account_unref           (CsAccount         *account);
const char     *_cs_account_get_id          (CsAccount         *account);
guint           _cs_account_count           (void);
void            _cs_account_forget_all      (void);
void            _cs_account_forget_service  (const char        *base_url);

CsAccountWatch *_cs_account_watch           (CsAccount         *account,
                                             GObject           *owner,
                                             GMainContext      *context,
                                             CsAccountWakeFunc  func);
void            _cs_account_unwatch         (CsAccount         *account,
                                             CsAccountWatch    *watch);

CsAccountState  _cs_account_get_state       (CsAccount         *account,
                                             GError           **reason);
guint           _cs_account_get_paused_for  (CsAccount         *account);
gint64          _cs_account_next_change     (CsAccount         *account);
void            _cs_account_pause           (CsAccount         *account,
                                             const GError      *reason,
                                             guint              seconds);
void            _cs_account_pause_address   (CsAccount         *account,
                                             const GError      *reason,
                                             guint              seconds);
void            _cs_account_hold            (CsAccount         *account,
                                             CsHold             hold,
                                             const GError      *reason);
void            _cs_account_resume          (CsAccount         *account);
GError         *_cs_account_check           (CsAccount         *account,
                                             const char        *method,
                                             gboolean           spends,
                                             gboolean           obey_pause,
                                             gboolean           obey_holds);

void            _cs_account_set_probe_interval (CsAccount      *account,
                                                guint           ms);
gboolean        _cs_account_begin_probe     (CsAccount         *account);
void            _cs_account_end_probe       (CsAccount         *account,
                                             CsBalance         *balance);

CsBalance      *_cs_account_get_cached_balance (CsAccount      *account,
                                                guint           max_age_s);
void            _cs_account_set_balance     (CsAccount         *account,
                                             CsBalance         *balance,
                                             guint              generation);
guint           _cs_account_get_generation  (CsAccount         *account);
guint           _cs_account_read_get_generation (CsBalanceRead *read);
void            _cs_account_invalidate_balance (CsAccount      *account);
gboolean        _cs_account_join_read       (CsAccount         *account,
                                             GMainContext      *context,
                                             GObject           *waiter,
                                             CsBalanceRead    **read);
GCancellable   *_cs_account_read_get_cancellable (CsBalanceRead *read);

typedef enum {
  CS_READ_ANSWERED,   /* another thread's read answered, or the caller cancelled */
  CS_READ_LEAD,       /* the caller sends the read the others wait for */
  CS_READ_ALONE,      /* the caller sends a read of its own */
} CsReadTurn;

CsReadTurn      _cs_account_begin_blocking_read (CsAccount     *account,
                                                 GCancellable  *cancellable,
                                                 CsBalance    **balance,
                                                 GError       **error);
void            _cs_account_end_blocking_read (CsAccount       *account,
                                               CsBalance       *balance,
                                               const GError    *error);
gboolean        _cs_account_leave_read      (CsAccount         *account,
                                             CsBalanceRead     *read);
GPtrArray      *_cs_account_end_read        (CsAccount         *account,
                                             CsBalanceRead     *read);

/* A place among the key's tasks in flight (max-tasks-in-flight), which a
 * solve holds from its start to its end. A client's cap counts the tasks
 * of every client of the key. @granted is called when a waiting one gets
 * it, in the thread that freed the place and under the account's lock: it
 * may only schedule the solve's next step. */
typedef struct _CsTicket CsTicket;

struct _CsTicket {
  GList         link;       /* in the account's waiters while it waits */
  gboolean      waiting;
  gboolean      held;
  guint         max;        /* its client's cap, 0 for none */
  gconstpointer owner;      /* its client, only compared */
  gboolean      obey_pause; /* its client's pause-on-cooldown */
  gboolean      obey_holds; /* its client's account-breaker */
  CsAccount    *account;    /* the account it counts in, while it does */
  void        (*granted) (CsTicket *ticket);
};

gboolean        _cs_account_ticket_take     (CsAccount         *account,
                                             CsTicket          *ticket);
void            _cs_account_ticket_drop     (CsAccount         *account,
                                             CsTicket          *ticket);
void            _cs_account_tickets_set_max (CsAccount         *account,
                                             gconstpointer      owner,
                                             guint              max);

gboolean        _cs_account_probation_admits (CsAccount      *account,
                                              guint           in_flight,
                                              guint           limit);
void            _cs_account_answered        (CsAccount         *account);
gboolean        _cs_account_begin_key_check (CsAccount         *account,
                                             guint              timeout_ms,
                                             gint64            *check);
void            _cs_account_end_key_check   (CsAccount         *account,
                                             gint64             check);
gboolean        _cs_account_gate_enter      (CsAccount         *account,
                                             guint              limit,
                                             const char        *method,
                                             gboolean           spends,
                                             gboolean           held,
                                             gboolean           obey_pause,
                                             gboolean           obey_holds,
                                             GCancellable      *cancellable,
                                             gboolean          *entered,
                                             GError           **error);
void            _cs_account_gate_leave      (CsAccount         *account);

void            _cs_account_add_usage       (CsAccount         *account,
                                             CsUsageField       field,
                                             gint64             n);
CsUsage        *_cs_account_dup_usage       (CsAccount         *account);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsAccount, _cs_account_unref)

G_END_DECLS
