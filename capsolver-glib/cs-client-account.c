/* cs-client-account.c: a client's account, as the client sees it
 *
 * The client takes the registry's entry of its key at its base URL
 * (cs-account.c) and follows it: when the account changes, the registry
 * wakes the client on the main context the client was made in, and the
 * client ends the requests of its queue that the account now holds back,
 * tells [property@Client:account-state] if it changed, and keeps one timer
 * for the next change that time alone brings (a pause ending, the next
 * balance read while there is no money). That read, the probe, is one
 * getBalance per account however many clients share it.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* Notifies account-state when it is not what was last notified. */
static void
notify_state (CsClient *self)
{
  CsAccountState state = cs_client_get_account_state (self);
  gboolean changed;

  g_mutex_lock (&self->account_lock);
  changed = state != self->account_state;
  self->account_state = state;
  g_mutex_unlock (&self->account_lock);
  if (changed)
    g_object_notify (G_OBJECT (self), "account-state");
}

static gboolean
notify_state_cb (gpointer user_data)
{
  g_autoptr(GObject) self = _cs_weak_handle_dup (user_data);

  if (self != NULL)
    notify_state (CS_CLIENT (self));
  return G_SOURCE_REMOVE;
}

/* Notifies on the context the client was made in, as the account's own
 * wake-ups do, whichever thread changed the key: at once in the thread
 * that made the client or one running that context. */
static void
notify_state_on_context (CsClient *self)
{
  g_autoptr(GSource) idle = NULL;

  if (g_thread_self () == self->made_in || g_main_context_is_owner (self->context))
    {
      notify_state (self);
      return;
    }
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_static_name (idle, "[capsolver-glib] account-state");
  g_source_set_callback (idle, notify_state_cb, _cs_weak_handle_ref (self->handle),
                         _cs_weak_handle_unref);
  g_source_attach (idle, self->context);
}

/* --- The probe -------------------------------------------------------------------- */

/* A balance read of the client's key for the account's own purposes,
 * sent on @context (the client's, or a blocking call's). */
static void
send_balance_read (CsClient            *self,
                   GMainContext        *context,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  const char *secrets[] = { self->api_key, NULL };

  json_object_set_string_member (body, "clientKey", self->api_key);
  g_main_context_push_thread_default (context);
  _cs_client_call_async (self, "getBalance", body, secrets, CS_CALL_IDEMPOTENT, NULL, NULL,
                         callback, user_data);
  g_main_context_pop_thread_default (context);
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CsAccount *account = user_data;
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;

  if (_cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    balance = _cs_balance_new_from_reply (&reply, &error);
  if (balance == NULL)
    g_debug ("balance read of an account without money: %s", error->message);
  _cs_account_end_probe (account, balance);
  _cs_account_unref (account);
}

/* Reads the balance if the account has no money, the wait is over and no
 * client of the account reads it already. Runs on the client's context. */
static void
probe (CsClient  *self,
       CsAccount *account)
{
  if (_cs_account_begin_probe (account))
    send_balance_read (self, self->context, probe_cb, _cs_account_ref (account));
}

/* A thread's blocking call meets an account without money whose probe is
 * due: it reads the balance itself, on its own context, before it is
 * checked. A program of blocking calls never iterates the client's
 * context, where the timer's probe runs. */
typedef struct {
  CsAccount *account;
  gboolean   done;
} BlockingProbe;

static void
blocking_probe_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BlockingProbe *blocking = user_data;

  /* takes the account's reference */
  probe_cb (source, result, blocking->account);
  blocking->done = TRUE;
}

void
_cs_client_probe_blocking (CsClient *self)
{
  BlockingProbe blocking = { NULL, FALSE };
  GMainContext *context = g_main_context_get_thread_default ();

  /* the probe ends on the account it began on, whatever the key is then */
  blocking.account = _cs_client_ref_account (self);
  if (blocking.account == NULL || !_cs_account_begin_probe (blocking.account))
    {
      g_clear_pointer (&blocking.account, _cs_account_unref);
      return;
    }
  send_balance_read (self, context, blocking_probe_cb, &blocking);
  while (!blocking.done)
    g_main_context_iteration (context, TRUE);
}

/* --- The key check --------------------------------------------------------------- */

typedef struct {
  CsAccount *account;
  gint64     check;
  guint      generation;
} KeyCheck;

static void
key_check_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  KeyCheck *key_check = user_data;
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;

  /* an answer tripped the breaker already, if it was to (cs-client-call.c) */
  if (_cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    balance = _cs_balance_new_from_reply (&reply, NULL);
  if (balance != NULL)
    _cs_account_set_balance (key_check->account, balance, key_check->generation);
  else
    g_debug ("key check: %s", error != NULL ? error->message : "no balance in the reply");
  _cs_account_end_key_check (key_check->account, key_check->check);
  _cs_account_unref (key_check->account);
  g_free (key_check);
}

/* A held request of a key with no answer yet started its probation: one
 * balance read tells whether the key works, long before a getToken would. */
static void
key_check (CsClient  *self,
           CsAccount *account)
{
  KeyCheck *key_check;
  gint64 check;

  if (!_cs_account_begin_key_check (account, self->request_timeout, &check))
    return;
  key_check = g_new0 (KeyCheck, 1);
  key_check->account = _cs_account_ref (account);
  key_check->check = check;
  key_check->generation = _cs_account_get_generation (account);
  send_balance_read (self, self->context, key_check_cb, key_check);
}

/* --- Wake-ups --------------------------------------------------------------------- */

static void schedule (CsClient  *self,
                      CsAccount *account);

/* The account changed, or time went by: on the client's context. */
static void
refresh (CsClient *self)
{
  CsAccount *account = _cs_client_ref_account (self);

  _cs_client_end_held_calls (self);
  notify_state (self);
  if (account != NULL)
    {
      probe (self, account);
      key_check (self, account);
    }
  schedule (self, account);
  g_clear_pointer (&account, _cs_account_unref);
}

static void
account_wake (GObject *owner)
{
  refresh (CS_CLIENT (owner));
}

static gboolean
timer_cb (gpointer user_data)
{
  g_autoptr(CsClient) self = CS_CLIENT (_cs_weak_handle_dup (user_data));

  if (self != NULL)
    refresh (self);
  return G_SOURCE_REMOVE;
}

/* Sets the one timer of the client to the account's next change in time,
 * or none. The timer holds the client weakly. */
static void
schedule (CsClient  *self,
          CsAccount *account)
{
  gint64 next = account != NULL ? _cs_account_next_change (account) : 0;
  GSource *source = NULL;
  GSource *old;

  if (next > 0)
    {
      gint64 wait_ms = MAX (0, (next - g_get_monotonic_time () + 999) / 1000);

      source = g_timeout_source_new ((guint) MIN (wait_ms, G_MAXUINT));
      g_source_set_static_name (source, "[capsolver-glib] account timer");
      g_source_set_callback (source, timer_cb, _cs_weak_handle_ref (self->handle),
                             _cs_weak_handle_unref);
    }
  g_mutex_lock (&self->account_lock);
  old = self->account_timer;
  self->account_timer = source;
  if (source != NULL)
    g_source_attach (source, self->context);
  g_mutex_unlock (&self->account_lock);
  if (old != NULL)
    {
      g_source_destroy (old);
      g_source_unref (old);
    }
}

/* --- The client's account --------------------------------------------------------- */

void
_cs_client_account_init (CsClient *self)
{
  g_mutex_init (&self->account_lock);
  self->context = g_main_context_ref_thread_default ();
  self->made_in = g_thread_self ();
  self->account_state = CS_ACCOUNT_STATE_USABLE;
  self->account_breaker = TRUE;
  self->balance_cache_time = DEFAULT_BALANCE_CACHE_TIME;
}

static void
swap_account (CsClient       *self,
              CsAccount      *account,
              CsAccountWatch *watch)
{
  CsAccount *old_account;
  CsAccountWatch *old_watch;

  g_mutex_lock (&self->account_lock);
  old_account = self->account;
  old_watch = self->account_watch;
  self->account = account;
  self->account_watch = watch;
  g_mutex_unlock (&self->account_lock);
  /* the watch goes first: it may not outlive the account */
  if (old_watch != NULL)
    _cs_account_unwatch (old_account, old_watch);
  if (old_account != NULL)
    _cs_account_unref (old_account);
}

void
_cs_client_account_clear (CsClient *self)
{
  swap_account (self, NULL, NULL);
  if (self->account_timer != NULL)
    {
      g_source_destroy (self->account_timer);
      g_source_unref (self->account_timer);
    }
  g_main_context_unref (self->context);
  g_mutex_clear (&self->account_lock);
}

/* Takes the account of the client's key and base URL: the requests made
 * from now on are checked against it (those made before keep theirs). */
void
_cs_client_bind_account (CsClient *self)
{
  CsAccount *account = _cs_account_get (self->base_url, self->api_key);
  CsAccountWatch *watch = NULL;

  if (account != NULL)
    watch = _cs_account_watch (account, G_OBJECT (self), self->context, account_wake);
  swap_account (self, account, watch);
  /* before the notification: a handler may bind another account, and
   * this one goes with it */
  schedule (self, account);
  notify_state_on_context (self);
}

/* --- Public ----------------------------------------------------------------------- */

/**
 * cs_client_get_account_state: (get-property account-state)
 * @client: a [class@Client]
 *
 * Tells what the client sends for its account, as the service's last
 * answers left it: see [property@Client:account-state].
 *
 * Returns: the state of the client's account
 *
 * Since: 1.0
 */
CsAccountState
cs_client_get_account_state (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;

  g_return_val_if_fail (CS_IS_CLIENT (client), CS_ACCOUNT_STATE_USABLE);

  account = _cs_client_ref_account (client);
  return account != NULL ? _cs_account_get_state (account, NULL) : CS_ACCOUNT_STATE_USABLE;
}

/**
 * cs_client_dup_account_error:
 * @client: a [class@Client]
 *
 * Gets why [property@Client:account-state] is not
 * %CS_ACCOUNT_STATE_USABLE: the error the service answered (or, for
 * [method@Client.pause], one of %CS_ERROR_RATE_LIMIT that says so).
 *
 * Returns: (transfer full) (nullable): a copy of the error, or %NULL
 *   while the account is usable
 *
 * Since: 1.0
 */
GError *
cs_client_dup_account_error (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;
  GError *reason = NULL;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);

  account = _cs_client_ref_account (client);
  if (account != NULL)
    _cs_account_get_state (account, &reason);
  return reason;
}

/**
 * cs_client_get_account_usage:
 * @client: a [class@Client]
 *
 * Gets the counters of every client of the process that uses the key of
 * @client at its base URL, @client included, as [method@Client.get_usage]
 * gives one client's. A solve counts for the key it was started with,
 * from its start to its outcome; tasks created, feedback and cost count
 * for the key the client has then. The counters start again when the
 * last client of the key is gone (or, when the account was refused or
 * paused then, with the next client of the key).
 *
 * Returns: (transfer full) (nullable): a snapshot of the counters, or
 *   %NULL while @client has no key
 *
 * Since: 1.0
 */
CsUsage *
cs_client_get_account_usage (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);

  account = _cs_client_ref_account (client);
  return account != NULL ? _cs_account_dup_usage (account) : NULL;
}

/**
 * cs_client_get_paused_for:
 * @client: a [class@Client]
 *
 * Tells how long the client still holds back its requests after the
 * service answered with a cooldown error, or [method@Client.pause] was
 * called, by this client or another of the process with the same key.
 *
 * Returns: the seconds left of the pause (rounded up), or 0
 *
 * Since: 1.0
 */
guint
cs_client_get_paused_for (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;

  g_return_val_if_fail (CS_IS_CLIENT (client), 0);

  account = _cs_client_ref_account (client);
  if (account == NULL || !client->pause_on_cooldown)
    return 0;
  return _cs_account_get_paused_for (account);
}

/**
 * cs_client_resume:
 * @client: a [class@Client]
 *
 * Opens the client's account again: ends a pause that a cooldown error
 * or [method@Client.pause] started, and the hold after a refused key or
 * an empty balance, so that the next call is sent at once: for when the
 * application knows better. Every client of the process with the same
 * key is resumed. Changing [property@Client:api-key] or
 * [property@Client:base-url] leaves the old account behind by itself.
 *
 * Since: 1.0
 */
void
cs_client_resume (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));

  account = _cs_client_ref_account (client);
  if (account != NULL)
    _cs_account_resume (account);
}

/**
 * cs_client_pause:
 * @client: a [class@Client]
 * @seconds: how long, at most 1800
 *
 * Holds back every request of the client's account for @seconds, as a
 * cooldown error does: for an application that learnt of a cooldown
 * elsewhere (another process with the key). Every client of the process
 * with the same key pauses; calls made meanwhile end with
 * %CS_ERROR_RATE_LIMIT, nothing sent. A pause only ever grows;
 * [method@Client.resume] ends it. A client whose
 * [property@Client:pause-on-cooldown] is off sends anyway.
 *
 * Since: 1.0
 */
void
cs_client_pause (CsClient *client,
                 guint     seconds)
{
  g_autoptr(CsAccount) account = NULL;
  g_autoptr(GError) reason = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));

  account = _cs_client_ref_account (client);
  if (account == NULL || seconds == 0)
    return;
  reason = g_error_new (CS_ERROR, CS_ERROR_RATE_LIMIT,
                        "ERROR_RATE_LIMIT: the application paused the account for %u s",
                        seconds);
  _cs_account_pause (account, reason, seconds);
}

/**
 * cs_client_invalidate_balance:
 * @client: a [class@Client]
 *
 * Forgets the balance read last, so that the next
 * [method@Client.get_balance_async] asks the service (and joins no
 * read sent before this call). The balance is shared by the clients of
 * the process with the same key; see [property@Client:balance-cache-time].
 *
 * Since: 1.0
 */
void
cs_client_invalidate_balance (CsClient *client)
{
  g_autoptr(CsAccount) account = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));

  account = _cs_client_ref_account (client);
  if (account != NULL)
    _cs_account_invalidate_balance (account);
}
