/* pf-account-row.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-row.h"

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
  GtkLabel        *next_label;
  GtkButton       *fetch_button;
  GtkButton       *cancel_button;
  GtkRevealer     *progress_revealer;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
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
}

static void
pf_account_row_dispose (GObject *object)
{
  PfAccountRow *self = PF_ACCOUNT_ROW (object);

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

  self->account_signals = g_signal_group_new (PF_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify", G_CALLBACK (update_account), self);
}
