/* pf-account-status.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pf-account-status.h"
#include "pf-error.h"
#include "pf-fetcher.h"

struct _PfAccountStatus
{
  GObject       parent_instance;

  PfAccount    *account;
  GCancellable *cancellable;
  PfFetcher    *fetcher;

  double        fraction;
  char         *progress_text;
  char         *summary;
  GError       *error;
  char         *transcript;
  GDateTime    *last_fetch;
  guint         last_count;
  guint         last_too_large; /* left on the server by the size limit */
  GDateTime    *cancelled_at;   /* the last fetch was cancelled then */
  guint         cancelled_kept; /* messages it had delivered */
  PfAuthMechanism learned;      /* the last fetch fell back to this method, or AUTO */

  gint64        started_us;
};

G_DEFINE_FINAL_TYPE (PfAccountStatus, pf_account_status, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_BUSY,
  PROP_FRACTION,
  PROP_PROGRESS_TEXT,
  PROP_SUMMARY,
  PROP_ERROR,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

char *
pf_account_status_format_progress (guint   done,
                                   guint   total,
                                   guint64 bytes,
                                   guint64 rate)
{
  g_autofree char *size = g_format_size (bytes);
  g_autofree char *messages = NULL;

  if (total > 0)
    /* Translators: "3 of 10 messages" */
    messages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u message", "%u of %u messages", total),
                                done, total);
  else
    messages = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", done), done);

  if (rate > 0)
    {
      g_autofree char *speed = g_format_size (rate);

      /* Translators: messages · size · speed, e.g. "3 of 10 messages · 1.2 MB · 300 kB/s" */
      return g_strdup_printf (_("%s · %s · %s/s"), messages, size, speed);
    }

  /* Translators: messages · size, e.g. "3 of 10 messages · 1.2 MB" */
  return g_strdup_printf (_("%s · %s"), messages, size);
}

static void
set_string (PfAccountStatus  *self,
            char            **field,
            const char       *value,
            int               prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_fraction (PfAccountStatus *self,
              double           fraction)
{
  fraction = CLAMP (fraction, 0.0, 1.0);
  if (self->fraction == fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

/* A time of day alone for today; the date as well for an earlier day (the
 * last fetch is remembered across restarts). */
static char *
format_when (GDateTime *when,
             GDateTime *now)
{
  if (now != NULL &&
      g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    return g_date_time_format (when, "%X");
  return g_date_time_format (when, "%x %X");
}

char *
pf_account_status_format_cancelled (GDateTime *cancelled_at,
                                    guint      kept,
                                    GDateTime *now)
{
  g_autofree char *time = format_when (cancelled_at, now);

  if (kept == 0)
    /* Translators: %s is a time of day, or a date and a time */
    return g_strdup_printf (_("Fetch cancelled at %s"), time);

  /* Translators: %s is a time of day, or a date and a time; %u a count of
   * messages saved before the fetch was cancelled */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Fetch cancelled at %s; %u message saved",
                                       "Fetch cancelled at %s; %u messages saved",
                                       kept),
                          time, kept);
}

char *
pf_account_status_format_too_large (const char *summary,
                                    guint       too_large)
{
  /* Translators: follows a summary like "Fetched 3 messages at 10:04";
   * the messages are bigger than the account's size limit */
  g_autofree char *left = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "%u message over the size limit left on the server",
                                                        "%u messages over the size limit left on the server",
                                                        too_large),
                                           too_large);

  /* Translators: a summary and what the size limit left on the server,
   * e.g. "Fetched 3 messages at 10:04 · 2 messages over the size limit left on the server" */
  return g_strdup_printf (_("%s · %s"), summary, left);
}

char *
pf_account_status_format_summary (GDateTime *last_fetch,
                                  guint      count,
                                  gboolean   failed,
                                  GDateTime *now)
{
  g_autofree char *time = NULL;

  if (failed)
    return g_strdup (_("The last fetch failed"));
  if (last_fetch == NULL)
    return g_strdup (_("Not fetched yet"));

  time = format_when (last_fetch, now);

  if (count == 0)
    /* Translators: %s is a time of day, or a date and a time */
    return g_strdup_printf (_("No new mail at %s"), time);

  /* Translators: %u is a count, %s a time of day, or a date and a time */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Fetched %u message at %s",
                                       "Fetched %u messages at %s",
                                       count),
                          count, time);
}

static void
update_summary (PfAccountStatus *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *summary = NULL;

  /* finish_fetch() keeps a cancel and an error apart: never both. */
  if (self->cancelled_at != NULL)
    summary = pf_account_status_format_cancelled (self->cancelled_at, self->cancelled_kept, now);
  else if (self->error != NULL || self->last_too_large == 0)
    summary = pf_account_status_format_summary (self->last_fetch, self->last_count,
                                                self->error != NULL, now);
  else
    {
      g_autofree char *fetched = pf_account_status_format_summary (self->last_fetch, self->last_count,
                                                                   FALSE, now);

      summary = pf_account_status_format_too_large (fetched, self->last_too_large);
    }
  set_string (self, &self->summary, summary, PROP_SUMMARY);
}

static void
finish_fetch (PfAccountStatus *self,
              guint            count,
              guint            too_large,
              GError          *error,
              const char      *transcript)
{
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_pointer (&self->transcript, g_free);
  g_clear_pointer (&self->cancelled_at, g_date_time_unref);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* What arrived before the cancel is in the Maildir: say so. */
      self->cancelled_at = g_date_time_new_now_local ();
      self->cancelled_kept = count;
    }
  else if (error != NULL)
    {
      self->error = g_error_copy (error);
      self->transcript = g_strdup (transcript);
    }
  else if (error == NULL)
    {
      g_clear_pointer (&self->last_fetch, g_date_time_unref);
      self->last_fetch = g_date_time_new_now_local ();
      self->last_count = count;
      self->last_too_large = too_large;
    }

  set_fraction (self, error == NULL ? 1.0 : 0.0);
  set_string (self, &self->progress_text, NULL, PROP_PROGRESS_TEXT);
  update_summary (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  g_signal_emit (self, signals[FINISHED], 0, error == NULL ? count : 0, error);
}

static void start_fetcher (PfAccountStatus *self);

void
pf_account_status_fetch (PfAccountStatus *self)
{
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (self));

  if (self->cancellable != NULL)
    return;

  self->cancellable = g_cancellable_new ();
  self->started_us = g_get_monotonic_time ();
  set_fraction (self, 0.0);
  set_string (self, &self->progress_text, _("Connecting…"), PROP_PROGRESS_TEXT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  start_fetcher (self);
}

void
pf_account_status_cancel (PfAccountStatus *self)
{
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
on_fetcher_progress (PfAccountStatus *self)
{
  g_autofree char *text = NULL;
  guint64 bytes_total;

  if (self->fetcher == NULL)
    return;

  switch (pf_fetcher_get_phase (self->fetcher))
    {
    case PF_FETCH_PHASE_RECOVERING:
    case PF_FETCH_PHASE_CONNECTING:
      text = g_strdup (_("Connecting…"));
      break;
    case PF_FETCH_PHASE_AUTHENTICATING:
      text = g_strdup (_("Logging in…"));
      break;
    case PF_FETCH_PHASE_LISTING:
      text = g_strdup (_("Looking for new messages…"));
      break;
    case PF_FETCH_PHASE_DELETING:
      text = g_strdup (_("Cleaning up the server…"));
      break;
    case PF_FETCH_PHASE_IDLE:
    case PF_FETCH_PHASE_FETCHING:
    case PF_FETCH_PHASE_DONE:
    default:
      text = pf_account_status_format_progress (pf_fetcher_get_messages_done (self->fetcher),
                                                pf_fetcher_get_messages_total (self->fetcher),
                                                pf_fetcher_get_bytes_done (self->fetcher),
                                                (guint64) pf_fetcher_get_rate (self->fetcher));
      break;
    }

  set_string (self, &self->progress_text, text, PROP_PROGRESS_TEXT);

  bytes_total = pf_fetcher_get_bytes_total (self->fetcher);
  if (bytes_total > 0)
    set_fraction (self, (double) pf_fetcher_get_bytes_done (self->fetcher) / (double) bytes_total);
  else if (pf_fetcher_get_messages_total (self->fetcher) > 0)
    set_fraction (self, (double) pf_fetcher_get_messages_done (self->fetcher) /
                        (double) pf_fetcher_get_messages_total (self->fetcher));
}

static void
on_fetcher_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PfAccountStatus) self = user_data;
  g_autoptr(PfFetcher) fetcher = PF_FETCHER (g_object_ref (source));
  g_autoptr(PfFetchResult) fetched = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  PfTranscript *log;
  guint count = 0;

  fetched = pf_fetcher_run_finish (fetcher, result, &error);
  self->learned = fetched != NULL && fetched->fell_back ? fetched->mechanism : PF_AUTH_AUTO;
  on_fetcher_progress (self);
  if (self->fetcher == fetcher)
    g_clear_object (&self->fetcher);

  log = pf_fetcher_get_transcript (fetcher);
  if (error != NULL && log != NULL)
    transcript = pf_transcript_to_string (log);

  if (fetched != NULL)
    count = fetched->fetched + fetched->recovered;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    count = pf_fetcher_get_messages_done (fetcher);
  finish_fetch (self, count, fetched != NULL ? fetched->over_limit->len : 0, error, transcript);
}

/* The accounts layer makes the fetcher: settings, the POPFETCH_DEMO
 * mapping, policy, the account's own journal, and the password, which the
 * keyring hands out when the run has connected. */
static void
start_fetcher (PfAccountStatus *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->fetcher);
  self->fetcher = pf_account_create_fetcher (self->account, NULL, &error);
  if (self->fetcher == NULL)
    {
      finish_fetch (self, 0, 0, error, NULL);
      return;
    }

  g_signal_connect_object (self->fetcher, "notify", G_CALLBACK (on_fetcher_progress),
                           self, G_CONNECT_SWAPPED);
  pf_fetcher_run_async (self->fetcher, self->cancellable, on_fetcher_done, g_object_ref (self));
}

void
pf_account_status_restore_last_fetch (PfAccountStatus *self,
                                      GDateTime       *last_fetch,
                                      guint            count)
{
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (self));
  g_return_if_fail (last_fetch != NULL);

  /* A fetch of this run knows better. */
  if (self->last_fetch != NULL || self->cancellable != NULL || self->error != NULL)
    return;

  self->last_fetch = g_date_time_ref (last_fetch);
  self->last_count = count;
  update_summary (self);
}

void
pf_account_status_set_too_large (PfAccountStatus *self,
                                 guint            too_large)
{
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (self));

  /* A running fetch says its own count when it ends. */
  if (self->cancellable != NULL || self->last_too_large == too_large)
    return;
  self->last_too_large = too_large;
  update_summary (self);
}

PfAccountStatus *
pf_account_status_new (PfAccount *account)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (account), NULL);

  return g_object_new (PF_TYPE_ACCOUNT_STATUS, "account", account, NULL);
}

PfAccount *
pf_account_status_get_account (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->account;
}

void
pf_account_status_set_account (PfAccountStatus *self,
                               PfAccount       *account)
{
  g_return_if_fail (PF_IS_ACCOUNT_STATUS (self));
  g_return_if_fail (PF_IS_ACCOUNT (account));

  if (g_set_object (&self->account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

gboolean
pf_account_status_get_busy (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), FALSE);
  return self->cancellable != NULL;
}

double
pf_account_status_get_fraction (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), 0.0);
  return self->fraction;
}

const char *
pf_account_status_get_progress_text (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->progress_text;
}

const char *
pf_account_status_get_summary (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->summary;
}

const GError *
pf_account_status_get_error (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->error;
}

const char *
pf_account_status_get_transcript (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->transcript;
}

GDateTime *
pf_account_status_get_last_fetch (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), NULL);
  return self->last_fetch;
}

guint
pf_account_status_get_last_count (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), 0);
  return self->last_count;
}

static void
pf_account_status_dispose (GObject *object)
{
  PfAccountStatus *self = PF_ACCOUNT_STATUS (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (pf_account_status_parent_class)->dispose (object);
}

static void
pf_account_status_finalize (GObject *object)
{
  PfAccountStatus *self = PF_ACCOUNT_STATUS (object);

  g_free (self->progress_text);
  g_free (self->summary);
  g_free (self->transcript);
  g_clear_error (&self->error);
  g_clear_pointer (&self->last_fetch, g_date_time_unref);
  g_clear_pointer (&self->cancelled_at, g_date_time_unref);

  G_OBJECT_CLASS (pf_account_status_parent_class)->finalize (object);
}

static void
pf_account_status_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PfAccountStatus *self = PF_ACCOUNT_STATUS (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, pf_account_status_get_busy (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_account_status_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PfAccountStatus *self = PF_ACCOUNT_STATUS (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      pf_account_status_set_account (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_account_status_class_init (PfAccountStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pf_account_status_dispose;
  object_class->finalize = pf_account_status_finalize;
  object_class->get_property = pf_account_status_get_property;
  object_class->set_property = pf_account_status_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, PF_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ERROR);
}

static void
pf_account_status_init (PfAccountStatus *self)
{
  update_summary (self);
}

PfAuthMechanism
pf_account_status_get_learned_mechanism (PfAccountStatus *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (self), PF_AUTH_AUTO);

  return self->learned;
}
