/* pf-account-row.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-row.h"
#include "pf-maildir-flags.h"

/* File events come in bursts (a fetch, another reader): count once the
 * burst is over. */
#define UNREAD_SETTLE_MS 500

struct _PfAccountRow
{
  GtkListBoxRow    parent_instance;

  PfAccountStatus *status;
  PfScheduler     *scheduler;
  GSignalGroup    *status_signals;
  GSignalGroup    *account_signals;

  GtkImage        *error_icon;
  GtkLabel        *name_label;
  GtkLabel        *address_label;
  GtkLabel        *summary_label;
  GtkLabel        *unread_label;
  GtkLabel        *next_label;
  GtkButton       *fetch_button;
  GtkButton       *cancel_button;
  GtkRevealer     *progress_revealer;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;

  /* The unread count, from the Maildir's listings (new/ and cur/ without
   * S): other readers' changes count too. */
  char            *watched_maildir;
  GFileMonitor    *monitors[2];
  GCancellable    *count_cancellable;
  guint            settle_id;
};

G_DEFINE_FINAL_TYPE (PfAccountRow, pf_account_row, GTK_TYPE_LIST_BOX_ROW)

static void
update_account (PfAccountRow *self)
{
  PfAccount *account = pf_account_status_get_account (self->status);
  const char *name = pf_account_get_name (account);
  g_autofree char *fetch_label = NULL;
  g_autofree char *cancel_label = NULL;

  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->address_label, pf_account_get_address (account));

  /* Every row has a Fetch button: say which account each one fetches. */
  /* Translators: accessible name of a button, %s is the account name */
  fetch_label = g_strdup_printf (_("Fetch %s"), name);
  /* Translators: accessible name of a button, %s is the account name */
  cancel_label = g_strdup_printf (_("Cancel fetching %s"), name);
  /* Through the window's queue: a few at a time, one per mailbox. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->fetch_button), "s", name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->fetch_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, fetch_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cancel_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_task_return_int (task, pf_maildir_count_unread (task_data));
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PfAccountRow *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gssize count;

  count = g_task_propagate_int (G_TASK (result), &error);
  if (count < 0)
    return;   /* cancelled: the row is gone or counts again */
  self = PF_ACCOUNT_ROW (user_data);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread", "%u unread", (guint) count), (guint) count);
  gtk_label_set_label (self->unread_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), count > 0);
}

static gboolean
count_unread (gpointer user_data)
{
  PfAccountRow *self = user_data;
  g_autoptr(GTask) task = NULL;

  self->settle_id = 0;
  if (self->count_cancellable != NULL)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->count_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->count_cancellable, on_counted, self);
  g_task_set_task_data (task, g_strdup (self->watched_maildir), g_free);
  g_task_run_in_thread (task, count_thread);
  return G_SOURCE_REMOVE;
}

static void
on_maildir_changed (PfAccountRow *self)
{
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (UNREAD_SETTLE_MS, count_unread, self);
}

static void
stop_watching (PfAccountRow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    if (self->monitors[i] != NULL)
      {
        g_signal_handlers_disconnect_by_data (self->monitors[i], self);
        g_file_monitor_cancel (self->monitors[i]);
        g_clear_object (&self->monitors[i]);
      }
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->count_cancellable != NULL)
    g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
}

static void
watch_maildir (PfAccountRow *self)
{
  g_autofree char *maildir = pf_account_dup_effective_maildir (pf_account_status_get_account (self->status));
  const char *folders[] = { "new", "cur" };

  if (g_strcmp0 (maildir, self->watched_maildir) == 0)
    return;
  stop_watching (self);
  g_free (self->watched_maildir);
  self->watched_maildir = g_steal_pointer (&maildir);
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *path = g_build_filename (self->watched_maildir, folders[i], NULL);
      g_autoptr(GFile) dir = g_file_new_for_path (path);

      self->monitors[i] = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (self->monitors[i] != NULL)
        g_signal_connect_swapped (self->monitors[i], "changed", G_CALLBACK (on_maildir_changed), self);
    }
  count_unread (self);
}

static void
on_finished (PfAccountRow *self)
{
  /* A Maildir made by the first fetch had no folders to watch yet. */
  g_clear_pointer (&self->watched_maildir, g_free);
  watch_maildir (self);
}

static void
update_status (PfAccountRow *self)
{
  gboolean busy = pf_account_status_get_busy (self->status);
  const GError *error = pf_account_status_get_error (self->status);
  const char *progress = pf_account_status_get_progress_text (self->status);

  gtk_label_set_label (self->summary_label, pf_account_status_get_summary (self->status));
  gtk_widget_set_visible (GTK_WIDGET (self->error_icon), error != NULL && !busy);
  if (error != NULL)
    {
      if (gtk_widget_has_css_class (GTK_WIDGET (self->summary_label), "dim-label"))
        gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "dim-label");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->fetch_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_progress_bar_set_fraction (self->progress_bar, pf_account_status_get_fraction (self->status));
  gtk_label_set_label (self->progress_label, progress ? progress : "");
}

/* When the account fetches next: the same time for every account, but
 * said on each row, next to when it fetched last. */
static void
update_next (PfAccountRow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) next = NULL;
  g_autofree char *text = NULL;
  gint64 next_us = pf_scheduler_get_next_fetch (self->scheduler);

  if (next_us > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (next_us / G_USEC_PER_SEC);

      next = g_date_time_to_local (utc);
    }
  text = pf_scheduler_format_next (pf_scheduler_get_schedule (self->scheduler), next, now);
  gtk_label_set_label (self->next_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->next_label), text != NULL);
}

static void
on_cancel_clicked (PfAccountRow *self)
{
  pf_account_status_cancel (self->status);
}

GtkWidget *
pf_account_row_new (PfAccountStatus *status,
                    PfScheduler     *scheduler)
{
  PfAccountRow *self;

  g_return_val_if_fail (PF_IS_ACCOUNT_STATUS (status), NULL);
  g_return_val_if_fail (PF_IS_SCHEDULER (scheduler), NULL);

  self = g_object_new (PF_TYPE_ACCOUNT_ROW, NULL);
  self->status = g_object_ref (status);
  self->scheduler = g_object_ref (scheduler);
  g_signal_connect_object (scheduler, "notify::next-fetch", G_CALLBACK (update_next), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (scheduler, "notify::schedule", G_CALLBACK (update_next), self, G_CONNECT_SWAPPED);
  update_next (self);
  g_signal_group_set_target (self->status_signals, status);
  g_signal_group_set_target (self->account_signals, pf_account_status_get_account (status));
  update_account (self);
  update_status (self);
  watch_maildir (self);

  return GTK_WIDGET (self);
}

PfAccountStatus *
pf_account_row_get_status (PfAccountRow *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_ROW (self), NULL);
  return self->status;
}

static void
on_account_changed (PfAccountRow *self)
{
  g_signal_group_set_target (self->account_signals, pf_account_status_get_account (self->status));
  update_account (self);
  watch_maildir (self);
}

static void
pf_account_row_dispose (GObject *object)
{
  PfAccountRow *self = PF_ACCOUNT_ROW (object);

  stop_watching (self);
  g_clear_pointer (&self->watched_maildir, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_ACCOUNT_ROW);
  g_clear_object (&self->status_signals);
  g_clear_object (&self->account_signals);
  g_clear_object (&self->status);
  g_clear_object (&self->scheduler);

  G_OBJECT_CLASS (pf_account_row_parent_class)->dispose (object);
}

static void
pf_account_row_class_init (PfAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_account_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, error_icon);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, address_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, unread_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, next_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, fetch_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PfAccountRow, progress_label);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
pf_account_row_init (PfAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->status_signals = g_signal_group_new (PF_TYPE_ACCOUNT_STATUS);
  g_signal_group_connect_swapped (self->status_signals, "notify", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->status_signals, "notify::account", G_CALLBACK (on_account_changed), self);
  g_signal_group_connect_swapped (self->status_signals, "finished", G_CALLBACK (on_finished), self);

  self->account_signals = g_signal_group_new (PF_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify", G_CALLBACK (update_account), self);
}
