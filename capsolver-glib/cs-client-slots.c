/* cs-client-slots.c: the pace of a client's creates, its tasks in flight, its counters
 *
 * When the service has no slot for a new task (ERROR_SERVICE_UNAVALIABLE,
 * ERROR_NO_SLOT_AVAILABLE, ERROR_THREADS_MAXIMUM), every create the client
 * sends at once meets the same answer. The client keeps one back-off for
 * all its creates rather than one per create: after a refusal the paced
 * requests (createTask, getToken) leave one at a time, a wait apart; each
 * refusal doubles the wait, each create the service takes halves it. At
 * the last halving the creates are let go by a window, as TCP's slow
 * start does: one in flight, then two, four, and so on with each create
 * taken, until the window no longer limits them; so a service that has
 * room for a few tasks is not met by a burst of them all. The refusals of
 * creates that were on their way together count once: only one that left
 * after the level last changed moves it.
 *
 * The queue (cs-client-call.c) admits a paced request when its turn has
 * come; a blocking call, which cannot wait in the queue, books the next
 * turn and waits for it on its own context.
 *
 * An account may also be allowed only so many tasks at once: with
 * max-tasks-in-flight, a solve holds a place among the key's tasks from
 * its start to its end (counted in its account, cs-account.c, over every
 * client of the key), and one that finds none left waits in line for the
 * next one freed, which is handed to it directly.
 *
 * What the client asked and spent is counted here too, by one function
 * that every layer calls, and read as a CsUsage snapshot.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* The longest wait between two paced creates, in doublings of the
 * client's outage_backoff (0.5 s by default): 16 s. */
#define SLOT_MAX_LEVEL 6
/* The window no longer limits anything past this many creates at once. */
#define SLOT_MAX_WINDOW 1024

/* The wait before sending again a request that met an outage for the
 * @failures-th time in a row: doubling from @base_ms up to @max_ms, less a
 * random part of up to half, so that the requests of many calls that
 * failed together come back spread out. */
guint
_cs_client_outage_backoff (guint failures,
                           guint base_ms,
                           guint max_ms)
{
  guint wait = base_ms;

  for (guint i = 1; i < failures && wait < max_ms; i++)
    wait *= 2;
  wait = MIN (wait, max_ms);
  return wait - g_random_int_range (0, wait / 2 + 1);
}

void
_cs_client_slots_init (CsClient *self)
{
  g_mutex_init (&self->slot_lock);
  g_mutex_init (&self->usage_lock);
}

void
_cs_client_slots_clear (CsClient *self)
{
  g_mutex_clear (&self->slot_lock);
  g_mutex_clear (&self->usage_lock);
}

/* The wait at the current level, in µs. Called with slot_lock held. */
static gint64
slot_wait_locked (CsClient *self)
{
  return (gint64) _cs_client_outage_backoff (self->slot_level, self->outage_backoff,
                                             G_MAXUINT) * 1000;
}

/* Whether a paced request may leave at @now; if it may, it takes the
 * turn, and @generation the level's generation it leaves under. */
gboolean
_cs_client_slots_pass (CsClient *self,
                       gint64    now,
                       guint    *generation)
{
  gboolean pass = TRUE;

  g_mutex_lock (&self->slot_lock);
  if (self->slot_level > 0 && now < self->slot_next)
    pass = FALSE;
  else if (self->slot_level > 0)
    self->slot_next = now + slot_wait_locked (self);
  else if (self->slot_window > 0 && self->paced_in_flight >= self->slot_window)
    pass = FALSE;
  if (pass)
    self->paced_in_flight++;
  *generation = self->slot_generation;
  g_mutex_unlock (&self->slot_lock);
  return pass;
}

/* Books the next turn for a request that cannot wait in the queue (a
 * blocking call's): returns when it may leave, @now or later. */
gint64
_cs_client_slots_reserve (CsClient *self,
                          gint64    now,
                          guint    *generation)
{
  gint64 turn = now;

  g_mutex_lock (&self->slot_lock);
  if (self->slot_level > 0)
    {
      turn = MAX (now, self->slot_next);
      self->slot_next = turn + slot_wait_locked (self);
    }
  *generation = self->slot_generation;
  g_mutex_unlock (&self->slot_lock);
  return turn;
}

/* When the next paced request may leave (monotonic µs), or 0: now, or
 * when the window has room. */
gint64
_cs_client_slots_next (CsClient *self)
{
  gint64 next;

  g_mutex_lock (&self->slot_lock);
  next = self->slot_level > 0 ? self->slot_next : 0;
  g_mutex_unlock (&self->slot_lock);
  return next;
}

/* A paced request that left under @generation was answered: @refused
 * when with a no-slot error, else the service took it. */
void
_cs_client_slots_record (CsClient *self,
                         guint     generation,
                         gboolean  refused)
{
  g_mutex_lock (&self->slot_lock);
  if (refused && generation == self->slot_generation)
    {
      self->slot_level = MIN (self->slot_level + 1, SLOT_MAX_LEVEL);
      self->slot_window = 1;
      self->slot_generation++;
      self->slot_next = g_get_monotonic_time () + slot_wait_locked (self);
      g_debug ("no slot at the service: creates now leave at most one per %u ms",
               self->outage_backoff << (self->slot_level - 1));
    }
  else if (!refused && self->slot_level > 0)
    {
      self->slot_level--;
      self->slot_generation++;
    }
  else if (!refused && self->slot_window > 0)
    self->slot_window = self->slot_window >= SLOT_MAX_WINDOW / 2 ? 0 : self->slot_window * 2;
  g_mutex_unlock (&self->slot_lock);
}

/* A paced request the queue let go has ended, answered or not. */
void
_cs_client_slots_left (CsClient *self)
{
  g_mutex_lock (&self->slot_lock);
  self->paced_in_flight--;
  g_mutex_unlock (&self->slot_lock);
}

/* --- Tasks in flight ---------------------------------------------------------- */

/* The account the client has now, or NULL without a key; read here
 * rather than through the layers above. */
static CsAccount *
ref_account (CsClient *self)
{
  CsAccount *account;

  g_mutex_lock (&self->account_lock);
  account = self->account != NULL ? _cs_account_ref (self->account) : NULL;
  g_mutex_unlock (&self->account_lock);
  return account;
}

/* Takes a place among the key's tasks in flight (TRUE), or puts @ticket
 * in line (FALSE): granted() is called when it has one. */
gboolean
_cs_client_ticket_take (CsClient *self,
                        CsTicket *ticket)
{
  g_mutex_lock (&self->slot_lock);
  ticket->max = self->max_tasks;
  g_mutex_unlock (&self->slot_lock);
  ticket->owner = self;
  ticket->obey_pause = self->pause_on_cooldown;
  ticket->obey_holds = self->account_breaker;
  ticket->account = ref_account (self);
  if (ticket->account == NULL)
    {
      /* no key: the solve fails before it sends anything */
      ticket->held = TRUE;
      return TRUE;
    }
  return _cs_account_ticket_take (ticket->account, ticket);
}

/* Gives back the place @ticket holds, or its place in line. */
void
_cs_client_ticket_drop (CsClient *self,
                        CsTicket *ticket)
{
  if (ticket->account != NULL)
    _cs_account_ticket_drop (ticket->account, ticket);
  g_clear_pointer (&ticket->account, _cs_account_unref);
  ticket->held = FALSE;
}

/* A higher cap lets the client's waiters in at once; a lower one lets
 * none in until the key's tasks are below it. */
void
_cs_client_tickets_set_max (CsClient *self,
                            guint     max_tasks)
{
  g_autoptr(CsAccount) account = NULL;

  g_mutex_lock (&self->slot_lock);
  self->max_tasks = max_tasks;
  g_mutex_unlock (&self->slot_lock);
  account = ref_account (self);
  if (account != NULL)
    _cs_account_tickets_set_max (account, self, max_tasks);
}

/* --- Counters ------------------------------------------------------------------- */

void
_cs_client_count (CsClient     *self,
                  CsUsageField  field,
                  gint64        n)
{
  /* and for the key: the account the client has now (cs-account.c),
   * kept by the client while its lock is held, so that no count takes
   * the process's registry lock */
  g_mutex_lock (&self->account_lock);
  _cs_client_count_for (self, self->account, field, n);
  g_mutex_unlock (&self->account_lock);
}

/* Counts for the client and for @account (nullable), the key a solve was
 * submitted with: its outcome counts there, whatever key the client has
 * when it ends. */
void
_cs_client_count_for (CsClient     *self,
                      CsAccount    *account,
                      CsUsageField  field,
                      gint64        n)
{
  g_mutex_lock (&self->usage_lock);
  self->usage[field] += n;
  g_mutex_unlock (&self->usage_lock);
  if (account != NULL)
    _cs_account_add_usage (account, field, n);
}

/**
 * cs_client_get_usage:
 * @client: a [class@Client]
 *
 * Takes a snapshot of what @client asked of the service since it was
 * made, and what that cost: see [struct@Usage]. The counters are read
 * together, so that they agree with each other.
 *
 * Returns: (transfer full): the counters now
 *
 * Since: 1.0
 */
CsUsage *
cs_client_get_usage (CsClient *client)
{
  CsUsage *usage;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);

  g_mutex_lock (&client->usage_lock);
  usage = _cs_usage_new (client->usage);
  g_mutex_unlock (&client->usage_lock);
  return usage;
}
