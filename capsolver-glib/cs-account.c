/* cs-account.c: the process's accounts, shared by the clients that use them
 *
 * An entry per key and base URL, found by a SHA-256 of both (the key is
 * never kept here in clear), counted by the clients that use it and
 * dropped with the last, unless a hold or pause lasts: then it lingers
 * until that lapses (at most CS_ACCOUNT_LINGER for a hold), for the next
 * client of the key. It holds what the service said of the account:
 * a pause until a time (a cooldown), a hold until something happens (the
 * key refused, no money), the balance last read, and the balance reads
 * in flight, one per main context, that concurrent reads join. Entries
 * may be used from any thread: one lock each, and one for the registry;
 * no lock is held while a watcher runs, and watchers run on their own
 * main contexts, from an idle source, never from the caller's stack.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-account.h"

/* CS_MAX_PAUSE of the client: the longest cooldown of the error table */
#define MAX_PAUSE_SECONDS (30 * 60)
/* the part of the hash that debug lines show */
#define SHORT_ID_LENGTH 12

struct _CsAccountWatch {
  gatomicrefcount   ref_count;
  GWeakRef          owner;
  GMainContext     *context;
  CsAccountWakeFunc func;
  CsAccount        *account;   /* not owned: only compared */
  gboolean          active;    /* under the account's lock */
  gboolean          pending;   /* a wake-up is on its way; under the lock */
};

struct _CsBalanceRead {
  GMainContext *context;
  guint         generation;    /* of the cache when it was sent */
  GPtrArray    *waiters;
  guint         live;          /* waiters that did not leave */
  GCancellable *cancellable;   /* cancelled when the last one leaves */
};

struct _CsAccount {
  guint      ref_count;        /* under registry_lock */
  char      *id;               /* the hash, hex */
  char      *service_id;       /* a hash of the base URL alone */
  GMutex     lock;
  GList     *watches;
  /* a cooldown: nothing until paused_until (monotonic µs) */
  gint64     paused_until;
  GError    *pause_reason;
  /* a hold until something happens: REFUSED or NO_BALANCE, or USABLE */
  CsAccountState hold;
  GError    *hold_reason;
  /* the balance reads while there is no money */
  guint      probe_interval;   /* ms, the first wait */
  guint      probe_wait;       /* ms, the current one */
  gint64     next_probe;       /* monotonic µs */
  gboolean   probing;
  guint      probe_generation; /* of the cache when the probe was sent */
  /* when a read that showed money last opened the hold, and the wait
   * before it: a hold again soon after means the money does not pay
   * for a task, so the wait goes on doubling */
  gint64     reopened_at;      /* monotonic µs */
  guint      reopened_wait;    /* ms */
  /* the cache and the reads in flight */
  CsBalance *balance;
  gint64     balance_time;     /* monotonic µs */
  guint      generation;       /* bumped when the cache is dropped, or a hold trips */
  guint      dropped_at;       /* the generation of the last drop */
  GList     *reads;
  /* what the clients of the key asked and spent while the entry lived */
  gint64     usage[CS_USAGE_N_FIELDS];
  /* the tasks in flight of its clients' solves, and the solves waiting */
  guint      tasks_open;
  GQueue     ticket_waiters;
  /* probation: until the service first answers for the key (since its
   * hold was last opened): its first held request asks a client for a
   * key check (a balance read), whose end lifts it; until then, or
   * without one, CS_ACCOUNT_PROBATION ms after that request went */
  gboolean   answered;
  gint64     probation_start;  /* monotonic µs, 0 before the first */
  gint64     probation_until;  /* monotonic µs */
  gboolean   check_wanted;
  gboolean   checking;
  /* the blocking requests of every thread that create tasks or are held,
   * out while the key has had no answer; those waiting wait on the cond */
  guint      gate_in;
  GCond      gate_cond;
  /* with no client left, kept until then while a hold or pause lasts */
  gint64     linger_until;     /* monotonic µs */
  /* the blocking balance read in flight, which blocking callers of other
   * threads wait for (each blocking call has a main context of its own,
   * so they cannot join the reads above) */
  gboolean   blocking_read;
  guint      blocking_generation; /* of the cache when it was sent */
  guint      blocking_serial;  /* bumped as each one ends */
  CsBalance *blocking_balance; /* what the last one read, or */
  GError    *blocking_error;   /* why it failed */
  GCond      blocking_cond;
};

static GMutex registry_lock;
static GHashTable *registry;   /* id → CsAccount, not owned; lingering ones owned */

/* An address ban of a service: it binds the keys first used after it too */
typedef struct {
  gint64  until;               /* monotonic µs */
  GError *reason;
} ServiceBan;

static GHashTable *service_bans;  /* service id → ServiceBan; under registry_lock */

static void
service_ban_free (gpointer data)
{
  ServiceBan *ban = data;

  g_clear_error (&ban->reason);
  g_free (ban);
}

static gboolean paused_locked (CsAccount *self,
                               gint64     now);
static void     pause_locked  (CsAccount    *self,
                               const GError *reason,
                               gint64        until);
static void     sweep_locked  (gint64     now);

/* --- Watches ------------------------------------------------------------------ */

static CsAccountWatch *
watch_ref (CsAccountWatch *watch)
{
  g_atomic_ref_count_inc (&watch->ref_count);
  return watch;
}

static void
watch_unref (CsAccountWatch *watch)
{
  if (!g_atomic_ref_count_dec (&watch->ref_count))
    return;
  g_weak_ref_clear (&watch->owner);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static gboolean
wake_cb (gpointer user_data)
{
  CsAccountWatch *watch = user_data;
  CsAccount *account = watch->account;
  g_autoptr(GObject) owner = NULL;
  gboolean active;

  /* the watch's reference keeps the account's lock alive only while the
   * watch is active: an inactive watch no longer looks at its account */
  g_mutex_lock (&registry_lock);
  active = watch->active;
  if (active)
    {
      g_mutex_lock (&account->lock);
      watch->pending = FALSE;
      g_mutex_unlock (&account->lock);
    }
  g_mutex_unlock (&registry_lock);
  if (!active)
    return G_SOURCE_REMOVE;
  owner = g_weak_ref_get (&watch->owner);
  if (owner != NULL)
    watch->func (owner);
  return G_SOURCE_REMOVE;
}

/* Wakes every watcher once, on its own context; coalesced: one wake-up
 * on its way per watcher. Called with the account's lock. */
static void
wake_locked (CsAccount *self)
{
  /* the blocking requests at the gate look again too */
  g_cond_broadcast (&self->gate_cond);
  for (GList *l = self->watches; l != NULL; l = l->next)
    {
      CsAccountWatch *watch = l->data;
      g_autoptr(GSource) idle = NULL;

      if (watch->pending)
        continue;
      watch->pending = TRUE;
      idle = g_idle_source_new ();
      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_static_name (idle, "[capsolver-glib] account changed");
      g_source_set_callback (idle, wake_cb, watch_ref (watch), (GDestroyNotify) watch_unref);
      g_source_attach (idle, watch->context);
    }
}

/* Calls @func with @owner on @context after every change of the account
 * (several changes may make one call). */
CsAccountWatch *
_cs_account_watch (CsAccount         *account,
                   GObject           *owner,
                   GMainContext      *context,
                   CsAccountWakeFunc  func)
{
  CsAccountWatch *watch = g_new0 (CsAccountWatch, 1);

  g_atomic_ref_count_init (&watch->ref_count);
  g_weak_ref_init (&watch->owner, owner);
  watch->context = g_main_context_ref (context);
  watch->func = func;
  watch->account = account;
  watch->active = TRUE;
  g_mutex_lock (&account->lock);
  account->watches = g_list_prepend (account->watches, watch);
  g_mutex_unlock (&account->lock);
  return watch;
}

void
_cs_account_unwatch (CsAccount      *account,
                     CsAccountWatch *watch)
{
  g_mutex_lock (&registry_lock);
  g_mutex_lock (&account->lock);
  account->watches = g_list_remove (account->watches, watch);
  watch->active = FALSE;
  g_mutex_unlock (&account->lock);
  g_mutex_unlock (&registry_lock);
  watch_unref (watch);
}

/* --- The registry --------------------------------------------------------------- */

static char *
account_id (const char *base_url,
            const char *api_key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  /* the NUL keeps "a" + "bc" apart from "ab" + "c" */
  g_checksum_update (checksum, (const guchar *) base_url, strlen (base_url) + 1);
  g_checksum_update (checksum, (const guchar *) api_key, strlen (api_key));
  return g_strdup (g_checksum_get_string (checksum));
}

static CsAccount *
account_new (char       *id,
             const char *base_url)
{
  CsAccount *self = g_new0 (CsAccount, 1);

  self->ref_count = 1;
  self->id = id;
  /* a base URL may carry a key in its path: hashed too */
  self->service_id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, base_url, -1);
  g_mutex_init (&self->lock);
  g_cond_init (&self->blocking_cond);
  g_cond_init (&self->gate_cond);
  self->hold = CS_ACCOUNT_STATE_USABLE;
  self->probe_interval = CS_ACCOUNT_PROBE_INTERVAL;
  return self;
}

static void
account_free (CsAccount *self)
{
  g_assert (self->watches == NULL && self->reads == NULL);
  g_clear_error (&self->pause_reason);
  g_clear_error (&self->hold_reason);
  g_clear_object (&self->balance);
  g_clear_object (&self->blocking_balance);
  g_clear_error (&self->blocking_error);
  g_cond_clear (&self->blocking_cond);
  g_cond_clear (&self->gate_cond);
  g_mutex_clear (&self->lock);
  g_free (self->service_id);
  g_free (self->id);
  g_free (self);
}

/* The entry of @api_key at @base_url, made if there is none; NULL when
 * there is no key. Drop it with _cs_account_unref(). */
CsAccount *
_cs_account_get (const char *base_url,
                 const char *api_key)
{
  g_autofree char *id = NULL;
  CsAccount *self;

  if (api_key == NULL || *api_key == '\0' || base_url == NULL)
    return NULL;
  id = account_id (base_url, api_key);
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  sweep_locked (g_get_monotonic_time ());
  self = g_hash_table_lookup (registry, id);
  if (self != NULL && self->ref_count++ == 0)
    {
      /* a lingering entry: its hold or pause is the new client's, its
       * counters start again as a new entry's would */
      g_mutex_lock (&self->lock);
      self->linger_until = 0;
      memset (self->usage, 0, sizeof self->usage);
      g_mutex_unlock (&self->lock);
    }
  else if (self == NULL)
    {
      ServiceBan *ban;

      self = account_new (g_steal_pointer (&id), base_url);
      g_hash_table_insert (registry, self->id, self);
      /* a key new to the process is sent from the same banned address */
      ban = service_bans != NULL ? g_hash_table_lookup (service_bans, self->service_id) : NULL;
      if (ban != NULL)
        {
          g_mutex_lock (&self->lock);
          pause_locked (self, ban->reason, ban->until);
          g_mutex_unlock (&self->lock);
        }
    }
  g_mutex_unlock (&registry_lock);
  return self;
}

/* Whether @self, which its last client just left, is to stay in the
 * registry: a process that makes a client per call must not send again
 * what its last one was refused. It stays while its pause lasts, and for
 * CS_ACCOUNT_LINGER after a hold, which nothing but a client would end.
 * Called with registry_lock. */
static gboolean
linger (CsAccount *self,
        gint64     now)
{
  gint64 until = 0;

  g_mutex_lock (&self->lock);
  if (paused_locked (self, now))
    until = self->paused_until;
  if (self->hold != CS_ACCOUNT_STATE_USABLE)
    until = MAX (until, now + (gint64) CS_ACCOUNT_LINGER * 1000);
  self->linger_until = until;
  g_mutex_unlock (&self->lock);
  if (until != 0)
    g_debug ("account %.*s: kept for %" G_GINT64_FORMAT " s after its last client",
             SHORT_ID_LENGTH, self->id, (until - now) / G_USEC_PER_SEC);
  return until != 0;
}

/* Drops the lingering entries whose time is up. Called with
 * registry_lock. */
static void
sweep_locked (gint64 now)
{
  GHashTableIter iter;
  gpointer value;

  if (service_bans != NULL)
    {
      g_hash_table_iter_init (&iter, service_bans);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (((ServiceBan *) value)->until <= now)
          g_hash_table_iter_remove (&iter);
    }
  if (registry == NULL)
    return;
  g_hash_table_iter_init (&iter, registry);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CsAccount *account = value;

      if (account->ref_count == 0 && account->linger_until <= now)
        {
          g_hash_table_iter_remove (&iter);
          account_free (account);
        }
    }
}

CsAccount *
_cs_account_ref (CsAccount *account)
{
  g_mutex_lock (&registry_lock);
  account->ref_count++;
  g_mutex_unlock (&registry_lock);
  return account;
}

void
_cs_account_unref (CsAccount *account)
{
  gint64 now = g_get_monotonic_time ();
  gboolean last;

  g_mutex_lock (&registry_lock);
  last = --account->ref_count == 0 && !linger (account, now);
  if (last)
    g_hash_table_remove (registry, account->id);
  sweep_locked (now);
  g_mutex_unlock (&registry_lock);
  if (last)
    account_free (account);
}

/* Drops every entry that no client uses any more, lingering or not:
 * for the tests, which start services again at the same addresses. */
void
_cs_account_forget_all (void)
{
  _cs_account_forget_service (NULL);
}

/* Drops the lingering entries of the service at @base_url (or of every
 * service): a new one there, such as a sandbox started on the port of
 * an old one, knows nothing of what the old one said. */
void
_cs_account_forget_service (const char *base_url)
{
  g_autofree char *service_id = NULL;
  GHashTableIter iter;
  gpointer value;

  if (base_url != NULL)
    service_id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, base_url, -1);
  g_mutex_lock (&registry_lock);
  if (service_bans != NULL && service_id == NULL)
    g_hash_table_remove_all (service_bans);
  else if (service_bans != NULL)
    g_hash_table_remove (service_bans, service_id);
  if (registry != NULL)
    {
      g_hash_table_iter_init (&iter, registry);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          CsAccount *account = value;

          if (account->ref_count > 0 ||
              (service_id != NULL && strcmp (account->service_id, service_id) != 0))
            continue;
          g_hash_table_iter_remove (&iter);
          account_free (account);
        }
    }
  g_mutex_unlock (&registry_lock);
}

/* The start of the hash, for debug lines: never the key. */
const char *
_cs_account_get_id (CsAccount *account)
{
  return account->id;
}

/* How many accounts the process has: for the tests. */
guint
_cs_account_count (void)
{
  guint count;

  g_mutex_lock (&registry_lock);
  count = registry != NULL ? g_hash_table_size (registry) : 0;
  g_mutex_unlock (&registry_lock);
  return count;
}

/* --- The state ----------------------------------------------------------------- */

static gboolean
paused_locked (CsAccount *self,
               gint64     now)
{
  return self->paused_until > now;
}

/* A hold outweighs a pause when it stops everything; a pause outweighs a
 * hold that stops only tasks. */
static CsAccountState
state_locked (CsAccount *self,
              gint64     now)
{
  if (self->hold == CS_ACCOUNT_STATE_REFUSED)
    return CS_ACCOUNT_STATE_REFUSED;
  if (paused_locked (self, now))
    return CS_ACCOUNT_STATE_PAUSED;
  return self->hold;
}

/* The state now, and in @reason (nullable) a copy of the error that set
 * it. */
CsAccountState
_cs_account_get_state (CsAccount  *account,
                       GError    **reason)
{
  CsAccountState state;

  g_mutex_lock (&account->lock);
  state = state_locked (account, g_get_monotonic_time ());
  if (reason != NULL)
    {
      const GError *why = state == CS_ACCOUNT_STATE_PAUSED ? account->pause_reason
                                                           : account->hold_reason;

      *reason = state != CS_ACCOUNT_STATE_USABLE && why != NULL ? g_error_copy (why) : NULL;
    }
  g_mutex_unlock (&account->lock);
  return state;
}

static guint
seconds_until (gint64 until,
               gint64 now)
{
  return until > now ? (guint) ((until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

static gint64
probation_end (CsAccount *self)
{
  return self->probation_until;
}

/* Whether the key is still on probation (a clock that started): no
 * answer yet, and not for long. */
static gboolean
probation_locked (CsAccount *self,
                  gint64     now)
{
  return !self->answered && self->probation_start != 0 && now < probation_end (self);
}

guint
_cs_account_get_paused_for (CsAccount *account)
{
  guint left;

  g_mutex_lock (&account->lock);
  left = seconds_until (account->paused_until, g_get_monotonic_time ());
  g_mutex_unlock (&account->lock);
  return left;
}

/* When the state may change with time alone (a pause ends, a balance
 * read is due), in monotonic µs, or 0. */
gint64
_cs_account_next_change (CsAccount *account)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = 0;

  g_mutex_lock (&account->lock);
  if (paused_locked (account, now))
    next = account->paused_until;
  if (account->hold == CS_ACCOUNT_STATE_NO_BALANCE && !account->probing &&
      (next == 0 || account->next_probe < next))
    next = account->next_probe;
  if (probation_locked (account, now) &&
      (next == 0 || probation_end (account) < next))
    next = probation_end (account);
  g_mutex_unlock (&account->lock);
  return next;
}

static void release_tickets_locked (CsAccount *self,
                                    gboolean   pause);

static void
pause_locked (CsAccount    *self,
              const GError *reason,
              gint64        until)
{
  if (until <= self->paused_until)
    return;
  release_tickets_locked (self, TRUE);
  self->paused_until = until;
  g_clear_error (&self->pause_reason);
  self->pause_reason = g_error_copy (reason);
  g_debug ("account %.*s: paused: %s", SHORT_ID_LENGTH, self->id, reason->message);
  wake_locked (self);
}

static gint64
pause_end (guint seconds)
{
  return g_get_monotonic_time () + (gint64) MIN (seconds, MAX_PAUSE_SECONDS) * G_USEC_PER_SEC;
}

/* No request for @seconds (at most 30 minutes) after @reason. */
void
_cs_account_pause (CsAccount    *account,
                   const GError *reason,
                   guint         seconds)
{
  g_mutex_lock (&account->lock);
  pause_locked (account, reason, pause_end (seconds));
  g_mutex_unlock (&account->lock);
}

/* The same for every account at @account's service: the service banned
 * the address the process sends from, whatever the key; and for the
 * accounts of that service first used until the ban ends. */
void
_cs_account_pause_address (CsAccount    *account,
                           const GError *reason,
                           guint         seconds)
{
  gint64 until = pause_end (seconds);
  GHashTableIter iter;
  gpointer value;
  ServiceBan *ban;

  g_mutex_lock (&registry_lock);
  if (service_bans == NULL)
    service_bans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, service_ban_free);
  ban = g_hash_table_lookup (service_bans, account->service_id);
  if (ban == NULL || ban->until < until)
    {
      ban = g_new0 (ServiceBan, 1);
      ban->until = until;
      ban->reason = g_error_copy (reason);
      g_hash_table_replace (service_bans, g_strdup (account->service_id), ban);
    }
  g_hash_table_iter_init (&iter, registry);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CsAccount *other = value;

      if (strcmp (other->service_id, account->service_id) != 0)
        continue;
      g_mutex_lock (&other->lock);
      pause_locked (other, reason, until);
      /* one that lingers lasts as long as the pause */
      if (other->ref_count == 0)
        other->linger_until = MAX (other->linger_until, other->paused_until);
      g_mutex_unlock (&other->lock);
    }
  g_mutex_unlock (&registry_lock);
}

/* The wait after @wait: twice as long, up to the longest. */
static guint
next_wait (CsAccount *self,
           guint      wait)
{
  return MIN ((guint64) wait * 2, MAX (self->probe_interval, CS_ACCOUNT_PROBE_MAX_INTERVAL));
}

/* Holds the requests that @hold names after @reason, until resumed (or,
 * for no money, until a balance shows some). A refusal is not replaced
 * by a lack of money. */
void
_cs_account_hold (CsAccount    *account,
                  CsHold        hold,
                  const GError *reason)
{
  CsAccountState state = hold == CS_HOLD_ALL ? CS_ACCOUNT_STATE_REFUSED
                                             : CS_ACCOUNT_STATE_NO_BALANCE;

  g_return_if_fail (hold == CS_HOLD_ALL || hold == CS_HOLD_SPENDING);

  g_mutex_lock (&account->lock);
  if (account->hold != CS_ACCOUNT_STATE_REFUSED && account->hold != state)
    {
      gint64 now = g_get_monotonic_time ();

      account->hold = state;
      g_clear_error (&account->hold_reason);
      account->hold_reason = g_error_copy (reason);
      if (state == CS_ACCOUNT_STATE_NO_BALANCE && account->reopened_at != 0 &&
          now - account->reopened_at < (gint64) account->reopened_wait * 1000)
        account->probe_wait = next_wait (account, account->reopened_wait);
      else
        account->probe_wait = account->probe_interval;
      account->next_probe = now + (gint64) account->probe_wait * 1000;
      /* a read sent before is older than the answer that tripped it: it
       * does not open it again */
      account->generation++;
      release_tickets_locked (account, FALSE);
      g_debug ("account %.*s: holding %s: %s", SHORT_ID_LENGTH, account->id,
               state == CS_ACCOUNT_STATE_REFUSED ? "every request" : "new tasks",
               reason->message);
      wake_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* Opens the hold. What tripped it may well be true still (a key still
 * wrong, a balance too small for a task): the key is on probation again,
 * so that only a few held requests go before the service answers. */
static void
open_locked (CsAccount *self)
{
  self->hold = CS_ACCOUNT_STATE_USABLE;
  g_clear_error (&self->hold_reason);
  self->answered = FALSE;
  self->probation_start = 0;
  self->check_wanted = FALSE;
  wake_locked (self);
}

/* Ends the pause and the hold. */
void
_cs_account_resume (CsAccount *account)
{
  g_mutex_lock (&account->lock);
  if (account->paused_until != 0 || account->hold != CS_ACCOUNT_STATE_USABLE)
    {
      account->paused_until = 0;
      g_clear_error (&account->pause_reason);
      /* the user says something changed: the waits start again */
      account->reopened_at = 0;
      open_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* The error of a request that the state holds back, said so. */
static GError *
held_error (const GError *reason,
            const char   *method,
            const char   *until)
{
  g_autofree char *description = cs_error_get_description (reason);
  const char *code_text = cs_error_to_code (reason->code);

  return g_error_new (CS_ERROR, reason->code,
                      "%s: %s not sent: an earlier request with this key was answered “%s”; "
                      "%s", code_text != NULL ? code_text : "ERROR", method, description, until);
}

static GError *
paused_error (const GError *reason,
              guint         left)
{
  const char *code_text = cs_error_to_code (reason->code);

  return g_error_new (CS_ERROR, reason->code,
                      "%s: requests are paused for %u more seconds after this error; "
                      "nothing was sent", code_text != NULL ? code_text : "ERROR", left);
}

static GError *check_locked (CsAccount  *account,
                             const char *method,
                             gboolean    spends,
                             gboolean    obey_pause,
                             gboolean    obey_holds);

/* The error a request of @method must end with instead of being sent,
 * or NULL to send it. @spends: it creates a task. A client may ignore
 * pauses (@obey_pause) or holds (@obey_holds). */
GError *
_cs_account_check (CsAccount  *account,
                   const char *method,
                   gboolean    spends,
                   gboolean    obey_pause,
                   gboolean    obey_holds)
{
  GError *error;

  g_mutex_lock (&account->lock);
  error = check_locked (account, method, spends, obey_pause, obey_holds);
  g_mutex_unlock (&account->lock);
  return error;
}

static GError *
check_locked (CsAccount  *account,
              const char *method,
              gboolean    spends,
              gboolean    obey_pause,
              gboolean    obey_holds)
{
  gint64 now = g_get_monotonic_time ();
  GError *error = NULL;

  if (obey_holds && account->hold == CS_ACCOUNT_STATE_REFUSED)
    error = held_error (account->hold_reason, method,
                        "nothing more is sent with it until the key changes or the client is "
                        "resumed");
  else if (obey_pause && paused_locked (account, now))
    error = paused_error (account->pause_reason, seconds_until (account->paused_until, now));
  else if (obey_holds && spends && account->hold == CS_ACCOUNT_STATE_NO_BALANCE)
    error = held_error (account->hold_reason, method,
                        "no task is created until a balance read shows money or the client "
                        "is resumed");
  return error;
}

/* --- Balance reads while there is no money -------------------------------------- */

/* For the tests: the first wait before a probe. */
void
_cs_account_set_probe_interval (CsAccount *account,
                                guint      ms)
{
  g_mutex_lock (&account->lock);
  account->probe_interval = ms;
  if (account->hold == CS_ACCOUNT_STATE_NO_BALANCE && !account->probing)
    {
      account->probe_wait = ms;
      account->next_probe = g_get_monotonic_time () + (gint64) ms * 1000;
      wake_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* TRUE for the one caller that is to read the balance now: there is no
 * money, the wait is over and no other read of this kind is on its way.
 * End it with _cs_account_end_probe(). */
gboolean
_cs_account_begin_probe (CsAccount *account)
{
  gboolean begin;

  g_mutex_lock (&account->lock);
  begin = account->hold == CS_ACCOUNT_STATE_NO_BALANCE && !account->probing &&
          g_get_monotonic_time () >= account->next_probe;
  if (begin)
    {
      account->probing = TRUE;
      account->probe_generation = account->generation;
    }
  g_mutex_unlock (&account->lock);
  return begin;
}

static void set_balance_locked (CsAccount *self,
                                CsBalance *balance,
                                guint      generation);

/* The probe read @balance, or failed (NULL): money opens the hold; none
 * doubles the wait. */
void
_cs_account_end_probe (CsAccount *account,
                       CsBalance *balance)
{
  g_mutex_lock (&account->lock);
  account->probing = FALSE;
  if (balance != NULL)
    set_balance_locked (account, balance, account->probe_generation);
  if (account->hold == CS_ACCOUNT_STATE_NO_BALANCE)
    {
      account->probe_wait = next_wait (account, account->probe_wait);
      account->next_probe = g_get_monotonic_time () + (gint64) account->probe_wait * 1000;
      wake_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* --- The balance cache ---------------------------------------------------------- */

/* The balance read less than @max_age_s ago, or NULL. */
CsBalance *
_cs_account_get_cached_balance (CsAccount *account,
                                guint      max_age_s)
{
  CsBalance *balance = NULL;

  g_mutex_lock (&account->lock);
  if (account->balance != NULL && max_age_s > 0 &&
      g_get_monotonic_time () - account->balance_time < (gint64) max_age_s * G_USEC_PER_SEC)
    balance = g_object_ref (account->balance);
  g_mutex_unlock (&account->lock);
  return balance;
}

/* A read sent before the cache was last dropped (@generation is the
 * cache's when it was sent) says what the invalidation said is gone. */
static void
set_balance_locked (CsAccount *self,
                    CsBalance *balance,
                    guint      generation)
{
  if (generation < self->dropped_at)
    {
      g_debug ("account %.*s: a balance read older than the last invalidation ignored",
               SHORT_ID_LENGTH, self->id);
      return;
    }
  g_set_object (&self->balance, balance);
  self->balance_time = g_get_monotonic_time ();
  /* a read sent before the hold tripped tells of money the account had
   * before the answer that tripped it */
  if (generation == self->generation && self->hold == CS_ACCOUNT_STATE_NO_BALANCE &&
      cs_balance_get_amount (balance) > 0)
    {
      g_debug ("account %.*s: money again", SHORT_ID_LENGTH, self->id);
      self->reopened_at = self->balance_time;
      self->reopened_wait = MAX (self->probe_wait, self->probe_interval);
      open_locked (self);
    }
}

/* A balance read, sent when the cache's generation was @generation
 * (_cs_account_get_generation()): the cache keeps it, and money ends a
 * hold for the lack of it, unless the cache was dropped since. */
void
_cs_account_set_balance (CsAccount *account,
                         CsBalance *balance,
                         guint      generation)
{
  g_mutex_lock (&account->lock);
  set_balance_locked (account, balance, generation);
  g_mutex_unlock (&account->lock);
}

/* The cache's generation, bumped as it is dropped: a read remembers it
 * when it is sent. */
guint
_cs_account_get_generation (CsAccount *account)
{
  guint generation;

  g_mutex_lock (&account->lock);
  generation = account->generation;
  g_mutex_unlock (&account->lock);
  return generation;
}

guint
_cs_account_read_get_generation (CsBalanceRead *read)
{
  return read->generation;
}

/* Drops the cache: the next read asks the service, and joins no read
 * sent before. */
void
_cs_account_invalidate_balance (CsAccount *account)
{
  g_mutex_lock (&account->lock);
  g_clear_object (&account->balance);
  account->dropped_at = ++account->generation;
  g_mutex_unlock (&account->lock);
}

/* Joins the read in flight on @context, if one is, was sent after the
 * cache was last dropped and has waiters (TRUE); otherwise starts one
 * (FALSE), which the caller sends with its cancellable and ends with
 * _cs_account_end_read(). @waiter is kept until then. */
gboolean
_cs_account_join_read (CsAccount      *account,
                       GMainContext   *context,
                       GObject        *waiter,
                       CsBalanceRead **read)
{
  CsBalanceRead *found = NULL;
  gboolean joined;

  g_mutex_lock (&account->lock);
  for (GList *l = account->reads; l != NULL && found == NULL; l = l->next)
    {
      CsBalanceRead *candidate = l->data;

      if (candidate->context == context && candidate->generation == account->generation &&
          candidate->live > 0)
        found = candidate;
    }
  joined = found != NULL;
  if (!joined)
    {
      found = g_new0 (CsBalanceRead, 1);
      found->context = g_main_context_ref (context);
      found->generation = account->generation;
      found->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      found->cancellable = g_cancellable_new ();
      account->reads = g_list_prepend (account->reads, found);
    }
  g_ptr_array_add (found->waiters, g_object_ref (waiter));
  found->live++;
  g_mutex_unlock (&account->lock);
  *read = found;
  return joined;
}

/* What the read is sent with: cancelled once every waiter left. */
GCancellable *
_cs_account_read_get_cancellable (CsBalanceRead *read)
{
  return read->cancellable;
}

/* A waiter of @read stops waiting; TRUE when it was the last one, and
 * @read's cancellable was cancelled: the read's end answers it. */
gboolean
_cs_account_leave_read (CsAccount     *account,
                        CsBalanceRead *read)
{
  gboolean last;

  g_mutex_lock (&account->lock);
  last = --read->live == 0;
  g_mutex_unlock (&account->lock);
  if (last)
    g_cancellable_cancel (read->cancellable);
  return last;
}

/* Ends @read: returns its waiters, in the order they came. */
GPtrArray *
_cs_account_end_read (CsAccount     *account,
                      CsBalanceRead *read)
{
  GPtrArray *waiters;

  g_mutex_lock (&account->lock);
  account->reads = g_list_remove (account->reads, read);
  g_mutex_unlock (&account->lock);
  waiters = read->waiters;
  g_main_context_unref (read->context);
  g_object_unref (read->cancellable);
  g_free (read);
  return waiters;
}

/* --- Probation ----------------------------------------------------------------- */

/* Whether a held request of the account may go when @in_flight of them
 * are out and the client's probation allows @limit: no answer has told
 * yet whether the key works, so only a few wait on the service; a wrong
 * key must not have thousands of them out. The first that goes starts
 * the clock. */
gboolean
_cs_account_probation_admits (CsAccount *account,
                              guint      in_flight,
                              guint      limit)
{
  gint64 now = g_get_monotonic_time ();
  gboolean admits;

  g_mutex_lock (&account->lock);
  if (account->answered)
    admits = TRUE;
  else if (account->probation_start == 0)
    {
      admits = in_flight < limit;
      if (admits)
        {
          account->probation_start = now;
          account->probation_until = now + (gint64) CS_ACCOUNT_PROBATION * 1000;
          account->check_wanted = TRUE;
          /* the clients' timers learn of the probation's end */
          wake_locked (account);
        }
    }
  else
    admits = in_flight < limit || !probation_locked (account, now);
  g_mutex_unlock (&account->lock);
  return admits;
}

/* The service answered a request of the account (a reply, or an error
 * that tells of the account): its probation is over. */
void
_cs_account_answered (CsAccount *account)
{
  g_mutex_lock (&account->lock);
  g_cond_broadcast (&account->gate_cond);
  if (!account->answered)
    {
      account->answered = TRUE;
      /* the held requests of every client may go */
      if (account->probation_start != 0)
        wake_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* TRUE for the one client that is to check the key now, with a balance
 * read: a held request of the key started its probation, which lasts
 * until the read ends (or @timeout_ms, the read's own timeout). End it
 * with _cs_account_end_key_check() and @check. A getToken may be held
 * for minutes: only an answer of its own would tell of the key too late. */
gboolean
_cs_account_begin_key_check (CsAccount *account,
                             guint      timeout_ms,
                             gint64    *check)
{
  gboolean begin;

  g_mutex_lock (&account->lock);
  begin = account->check_wanted && !account->checking && !account->answered &&
          account->probation_start != 0;
  if (begin)
    {
      account->check_wanted = FALSE;
      account->checking = TRUE;
      account->probation_until = MAX (account->probation_until,
                                      g_get_monotonic_time () + (gint64) timeout_ms * 1000);
      *check = account->probation_start;
    }
  g_mutex_unlock (&account->lock);
  return begin;
}

/* The key check ended. Its answer tripped the breaker already if it was
 * to; a read that failed otherwise (no connection, a timeout) says nothing
 * of the key, and lifts the probation too rather than hold for ever. A
 * check of a probation that a hold ended since lifts nothing. */
void
_cs_account_end_key_check (CsAccount *account,
                           gint64     check)
{
  g_mutex_lock (&account->lock);
  account->checking = FALSE;
  if (!account->answered && account->probation_start == check)
    {
      account->answered = TRUE;
      wake_locked (account);
    }
  g_mutex_unlock (&account->lock);
}

/* How often a blocking request at the gate looks at its cancellable */
#define GATE_WAIT_SLICE (100 * G_TIME_SPAN_MILLISECOND)

/* The gate of a blocking request of @method that creates a task
 * (@spends) or is held by the service (@held): blocking calls of worker
 * threads go apart from the client's queue, so while the key has had no
 * answer, no more than @limit of them are out at once, whatever the
 * threads; the others wait here. TRUE: the request goes, and when
 * @entered it holds a place to give back with _cs_account_gate_leave().
 * FALSE with @error: the breaker tripped (or a pause began) meanwhile, and
 * the request ends not sent; or @cancellable was cancelled. A held request
 * starts the probation as a queued one would, and goes once it ends (an
 * answer, the key check, or its clock); a create waits for an answer,
 * which comes soon or with the request timeout of one that went. */
gboolean
_cs_account_gate_enter (CsAccount     *account,
                        guint          limit,
                        const char    *method,
                        gboolean       spends,
                        gboolean       held,
                        gboolean       obey_pause,
                        gboolean       obey_holds,
                        GCancellable  *cancellable,
                        gboolean      *entered,
                        GError       **error)
{
  gboolean go = FALSE;

  *entered = FALSE;
  g_mutex_lock (&account->lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      GError *held_back = check_locked (account, method, spends, obey_pause, obey_holds);

      if (held_back != NULL)
        {
          g_propagate_error (error, held_back);
          break;
        }
      if (account->answered ||
          (held && account->probation_start != 0 && !probation_locked (account, now)))
        {
          go = TRUE;
          break;
        }
      if (account->gate_in < MAX (limit, 1))
        {
          account->gate_in++;
          if (held && account->probation_start == 0)
            {
              account->probation_start = now;
              account->probation_until = now + (gint64) CS_ACCOUNT_PROBATION * 1000;
              account->check_wanted = TRUE;
              wake_locked (account);
            }
          *entered = go = TRUE;
          break;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       "%s: cancelled before it was sent, while the key had no answer yet",
                       method);
          break;
        }
      g_cond_wait_until (&account->gate_cond, &account->lock, now + GATE_WAIT_SLICE);
    }
  g_mutex_unlock (&account->lock);
  return go;
}

/* A request that entered the gate ended: the next may go. */
void
_cs_account_gate_leave (CsAccount *account)
{
  g_mutex_lock (&account->lock);
  account->gate_in--;
  g_cond_broadcast (&account->gate_cond);
  g_mutex_unlock (&account->lock);
}

/* --- Blocking balance reads --------------------------------------------------- */

/* How often a blocking caller that waits for another's read looks at its
 * cancellable */
#define BLOCKING_WAIT_SLICE (100 * G_TIME_SPAN_MILLISECOND)

/* A blocking balance read of a thread: it waits for the one on its way
 * from another thread, if one is and was sent after the cache was last
 * dropped, and gets its answer (CS_READ_ANSWERED, with @balance or
 * @error; @error too when @cancellable is cancelled meanwhile); or it is
 * to send one, and end it with _cs_account_end_blocking_read() (LEAD);
 * or, when the read on its way is older than the cache, one of its own
 * (ALONE). A read that its sender cancelled answers no one. */
CsReadTurn
_cs_account_begin_blocking_read (CsAccount     *account,
                                 GCancellable  *cancellable,
                                 CsBalance    **balance,
                                 GError       **error)
{
  CsReadTurn turn = CS_READ_ANSWERED;

  g_mutex_lock (&account->lock);
  for (;;)
    {
      guint serial = account->blocking_serial;

      if (!account->blocking_read)
        {
          account->blocking_read = TRUE;
          account->blocking_generation = account->generation;
          turn = CS_READ_LEAD;
          break;
        }
      if (account->blocking_generation != account->generation)
        {
          turn = CS_READ_ALONE;
          break;
        }
      while (account->blocking_serial == serial &&
             !g_cancellable_is_cancelled (cancellable))
        g_cond_wait_until (&account->blocking_cond, &account->lock,
                           g_get_monotonic_time () + BLOCKING_WAIT_SLICE);
      if (account->blocking_serial == serial)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "getBalance: cancelled; the read on its way goes on for the "
                               "other callers");
          break;
        }
      if (account->blocking_error == NULL)
        {
          *balance = g_object_ref (account->blocking_balance);
          break;
        }
      if (!g_error_matches (account->blocking_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_error_copy (account->blocking_error));
          break;
        }
      /* its sender gave up: another goes */
    }
  g_mutex_unlock (&account->lock);
  return turn;
}

/* The blocking read of this account ended with @balance or @error: the
 * callers that waited for it get it. */
void
_cs_account_end_blocking_read (CsAccount    *account,
                               CsBalance    *balance,
                               const GError *error)
{
  g_mutex_lock (&account->lock);
  account->blocking_read = FALSE;
  account->blocking_serial++;
  g_set_object (&account->blocking_balance, balance);
  g_clear_error (&account->blocking_error);
  if (balance == NULL)
    account->blocking_error = g_error_copy (error);
  g_cond_broadcast (&account->blocking_cond);
  g_mutex_unlock (&account->lock);
}

/* --- Counters ------------------------------------------------------------------- */

void
_cs_account_add_usage (CsAccount    *account,
                       CsUsageField  field,
                       gint64        n)
{
  g_mutex_lock (&account->lock);
  account->usage[field] += n;
  g_mutex_unlock (&account->lock);
}

CsUsage *
_cs_account_dup_usage (CsAccount *account)
{
  CsUsage *usage;

  g_mutex_lock (&account->lock);
  usage = _cs_usage_new (account->usage);
  g_mutex_unlock (&account->lock);
  return usage;
}

/* --- Tasks in flight ---------------------------------------------------------- */

/* Hands places to the waiters whose cap the key's tasks no longer reach,
 * in the order they came. */
static void
grant_tickets_locked (CsAccount *self)
{
  GList *link = self->ticket_waiters.head;

  while (link != NULL)
    {
      GList *next = link->next;
      CsTicket *ticket = link->data;

      if (ticket->max == 0 || self->tasks_open < ticket->max)
        {
          g_queue_unlink (&self->ticket_waiters, link);
          ticket->waiting = FALSE;
          ticket->held = TRUE;
          self->tasks_open++;
          ticket->granted (ticket);
        }
      link = next;
    }
}

/* A pause (@pause) or a hold began: the solves that wait for a place and
 * obey it start now, so as to end at once, not sent, as their createTask
 * is held back, rather than wait for places for the whole pause. */
static void
release_tickets_locked (CsAccount *self,
                        gboolean   pause)
{
  GList *link = self->ticket_waiters.head;

  while (link != NULL)
    {
      GList *next = link->next;
      CsTicket *ticket = link->data;

      if (pause ? ticket->obey_pause : ticket->obey_holds)
        {
          g_queue_unlink (&self->ticket_waiters, link);
          ticket->waiting = FALSE;
          ticket->held = TRUE;
          self->tasks_open++;
          ticket->granted (ticket);
        }
      link = next;
    }
}

/* Takes a place (TRUE), or puts @ticket in line (FALSE). A waiter that
 * fits is handed its place as soon as one is freed, so no newcomer of
 * the same cap overtakes it. */
gboolean
_cs_account_ticket_take (CsAccount *account,
                         CsTicket  *ticket)
{
  gboolean held;

  g_mutex_lock (&account->lock);
  held = ticket->max == 0 || account->tasks_open < ticket->max;
  if (held)
    account->tasks_open++;
  else
    {
      ticket->link.data = ticket;
      ticket->waiting = TRUE;
      g_queue_push_tail_link (&account->ticket_waiters, &ticket->link);
    }
  ticket->held = held;
  g_mutex_unlock (&account->lock);
  return held;
}

/* Gives back the place @ticket holds, or its place in line. */
void
_cs_account_ticket_drop (CsAccount *account,
                         CsTicket  *ticket)
{
  g_mutex_lock (&account->lock);
  if (ticket->waiting)
    g_queue_unlink (&account->ticket_waiters, &ticket->link);
  else if (ticket->held)
    account->tasks_open--;
  ticket->waiting = FALSE;
  ticket->held = FALSE;
  grant_tickets_locked (account);
  g_mutex_unlock (&account->lock);
}

/* A client's new cap: its waiters take it, and a higher one lets them in. */
void
_cs_account_tickets_set_max (CsAccount     *account,
                             gconstpointer  owner,
                             guint          max)
{
  g_mutex_lock (&account->lock);
  for (GList *l = account->ticket_waiters.head; l != NULL; l = l->next)
    if (((CsTicket *) l->data)->owner == owner)
      ((CsTicket *) l->data)->max = max;
  grant_tickets_locked (account);
  g_mutex_unlock (&account->lock);
}
