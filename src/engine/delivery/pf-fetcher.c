/* pf-fetcher.c — one fetch run: POP3 into a Maildir, exactly once
 *
 * The object, its properties and progress, and a run's start and end.
 * The POP3 session of a run is in pf-fetcher-session.c, its blocking file
 * work (worker-thread steps) in pf-fetcher-steps.c; what they share is in
 * pf-fetcher-private.h.
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-fetcher-private.h"

G_DEFINE_FINAL_TYPE (PfFetcher, pf_fetcher, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

void
pf_fetcher_slot_free (gpointer data)
{
  Slot *slot = data;

  if (slot == NULL)
    return;   /* handed over */
  g_free (slot->base);
  g_clear_object (&slot->stream);
  g_free (slot);
}

Step *
pf_fetcher_step_new (Run *run)
{
  Step *step = g_new0 (Step, 1);

  step->run = run;
  return step;
}

void
pf_fetcher_step_free (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->batch, g_ptr_array_unref);
  g_free (step);
}

/* ------------------------------------------------------------------ */

/* The nicks are what the accounts file stores. */
G_DEFINE_ENUM_TYPE (PfFetchPolicy, pf_fetch_policy,
  G_DEFINE_ENUM_VALUE (PF_FETCH_KEEP, "keep"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_DELETE, "delete"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_DELETE_AFTER_DAYS, "delete-after"))

G_DEFINE_ENUM_TYPE (PfFetchPhase, pf_fetch_phase,
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_RECOVERING, "recovering"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_AUTHENTICATING, "authenticating"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_LISTING, "listing"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_FETCHING, "fetching"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_DELETING, "deleting"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_DONE, "done"))

G_DEFINE_ENUM_TYPE (PfFetchTarget, pf_fetch_target,
  G_DEFINE_ENUM_VALUE (PF_FETCH_TARGET_ALL, "all"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_TARGET_SURVEY, "survey"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_TARGET_ONE, "one"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_TARGET_DELETE_ONE, "delete-one"))

static void
skipped_clear (gpointer data)
{
  PfFetchSkipped *skipped = data;

  g_clear_pointer (&skipped->uid, g_free);
}

void
pf_fetch_result_free (PfFetchResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->over_limit, g_array_unref);
  g_clear_pointer (&result->server_view, pf_server_view_unref);
  g_free (result);
}

/* What a message weighs in the RETR window. */
guint64
pf_fetcher_retrieve_size (const Message *message)
{
  return message->server_size;
}

void
pf_fetcher_message_free (gpointer data)
{
  Message *message = data;

  if (message == NULL)
    return;
  g_free (message->uid);
  g_free (message->base);
  g_free (message->name);
  g_free (message->header_digest);
  g_clear_object (&message->stream);
  g_free (message);
}

void
pf_fetcher_confirm_free (Confirm *confirm)
{
  if (confirm == NULL)
    return;   /* handed over */
  g_free (confirm->uid);
  g_free (confirm->header_digest);
  g_free (confirm->name);
  g_clear_object (&confirm->sink);
  g_free (confirm);
}

/* The run's timers and its watch on the caller's cancellable. */
static void
run_stop_sources (Run *run)
{
  g_clear_handle_id (&run->progress_source, g_source_remove);
  g_clear_handle_id (&run->wind_up_timer, g_source_remove);
  if (run->user_cancel != NULL)
    {
      g_source_destroy (run->user_cancel);
      g_clear_pointer (&run->user_cancel, g_source_unref);
    }
}

static void
run_free (gpointer data)
{
  Run *run = data;

  run_stop_sources (run);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->secret, pf_secret_free);
  g_clear_pointer (&run->settings, pf_server_settings_unref);
  g_clear_pointer (&run->listed_known, g_hash_table_unref);
  g_clear_pointer (&run->server_uidl, pf_uidl_list_unref);
  g_clear_pointer (&run->listed_uids, pf_uidl_list_unref);
  g_clear_pointer (&run->listed_sizes, g_array_unref);
  g_clear_pointer (&run->todo, g_array_unref);
  g_queue_clear (&run->retrieving);
  g_queue_clear_full (&run->spare, pf_fetcher_slot_free);
  g_clear_pointer (&run->ready, g_ptr_array_unref);
  g_clear_pointer (&run->deleted_uids, g_ptr_array_unref);
  g_clear_pointer (&run->requested, g_hash_table_unref);
  g_clear_pointer (&run->unverified, g_ptr_array_unref);
  g_queue_clear_full (&run->delete_uids, g_free);
  g_clear_error (&run->error);
  g_clear_pointer (&run->result, pf_fetch_result_free);
  g_clear_pointer (&run->previous_view, pf_server_view_unref);
  g_clear_pointer (&run->view, pf_server_view_unref);
  g_clear_pointer (&run->over_limit_view, g_ptr_array_unref);
  /* The journal goes last: closing it releases the account lock. */
  g_clear_pointer (&run->maildir, pf_maildir_free);
  g_clear_pointer (&run->journal, pf_journal_free);
  g_free (run);
}

/* POPFETCH_FAULT=STEP makes the process stop dead at that step of the
 * durability sequence, as a crash would; the crash tests use it. Only test
 * builds (-Dtest_hooks=true) read the variable. */
void
pf_fetcher_fault_point (const char *fault,
                        const char *step)
{
  if (fault != NULL && strcmp (fault, step) == 0)
    _exit (86);
}

void
pf_fetcher_run_fail (Run    *run,
                     GError *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
}

/* ------------------------------------------------------------------ */
/* Progress                                                             */

void
pf_fetcher_set_phase (PfFetcher    *self,
                      PfFetchPhase  phase)
{
  if (self->phase == phase)
    return;
  self->phase = phase;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
}

void
pf_fetcher_set_uint (PfFetcher *self,
                     guint     *field,
                     guint      value,
                     int        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
pf_fetcher_set_uint64 (PfFetcher *self,
                       guint64   *field,
                       guint64    value,
                       int        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_progress (Run *run)
{
  PfFetcher *self = run->self;
  guint64 bytes = run->bytes_completed;
  Message *head = g_queue_peek_head (&run->retrieving);
  gint64 now = g_get_monotonic_time ();

  /* The message arriving now, as far as it reached the file. */
  if (head != NULL && head->stream != NULL)
    bytes += MIN (pf_maildir_tmp_get_size (head->stream), head->server_size);

  g_object_freeze_notify (G_OBJECT (self));
  pf_fetcher_set_uint64 (self, &self->bytes_done, MAX (bytes, self->bytes_done), PROP_BYTES_DONE);
  if (now - run->rate_time >= G_USEC_PER_SEC)
    {
      double instant = (double) (self->bytes_done - run->rate_bytes) * G_USEC_PER_SEC / (now - run->rate_time);
      double rate = self->rate == 0 ? instant : 0.5 * self->rate + 0.5 * instant;

      run->rate_time = now;
      run->rate_bytes = self->bytes_done;
      if (rate != self->rate)
        {
          self->rate = rate;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
pf_fetcher_on_progress_tick (gpointer user_data)
{
  update_progress (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* A run: its start and its end                                         */

void
pf_fetcher_run_return (Run *run)
{
  GTask *task = run->task;
  PfFetcher *self = run->self;

  run_stop_sources (run);
  update_progress (run);
  self->running = FALSE;

  /* No worker thread is busy now. Release the account lock as the run
   * ends, not when the last reference to its result goes. */
  g_assert (!run->committing && !run->compacting && !run->preparing && !run->recording);
  g_clear_pointer (&run->maildir, pf_maildir_free);
  g_clear_pointer (&run->journal, pf_journal_free);

  if (run->error != NULL)
    {
      pf_fetcher_set_phase (self, PF_FETCH_PHASE_IDLE);
      g_task_return_error (task, g_steal_pointer (&run->error));
    }
  else
    {
      run->result->elapsed_us = g_get_monotonic_time () - run->start_us;
      pf_fetcher_set_phase (self, PF_FETCH_PHASE_DONE);
      g_task_return_pointer (task, g_steal_pointer (&run->result), (GDestroyNotify) pf_fetch_result_free);
    }
  g_object_unref (task);
}

void
pf_fetcher_run_async (PfFetcher           *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) open_task = NULL;
  Run *run;

  g_return_if_fail (PF_IS_FETCHER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_fetcher_run_async);

  if (self->running)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_ACCOUNT_BUSY,
                               _("This account is being fetched already."));
      g_object_unref (task);
      return;
    }
  self->running = TRUE;

  run = g_new0 (Run, 1);
  run->self = self;
  run->task = task;
  run->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      run->user_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->user_cancel,
                             (GSourceFunc) (void (*) (void)) pf_fetcher_on_user_cancelled,
                             run, NULL);
      g_source_attach (run->user_cancel, g_main_context_get_thread_default ());
    }
  run->fault = PF_TEST_HOOKS ? g_getenv ("POPFETCH_FAULT") : NULL;
  run->now = self->now != 0 ? self->now : g_get_real_time () / G_USEC_PER_SEC;
  /* The run's own copy: the worker thread reads the CA file into it. */
  run->settings = pf_server_settings_copy (self->settings);
  run->ready = g_ptr_array_new_with_free_func (pf_fetcher_message_free);
  run->result = g_new0 (PfFetchResult, 1);
  run->result->over_limit = g_array_new (FALSE, TRUE, sizeof (PfFetchSkipped));
  g_array_set_clear_func (run->result->over_limit, skipped_clear);
  run->start_us = g_get_monotonic_time ();
  g_queue_init (&run->retrieving);
  g_queue_init (&run->spare);
  g_queue_init (&run->delete_uids);
  run->deleted_uids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, run, run_free);

  g_object_freeze_notify (G_OBJECT (self));
  pf_fetcher_set_uint (self, &self->messages_done, 0, PROP_MESSAGES_DONE);
  pf_fetcher_set_uint (self, &self->messages_total, 0, PROP_MESSAGES_TOTAL);
  pf_fetcher_set_uint64 (self, &self->bytes_done, 0, PROP_BYTES_DONE);
  pf_fetcher_set_uint64 (self, &self->bytes_total, 0, PROP_BYTES_TOTAL);
  self->rate = 0;
  pf_fetcher_set_phase (self, PF_FETCH_PHASE_RECOVERING);
  g_object_thaw_notify (G_OBJECT (self));

  open_task = g_task_new (NULL, NULL, pf_fetcher_on_opened, run);
  g_task_set_source_tag (open_task, pf_fetcher_open_thread);
  g_task_set_task_data (open_task, run, NULL);
  g_task_run_in_thread (open_task, pf_fetcher_open_thread);
}

PfFetchResult *
pf_fetcher_run_finish (PfFetcher     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_fetcher_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Object                                                               */

PfFetcher *
pf_fetcher_new (PfServerSettings *settings,
                const char       *user,
                const char       *maildir)
{
  PfFetcher *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (maildir != NULL, NULL);

  self = g_object_new (PF_TYPE_FETCHER, NULL);
  self->settings = pf_server_settings_ref (settings);
  self->user = g_strdup (user);
  self->maildir = g_strdup (maildir);
  return self;
}

PfServerSettings *
pf_fetcher_get_settings (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->settings;
}

void
pf_fetcher_set_mechanism (PfFetcher       *self,
                          PfAuthMechanism  mechanism)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->mechanism = mechanism;
}

void
pf_fetcher_set_credentials (PfFetcher     *self,
                            PfCredentials *credentials)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_return_if_fail (credentials == NULL || PF_IS_CREDENTIALS (credentials));

  g_set_object (&self->credentials, credentials);
}

void
pf_fetcher_set_stall_window (PfFetcher *self,
                             guint      seconds)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->stall_window = seconds;
}

void
pf_fetcher_set_state_dir (PfFetcher  *self,
                          const char *path)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_free (self->state_dir);
  self->state_dir = path != NULL ? g_strdup (path)
                                 : g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}

void
pf_fetcher_set_account (PfFetcher  *self,
                        const char *account_name)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_free (self->account_name);
  self->account_name = g_strdup (account_name);
}

void
pf_fetcher_set_policy (PfFetcher     *self,
                       PfFetchPolicy  policy,
                       guint          days)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->policy = policy;
  self->days = days;
}

void
pf_fetcher_set_size_limit (PfFetcher *self,
                           guint64    bytes)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->size_limit = bytes;
}

void
pf_fetcher_set_target (PfFetcher     *self,
                       PfFetchTarget  target,
                       const char    *uid)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_return_if_fail (uid != NULL || target == PF_FETCH_TARGET_ALL || target == PF_FETCH_TARGET_SURVEY);

  self->target = target;
  g_free (self->target_uid);
  self->target_uid = g_strdup (uid);
}

void
pf_fetcher_set_max_sessions (PfFetcher *self,
                             guint      sessions)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->max_sessions = CLAMP (sessions, 1, PF_FETCHER_MAX_SESSIONS);
}

void
pf_fetcher_set_quota (PfFetcher *self,
                      guint64    bytes)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->quota = bytes;
}

void
pf_fetcher_set_now (PfFetcher *self,
                    gint64     unix_time)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->now = unix_time;
}

PfFetchPhase
pf_fetcher_get_phase (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), PF_FETCH_PHASE_IDLE);
  return self->phase;
}

guint
pf_fetcher_get_messages_done (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->messages_done;
}

guint
pf_fetcher_get_messages_total (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->messages_total;
}

guint64
pf_fetcher_get_bytes_done (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->bytes_done;
}

guint64
pf_fetcher_get_bytes_total (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->bytes_total;
}

double
pf_fetcher_get_rate (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->rate;
}

PfPop3Client *
pf_fetcher_get_client (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client;
}

PfTranscript *
pf_fetcher_get_transcript (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client != NULL ? pf_pop3_client_get_transcript (self->client) : NULL;
}

GTlsCertificate *
pf_fetcher_get_peer_certificate (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client != NULL ? pf_pop3_client_get_peer_certificate (self->client) : NULL;
}

GTlsCertificateFlags
pf_fetcher_get_peer_certificate_errors (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->client != NULL ? pf_pop3_client_get_peer_certificate_errors (self->client) : 0;
}

static void
pf_fetcher_finalize (GObject *object)
{
  PfFetcher *self = PF_FETCHER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->settings, pf_server_settings_unref);
  g_free (self->user);
  g_free (self->maildir);
  g_free (self->state_dir);
  g_free (self->account_name);
  g_free (self->target_uid);

  G_OBJECT_CLASS (pf_fetcher_parent_class)->finalize (object);
}

static void
pf_fetcher_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PfFetcher *self = PF_FETCHER (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_MESSAGES_DONE:
      g_value_set_uint (value, self->messages_done);
      break;
    case PROP_MESSAGES_TOTAL:
      g_value_set_uint (value, self->messages_total);
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_fetcher_class_init (PfFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pf_fetcher_finalize;
  object_class->get_property = pf_fetcher_get_property;

  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, PF_TYPE_FETCH_PHASE, PF_FETCH_PHASE_IDLE, flags);
  properties[PROP_MESSAGES_DONE] =
    g_param_spec_uint ("messages-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MESSAGES_TOTAL] =
    g_param_spec_uint ("messages-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pf_fetcher_init (PfFetcher *self)
{
  self->state_dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
  self->max_sessions = 1;
}
