/* pf-scheduler.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-journal.h"
#include "pf-paths.h"
#include "pf-scheduler.h"

/* Fetches run together by default; "parallel-fetches" overrides. */
#define DEFAULT_PARALLEL 4
/* After the network comes back, a due fetch waits this long for the
 * resolver and routes to settle. */
#define SOON_US (2 * G_USEC_PER_SEC)

typedef struct
{
  GQuark domain;
  int    code;
  guint  in_a_row;
} Failure;

struct _PfScheduler
{
  GObject          parent_instance;

  GSettings       *settings;
  PfAccountStore  *store;
  GListStore      *statuses;
  GError          *load_error;
  gboolean         loaded;
  GCancellable    *cancellable;

  GNetworkMonitor *monitor;
  guint            timer;
  gint64           next_fetch;   /* wall clock, µs; 0: none */
  PfSchedule       schedule;

  GPtrArray       *pending;      /* PfAccountStatus, in the order asked */
  GHashTable      *periodic;     /* PfAccountStatus queued or run by the timer */
  GHashTable      *failures;     /* account name → Failure */
};

G_DEFINE_FINAL_TYPE (PfScheduler, pf_scheduler, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PfSchedule, pf_schedule,
  G_DEFINE_ENUM_VALUE (PF_SCHEDULE_OFF, "off"),
  G_DEFINE_ENUM_VALUE (PF_SCHEDULE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (PF_SCHEDULE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (PF_SCHEDULE_METERED, "metered"))

enum {
  PROP_0,
  PROP_SCHEDULE,
  PROP_NEXT_FETCH,
  N_PROPS
};

enum {
  LOADED,
  FETCH_FINISHED,
  NEEDS_ATTENTION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void arm_timer (PfScheduler *self);
static void tick_soon (PfScheduler *self);
static void pump      (PfScheduler *self);

/* --- pure parts ------------------------------------------------------------ */

/* The fetcher's own key for a mailbox: the same key means the same
 * journal lock on the server side of things, so never at once. */
static char *
mailbox_key (PfAccount *account)
{
  return pf_journal_account_key (pf_account_get_host (account), pf_account_get_user (account));
}

int
pf_scheduler_pick_next (GPtrArray *pending,
                        GPtrArray *running,
                        guint      limit)
{
  g_autoptr(GHashTable) busy = NULL;

  g_return_val_if_fail (pending != NULL, -1);
  g_return_val_if_fail (running != NULL, -1);

  if (running->len >= limit)
    return -1;

  busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < running->len; i++)
    g_hash_table_add (busy, mailbox_key (running->pdata[i]));

  for (guint i = 0; i < pending->len; i++)
    {
      g_autofree char *key = mailbox_key (pending->pdata[i]);

      if (!g_hash_table_contains (busy, key))
        return (int) i;
    }

  return -1;
}

static gboolean
needs_user (const GError *error)
{
  if (error == NULL || error->domain != PF_ERROR)
    return FALSE;

  switch (error->code)
    {
    case PF_ERROR_AUTH_REJECTED:
    case PF_ERROR_AUTH_MECHANISM_FAILED:
    case PF_ERROR_NO_PASSWORD:
    case PF_ERROR_CERT_UNTRUSTED:
    case PF_ERROR_CERT_EXPIRED:
    case PF_ERROR_CERT_HOST:
    case PF_ERROR_CERT_PIN_MISMATCH:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
pf_scheduler_failure_notifies (const GError *error,
                               guint         in_a_row)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (needs_user (error))
    return in_a_row == 1;
  return in_a_row == 3;
}

char *
pf_scheduler_format_next (PfSchedule  schedule,
                          GDateTime  *next_fetch,
                          GDateTime  *now)
{
  g_autofree char *time = NULL;

  switch (schedule)
    {
    case PF_SCHEDULE_OFFLINE:
      return g_strdup (_("Next fetch when the network is back"));
    case PF_SCHEDULE_METERED:
      return g_strdup (_("Next fetch on a network that is not metered"));
    case PF_SCHEDULE_WAITING:
      if (next_fetch == NULL)
        return NULL;
      if (now != NULL &&
          g_date_time_get_year (next_fetch) == g_date_time_get_year (now) &&
          g_date_time_get_day_of_year (next_fetch) == g_date_time_get_day_of_year (now))
        time = g_date_time_format (next_fetch, "%X");
      else
        time = g_date_time_format (next_fetch, "%x %X");
      /* Translators: %s is a time of day, or a date and a time */
      return g_strdup_printf (_("Next fetch at %s"), time);
    case PF_SCHEDULE_OFF:
    default:
      return NULL;
    }
}

/* The length of one minute of "fetch-interval". Tests set
 * POPFETCH_TEST_SECONDS_PER_MINUTE (1…60) to see periodic fetches without
 * waiting minutes; without it, and in every build without test hooks, a
 * minute has 60 seconds. */
guint
pf_scheduler_seconds_per_minute (void)
{
  const char *value = PF_TEST_HOOKS ? g_getenv ("POPFETCH_TEST_SECONDS_PER_MINUTE") : NULL;
  guint64 seconds;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 60, &seconds, NULL))
    return (guint) seconds;
  return 60;
}

/* --- the last fetch, kept across runs --------------------------------------- */

/* The last fetch of each account survives a restart in
 * $XDG_STATE_HOME/popfetch/last-fetch.ini: a group per account name with
 * "time" (ISO 8601) and "count". Only successful fetches are kept. */
static char *
last_fetch_path (void)
{
  g_autofree char *dir = pf_paths_state_dir ();

  return g_build_filename (dir, "last-fetch.ini", NULL);
}

static void
save_last_fetch_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  g_autofree char *path = last_fetch_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, task_data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not remember the last fetch: %s",
               error != NULL ? error->message : g_strerror (errno));
  g_task_return_boolean (task, TRUE);
}

static void
save_last_fetch (PfScheduler *self)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GTask) task = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);
      const char *name = pf_account_get_name (pf_account_status_get_account (status));
      GDateTime *last_fetch = pf_account_status_get_last_fetch (status);
      g_autofree char *time = NULL;

      if (last_fetch == NULL)
        continue;
      time = g_date_time_format_iso8601 (last_fetch);
      g_key_file_set_string (key_file, name, "time", time);
      g_key_file_set_uint64 (key_file, name, "count", pf_account_status_get_last_count (status));
    }

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, save_last_fetch);
  g_task_set_task_data (task, g_key_file_to_data (key_file, NULL, NULL), g_free);
  g_task_run_in_thread (task, save_last_fetch_thread);
}

static guint64
interval_us (PfScheduler *self)
{
  guint minutes = self->settings != NULL ? g_settings_get_uint (self->settings, "fetch-interval") : 0;

  return (guint64) minutes * pf_scheduler_seconds_per_minute () * G_USEC_PER_SEC;
}

static void
set_next_fetch (PfScheduler *self,
                gint64       next_fetch)
{
  if (self->next_fetch == next_fetch)
    return;
  self->next_fetch = next_fetch;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_FETCH]);
}

static void
on_last_fetch_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PfScheduler) self = user_data;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  gint64 oldest = 0;
  guint64 interval;
  guint n;

  if (!g_file_load_contents_finish (G_FILE (source), result, &data, &length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_warning ("Could not read the last fetch: %s", error->message);
      return;
    }
  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_NONE, &error))
    {
      g_warning ("Could not read the last fetch: %s", error->message);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);
      const char *name = pf_account_get_name (pf_account_status_get_account (status));
      g_autofree char *time = g_key_file_get_string (key_file, name, "time", NULL);
      guint64 count = g_key_file_get_uint64 (key_file, name, "count", NULL);
      g_autoptr(GDateTime) when = NULL;

      if (time != NULL)
        when = g_date_time_new_from_iso8601 (time, NULL);
      if (when != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (when);
          gint64 us = g_date_time_to_unix (when) * G_USEC_PER_SEC;

          pf_account_status_restore_last_fetch (status, local, (guint) MIN (count, G_MAXUINT));
          if (oldest == 0 || us < oldest)
            oldest = us;
        }
    }

  /* Popfetch was not running when a fetch fell due (closed, logged out,
   * the machine asleep): that fetch comes soon, once. */
  interval = interval_us (self);
  if (interval > 0 && oldest > 0 && self->next_fetch > 0 &&
      oldest + (gint64) interval < self->next_fetch)
    {
      set_next_fetch (self, MAX (oldest + (gint64) interval, g_get_real_time () + SOON_US));
      arm_timer (self);
    }
}

static void
load_last_fetch (PfScheduler *self)
{
  g_autofree char *path = last_fetch_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_file_load_contents_async (file, self->cancellable, on_last_fetch_loaded, g_object_ref (self));
}

/* --- periodic fetches ------------------------------------------------------- */

static PfSchedule
current_schedule (PfScheduler *self)
{
  if (interval_us (self) == 0)
    return PF_SCHEDULE_OFF;
  if (!g_network_monitor_get_network_available (self->monitor))
    return PF_SCHEDULE_OFFLINE;
  if (g_network_monitor_get_network_metered (self->monitor) &&
      !g_settings_get_boolean (self->settings, "fetch-on-metered"))
    return PF_SCHEDULE_METERED;
  return PF_SCHEDULE_WAITING;
}

static void
update_schedule (PfScheduler *self)
{
  PfSchedule schedule = current_schedule (self);

  if (self->schedule == schedule)
    return;
  self->schedule = schedule;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEDULE]);
}

static void
fetch_periodic (PfScheduler *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      if (pf_account_status_get_busy (status) || g_ptr_array_find (self->pending, status, NULL))
        continue;
      g_hash_table_add (self->periodic, g_object_ref (status));
      g_ptr_array_add (self->pending, g_object_ref (status));
    }
  pump (self);
}

/* Compares the wall clock with the time the next fetch is due, on every
 * tick: a machine that slept through that time fetches once when it wakes
 * (the monotonic clock timeouts run on stops while it sleeps, so the tick
 * comes at most a minute after waking). */
static gboolean
on_timer (gpointer user_data)
{
  PfScheduler *self = user_data;
  guint64 interval = interval_us (self);
  gint64 now = g_get_real_time ();

  self->timer = 0;
  update_schedule (self);

  if (interval == 0)
    {
      set_next_fetch (self, 0);
      return G_SOURCE_REMOVE;
    }

  if (self->next_fetch == 0)
    set_next_fetch (self, now + (gint64) interval);
  else if (now >= self->next_fetch && self->schedule == PF_SCHEDULE_WAITING &&
           self->loaded)
    {
      set_next_fetch (self, now + (gint64) interval);
      fetch_periodic (self);
    }

  arm_timer (self);
  return G_SOURCE_REMOVE;
}

/* Ticks when the next fetch is due, and at least once a minute to notice
 * a jump of the wall clock (sleep, resume). */
static void
arm_timer (PfScheduler *self)
{
  gint64 delay = (gint64) pf_scheduler_seconds_per_minute () * G_USEC_PER_SEC;

  g_clear_handle_id (&self->timer, g_source_remove);
  if (interval_us (self) == 0)
    {
      update_schedule (self);
      set_next_fetch (self, 0);
      return;
    }

  if (self->next_fetch > 0)
    delay = MIN (delay, MAX (0, self->next_fetch - g_get_real_time ()));
  /* A few milliseconds late rather than early: early means a whole
   * extra tick. */
  self->timer = g_timeout_add ((guint) (delay / 1000) + 20, on_timer, self);
}

static void
on_interval_changed (PfScheduler *self)
{
  guint64 interval = interval_us (self);

  set_next_fetch (self, interval > 0 ? g_get_real_time () + (gint64) interval : 0);
  update_schedule (self);
  arm_timer (self);
}

/* The next tick in a moment, not at once: a network that just came back
 * may still lack its routes and resolver. */
static void
tick_soon (PfScheduler *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_timeout_add (SOON_US / 1000, on_timer, self);
}

/* Back online, or allowed to fetch again: a fetch that fell due meanwhile
 * runs soon, once. */
static void
on_network_changed (PfScheduler *self)
{
  PfSchedule before = self->schedule;

  update_schedule (self);
  if (before != self->schedule && self->schedule == PF_SCHEDULE_WAITING)
    tick_soon (self);
}

/* --- running fetches -------------------------------------------------------- */

static guint
parallel_limit (PfScheduler *self)
{
  if (self->settings == NULL)
    return DEFAULT_PARALLEL;
  return MAX (1, g_settings_get_uint (self->settings, "parallel-fetches"));
}

static void
pump (PfScheduler *self)
{
  for (;;)
    {
      g_autoptr(GPtrArray) running = g_ptr_array_new ();
      g_autoptr(GPtrArray) pending = g_ptr_array_new ();
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));
      PfAccountStatus *next;
      int index;

      for (guint i = 0; i < n; i++)
        {
          PfAccountStatus *status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

          if (pf_account_status_get_busy (status))
            g_ptr_array_add (running, pf_account_status_get_account (status));
          g_object_unref (status);
        }
      for (guint i = 0; i < self->pending->len; i++)
        g_ptr_array_add (pending, pf_account_status_get_account (self->pending->pdata[i]));

      index = pf_scheduler_pick_next (pending, running, parallel_limit (self));
      if (index < 0)
        return;

      next = g_ptr_array_steal_index (self->pending, (guint) index);
      pf_account_status_fetch (next);
      g_object_unref (next);
    }
}

static void
record_failure (PfScheduler     *self,
                PfAccountStatus *status,
                const GError    *error,
                gboolean         periodic)
{
  const char *name = pf_account_get_name (pf_account_status_get_account (status));
  Failure *failure;

  if (error == NULL)
    {
      g_hash_table_remove (self->failures, name);
      return;
    }
  if (!periodic || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  failure = g_hash_table_lookup (self->failures, name);
  if (failure == NULL || failure->domain != error->domain || failure->code != error->code)
    {
      failure = g_new0 (Failure, 1);
      failure->domain = error->domain;
      failure->code = error->code;
      g_hash_table_insert (self->failures, g_strdup (name), failure);
    }
  failure->in_a_row++;

  if (pf_scheduler_failure_notifies (error, failure->in_a_row))
    g_signal_emit (self, signals[NEEDS_ATTENTION], 0, status, error);
}

static void
on_mechanism_remembered (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Only a faster next login is lost: no reason to bother the user. */
  if (!pf_account_store_remember_mechanism_finish (PF_ACCOUNT_STORE (source), result, &error))
    g_message ("Could not remember the sign-in method: %s", error->message);
}

static void
on_status_finished (PfAccountStatus *status,
                    guint            count,
                    const GError    *error,
                    PfScheduler     *self)
{
  g_autoptr(PfAccountStatus) kept = g_object_ref (status);
  gboolean periodic = g_hash_table_remove (self->periodic, status);
  PfAuthMechanism learned = pf_account_status_get_learned_mechanism (status);

  /* A method the server refused gave way to one that worked: the account
   * keeps that one (the accounts layer decides whether it may), also when
   * the fetch ran without a window. */
  if (learned != PF_AUTH_AUTO)
    pf_account_store_remember_mechanism_async (self->store,
                                               pf_account_get_name (pf_account_status_get_account (status)),
                                               learned, NULL, on_mechanism_remembered, NULL);

  if (error == NULL)
    save_last_fetch (self);
  record_failure (self, status, error, periodic);
  g_signal_emit (self, signals[FETCH_FINISHED], 0, status, count, error, periodic);
  pump (self);
}

/* A fetch started elsewhere (the account page) also holds a slot. */
static void
on_status_busy (PfAccountStatus *status,
                GParamSpec      *pspec,
                PfScheduler     *self)
{
  if (!pf_account_status_get_busy (status))
    pump (self);
}

void
pf_scheduler_fetch (PfScheduler     *self,
                    PfAccountStatus *status)
{
  g_return_if_fail (PF_IS_SCHEDULER (self));
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (status));

  /* A fetch the user asks for is no longer a periodic one. */
  g_hash_table_remove (self->periodic, status);
  if (pf_account_status_get_busy (status) || g_ptr_array_find (self->pending, status, NULL))
    return;
  g_ptr_array_add (self->pending, g_object_ref (status));
  pump (self);
}

void
pf_scheduler_fetch_all (PfScheduler *self)
{
  guint n;

  g_return_if_fail (PF_IS_SCHEDULER (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      pf_scheduler_fetch (self, status);
    }
}

void
pf_scheduler_cancel_all (PfScheduler *self)
{
  guint n;

  g_return_if_fail (PF_IS_SCHEDULER (self));

  g_ptr_array_set_size (self->pending, 0);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      pf_account_status_cancel (status);
    }
}

/* --- the accounts ------------------------------------------------------------ */

PfAccountStatus *
pf_scheduler_find_status (PfScheduler *self,
                          const char  *name)
{
  guint n;

  g_return_val_if_fail (PF_IS_SCHEDULER (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      if (g_strcmp0 (pf_account_get_name (pf_account_status_get_account (status)), name) == 0)
        return status;
    }

  return NULL;
}

void
pf_scheduler_sync (PfScheduler *self)
{
  GListModel *accounts;
  g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_if_fail (PF_IS_SCHEDULER (self));

  accounts = pf_account_store_get_accounts (self->store);
  n = g_list_model_get_n_items (accounts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);
      PfAccountStatus *status = pf_scheduler_find_status (self, pf_account_get_name (account));

      if (status != NULL)
        {
          pf_account_status_set_account (status, account);
          g_ptr_array_add (next, g_object_ref (status));
        }
      else
        {
          status = pf_account_status_new (account);
          g_signal_connect_object (status, "finished", G_CALLBACK (on_status_finished), self, 0);
          g_signal_connect_object (status, "notify::busy", G_CALLBACK (on_status_busy), self, 0);
          g_ptr_array_add (next, status);
        }
    }

  /* A removed account leaves the queue too. */
  for (guint i = self->pending->len; i > 0; i--)
    if (!g_ptr_array_find (next, self->pending->pdata[i - 1], NULL))
      g_ptr_array_remove_index (self->pending, i - 1);

  g_list_store_splice (self->statuses, 0, g_list_model_get_n_items (G_LIST_MODEL (self->statuses)),
                       next->pdata, next->len);
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PfScheduler) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_account_store_load_finish (PF_ACCOUNT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("%s", error->message);
      self->load_error = g_steal_pointer (&error);
    }

  self->loaded = TRUE;
  pf_scheduler_sync (self);
  load_last_fetch (self);
  g_signal_emit (self, signals[LOADED], 0);
}

PfScheduler *
pf_scheduler_new (GSettings *settings)
{
  PfScheduler *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PF_TYPE_SCHEDULER, NULL);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed::fetch-interval",
                               G_CALLBACK (on_interval_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::fetch-on-metered",
                               G_CALLBACK (on_network_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::parallel-fetches",
                               G_CALLBACK (pump), self, G_CONNECT_SWAPPED);
    }
  on_interval_changed (self);

  pf_account_store_load_async (self->store, self->cancellable, on_store_loaded, g_object_ref (self));

  return self;
}

PfAccountStore *
pf_scheduler_get_store (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), NULL);
  return self->store;
}

GListModel *
pf_scheduler_get_statuses (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), NULL);
  return G_LIST_MODEL (self->statuses);
}

const GError *
pf_scheduler_get_load_error (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), NULL);
  return self->load_error;
}

gboolean
pf_scheduler_get_loaded (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), FALSE);
  return self->loaded;
}

PfSchedule
pf_scheduler_get_schedule (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), PF_SCHEDULE_OFF);
  return self->schedule;
}

gint64
pf_scheduler_get_next_fetch (PfScheduler *self)
{
  g_return_val_if_fail (PF_IS_SCHEDULER (self), 0);
  return self->next_fetch;
}

static void
pf_scheduler_dispose (GObject *object)
{
  PfScheduler *self = PF_SCHEDULER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->statuses != NULL)
    pf_scheduler_cancel_all (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->statuses);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->periodic, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);

  G_OBJECT_CLASS (pf_scheduler_parent_class)->dispose (object);
}

static void
pf_scheduler_finalize (GObject *object)
{
  PfScheduler *self = PF_SCHEDULER (object);

  g_clear_error (&self->load_error);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pf_scheduler_parent_class)->finalize (object);
}

static void
pf_scheduler_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PfScheduler *self = PF_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_SCHEDULE:
      g_value_set_enum (value, self->schedule);
      break;
    case PROP_NEXT_FETCH:
      g_value_set_int64 (value, self->next_fetch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_scheduler_class_init (PfSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pf_scheduler_dispose;
  object_class->finalize = pf_scheduler_finalize;
  object_class->get_property = pf_scheduler_get_property;

  properties[PROP_SCHEDULE] =
    g_param_spec_enum ("schedule", NULL, NULL, PF_TYPE_SCHEDULE, PF_SCHEDULE_OFF,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_FETCH] =
    g_param_spec_int64 ("next-fetch", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FETCH_FINISHED] =
    g_signal_new ("fetch-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, PF_TYPE_ACCOUNT_STATUS, G_TYPE_UINT, G_TYPE_ERROR, G_TYPE_BOOLEAN);
  signals[NEEDS_ATTENTION] =
    g_signal_new ("needs-attention", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, PF_TYPE_ACCOUNT_STATUS, G_TYPE_ERROR);
}

static void
pf_scheduler_init (PfScheduler *self)
{
  self->cancellable = g_cancellable_new ();
  self->store = pf_account_store_new (NULL);
  self->statuses = g_list_store_new (PF_TYPE_ACCOUNT_STATUS);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->periodic = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_swapped (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  g_signal_connect_swapped (self->monitor, "notify::network-available", G_CALLBACK (on_network_changed), self);
  g_signal_connect_swapped (self->monitor, "notify::network-metered", G_CALLBACK (on_network_changed), self);
  self->schedule = PF_SCHEDULE_OFF;
}
