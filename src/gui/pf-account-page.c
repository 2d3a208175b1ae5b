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
  PfMessage *message = g_object_get_data (G_OBJECT (row), "message");

  if (message != NULL)
    pf_message_load_text_async (message, NULL, on_text_loaded, g_object_ref (row));
}

static void
on_message_launched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkWidget) button = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    return;

  g_debug ("Could not open the message: %s", error->message);
  overlay = gtk_widget_get_ancestor (button, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                   adw_toast_new (_("No mail reader is set up to open this message")));
      pf_gui_name_icon_buttons (overlay);
    }
}

/* The user's default handler of message/rfc822 gets the message's file;
 * asynchronous, as looking up the handler reads the file's type. */
static void
on_open_message_clicked (GtkButton *button,
                         PfMessage *message)
{
  g_autoptr(GFile) file = g_file_new_for_path (pf_message_get_path (message));
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (button)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           on_message_launched, g_object_ref (button));
}

static GtkWidget *
message_row_new (PfMessage *message)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *open = gtk_button_new_from_icon_name ("document-open-symbolic");
  g_autofree char *date = g_date_time_format (pf_message_get_date (message), "%x %R");
  g_autofree char *subtitle = NULL;
  g_autofree char *open_label = NULL;
  const char *subject = pf_message_get_subject (message);

  /* Translators: sender · date in the message list */
  subtitle = g_strdup_printf (_("%s · %s"), pf_message_get_from (message), date);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (*subject == '\0')
    subject = _("(no subject)");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), subject);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (open, "flat");
  gtk_widget_set_tooltip_text (open, _("Open in Mail Reader"));
  /* Every row has this button: say which message each one opens. */
  /* Translators: accessible name of a button, %s is the message's subject */
  open_label = g_strdup_printf (_("Open “%s” in Mail Reader"), subject);
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
  g_signal_connect_object (open, "clicked", G_CALLBACK (on_open_message_clicked), message, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);

  g_object_set_data_full (G_OBJECT (row), "message", g_object_ref (message), g_object_unref);

  return row;
}

static void
on_messages_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PfAccountPage *self = user_data;
  g_autoptr(GListModel) messages = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n;

  messages = pf_message_load_newest_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->load_cancellable);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->messages_list))) != NULL)
    gtk_list_box_remove (self->messages_list, child);

  if (messages == NULL)
    {
      g_warning ("Could not list the messages: %s", error->message);
      gtk_stack_set_visible_child_name (self->messages_stack, "empty");
      return;
    }

  n = g_list_model_get_n_items (messages);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfMessage) message = g_list_model_get_item (messages, i);

      gtk_list_box_append (self->messages_list, message_row_new (message));
    }
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
  if (self->status != NULL)
    pf_account_status_fetch (self->status);
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

  self->status_signals = g_signal_group_new (PF_TYPE_ACCOUNT_STATUS);
  g_signal_group_connect_swapped (self->status_signals, "notify", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->status_signals, "finished", G_CALLBACK (on_finished), self);
}
