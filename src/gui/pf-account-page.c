/* pf-account-page.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-page.h"
#include "pf-diagnosis-view.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-message.h"
#include "pf-message-row.h"

#define NEWEST_MESSAGES 50

struct _PfAccountPage
{
  GtkBox           parent_instance;

  PfAccountStatus *status;
  GSignalGroup    *status_signals;
  GCancellable    *load_cancellable;

  AdwWindowTitle  *window_title;
  GtkButton       *fetch_button;
  GtkButton       *cancel_button;
  AdwActionRow    *status_row;
  GtkRevealer     *progress_revealer;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkWidget       *error_box;
  PfDiagnosisView *diagnosis_view;
  GtkButton       *change_password_button;
  GtkListBox      *messages_list;
  GtkStack        *messages_stack;

  GListStore      *messages;         /* PfMessage, bound to messages_list */
};

G_DEFINE_FINAL_TYPE (PfAccountPage, pf_account_page, GTK_TYPE_BOX)

enum {
  GO_BACK,
  EDIT_ACCOUNT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_message_text (GtkWidget  *parent,
                   PfMessage  *message,
                   const char *text)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (pf_message_get_subject (message), pf_message_get_from (message));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message text"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), pf_message_get_subject (message));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 560);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (gtk_widget_get_root (parent)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_text_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GtkWidget) row = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = pf_message_load_text_finish (PF_MESSAGE (source), result, &error);
  if (text == NULL)
    {
      g_warning ("Could not read the message: %s", error->message);
      return;
    }
  if (gtk_widget_get_root (row) != NULL)
    show_message_text (row, PF_MESSAGE (source), text);
}

static void
on_message_activated (GtkListBox    *list,
                      GtkListBoxRow *row,
                      PfAccountPage *self)
{
  if (PF_IS_MESSAGE_ROW (row))
    pf_message_load_text_async (pf_message_row_get_message (PF_MESSAGE_ROW (row)), NULL,
                                on_text_loaded, g_object_ref (row));
}

static GtkWidget *
create_message_row (gpointer item,
                    gpointer user_data)
{
  return pf_message_row_new (PF_MESSAGE (item));
}

static void
on_messages_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PfAccountPage *self = user_data;
  g_autoptr(GListModel) loaded = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  guint n;

  loaded = pf_message_load_newest_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);

  if (loaded == NULL)
    {
      g_warning ("Could not list the messages: %s", error->message);
      g_list_store_remove_all (self->messages);
      gtk_stack_set_visible_child_name (self->messages_stack, "empty");
      return;
    }

  /* One change for the whole list: the rows are made once. */
  n = g_list_model_get_n_items (loaded);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (messages, g_list_model_get_item (loaded, i));
  g_list_store_splice (self->messages, 0, g_list_model_get_n_items (G_LIST_MODEL (self->messages)),
                       messages->pdata, messages->len);
  gtk_stack_set_visible_child_name (self->messages_stack, n > 0 ? "list" : "empty");
}

void
pf_account_page_reload_messages (PfAccountPage *self)
{
  g_autofree char *maildir = NULL;

  g_return_if_fail (PF_IS_ACCOUNT_PAGE (self));

  if (self->status == NULL)
    return;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  maildir = pf_account_dup_effective_maildir (pf_account_status_get_account (self->status));
  /* The callback only runs while the page lives: dispose cancels. */
  pf_message_load_newest_async (maildir, NEWEST_MESSAGES, self->load_cancellable,
                                on_messages_loaded, self);
}

static void
update_status (PfAccountPage *self)
{
  PfAccount *account;
  const GError *error;
  gboolean busy;
  const char *progress;

  if (self->status == NULL)
    return;

  account = pf_account_status_get_account (self->status);
  error = pf_account_status_get_error (self->status);
  busy = pf_account_status_get_busy (self->status);
  progress = pf_account_status_get_progress_text (self->status);

  adw_window_title_set_title (self->window_title, pf_account_get_name (account));
  adw_window_title_set_subtitle (self->window_title, pf_account_get_address (account));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 pf_account_status_get_summary (self->status));
  gtk_widget_set_visible (GTK_WIDGET (self->fetch_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_progress_bar_set_fraction (self->progress_bar, pf_account_status_get_fraction (self->status));
  gtk_label_set_label (self->progress_label, progress ? progress : "");

  gtk_widget_set_visible (self->error_box, error != NULL && !busy);
  if (error != NULL)
    {
      pf_diagnosis_view_set_error (self->diagnosis_view, error,
                                   pf_account_status_get_transcript (self->status));
      gtk_widget_set_visible (GTK_WIDGET (self->change_password_button),
                              pf_gui_fix_for_error (error) == PF_FIX_PASSWORD);
    }
}

static void
on_finished (PfAccountPage *self,
             guint          count,
             const GError  *error)
{
  if (error == NULL)
    pf_account_page_reload_messages (self);
}

void
pf_account_page_set_status (PfAccountPage   *self,
                            PfAccountStatus *status)
{
  g_return_if_fail (PF_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (!status || PF_IS_ACCOUNT_STATUS (status));

  if (!g_set_object (&self->status, status))
    return;

  g_signal_group_set_target (self->status_signals, status);
  gtk_stack_set_visible_child_name (self->messages_stack, "empty");
  update_status (self);
  pf_account_page_reload_messages (self);
}

PfAccountStatus *
pf_account_page_get_status (PfAccountPage *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_PAGE (self), NULL);
  return self->status;
}

static void
on_back_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[GO_BACK], 0);
}

static void
on_settings_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[EDIT_ACCOUNT], 0, FALSE);
}

static void
on_change_password_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[EDIT_ACCOUNT], 0, TRUE);
}

static void
on_fetch_clicked (PfAccountPage *self)
{
  /* Through the window's queue: a few at a time, one per mailbox. */
  if (self->status != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.fetch-account", "s",
                                pf_account_get_name (pf_account_status_get_account (self->status)));
}

static void
on_cancel_clicked (PfAccountPage *self)
{
  if (self->status != NULL)
    pf_account_status_cancel (self->status);
}

static void
on_open_folder_clicked (PfAccountPage *self)
{
  g_autofree char *maildir = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->status == NULL)
    return;

  maildir = pf_account_dup_effective_maildir (pf_account_status_get_account (self->status));
  file = g_file_new_for_path (maildir);
  uri = g_file_get_uri (file);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
pf_account_page_dispose (GObject *object)
{
  PfAccountPage *self = PF_ACCOUNT_PAGE (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_ACCOUNT_PAGE);
  g_clear_object (&self->status_signals);
  g_clear_object (&self->status);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (pf_account_page_parent_class)->dispose (object);
}

static void
pf_account_page_class_init (PfAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_account_page_dispose;

  signals[GO_BACK] =
    g_signal_new ("go-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EDIT_ACCOUNT] =
    g_signal_new ("edit-account", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (PF_TYPE_DIAGNOSIS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, fetch_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, diagnosis_view);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, change_password_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, messages_list);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, messages_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_settings_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_change_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_fetch_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_message_activated);
}

static void
pf_account_page_init (PfAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->messages = g_list_store_new (PF_TYPE_MESSAGE);
  gtk_list_box_bind_model (self->messages_list, G_LIST_MODEL (self->messages),
                           create_message_row, NULL, NULL);

  self->status_signals = g_signal_group_new (PF_TYPE_ACCOUNT_STATUS);
  g_signal_group_connect_swapped (self->status_signals, "notify", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->status_signals, "finished", G_CALLBACK (on_finished), self);
}
