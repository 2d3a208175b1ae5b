/* pf-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "pf-account-page.h"
#include "pf-account-row.h"
#include "pf-account-status.h"
#include "pf-account-store.h"
#include "pf-account-window.h"
#include "pf-gui-util.h"
#include "pf-paths.h"
#include "pf-setup-window.h"
#include "pf-window.h"

struct _PfWindow
{
  AdwApplicationWindow parent_instance;

  PfAccountStore  *store;
  GListStore      *statuses;
  GSettings       *settings;
  guint            fetch_timer;
  GError          *load_error;

  char            *demo_address;
  char            *demo_password;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet      *leaflet;
  GtkStack        *main_stack;
  AdwStatusPage   *empty_page;
  GtkListBox      *accounts_list;
  GtkWidget       *empty_demo_button;
  GtkWidget       *demo_group;
  AdwActionRow    *demo_row;
  PfAccountPage   *account_page;
};

G_DEFINE_FINAL_TYPE (PfWindow, pf_window, ADW_TYPE_APPLICATION_WINDOW)

static void attach_application (PfWindow      *self,
                                PfApplication *application);

PfWindow *
pf_window_new (PfApplication *application)
{
  PfWindow *self;

  g_return_val_if_fail (PF_IS_APPLICATION (application), NULL);

  self = g_object_new (PF_TYPE_WINDOW, "application", application, NULL);
  attach_application (self, application);

  return self;
}

void
pf_window_show_toast (PfWindow   *self,
                      const char *message)
{
  g_return_if_fail (PF_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  pf_gui_name_icon_buttons (GTK_WIDGET (self->toast_overlay));
}

static void
update_empty_state (PfWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->statuses)) == 0;

  gtk_stack_set_visible_child_name (self->main_stack, empty ? "empty" : "accounts");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fetch-all", !empty);
}

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
save_last_fetch (PfWindow *self)
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

static void
on_last_fetch_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PfWindow) self = user_data;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
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

          pf_account_status_restore_last_fetch (status, local, (guint) MIN (count, G_MAXUINT));
        }
    }
}

static void
load_last_fetch (PfWindow *self)
{
  g_autofree char *path = last_fetch_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_file_load_contents_async (file, NULL, on_last_fetch_loaded, g_object_ref (self));
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
                    PfWindow        *self)
{
  PfAccount *account = pf_account_status_get_account (status);
  g_autofree char *message = NULL;

  /* A method the server refused gave way to one that worked: the account
   * keeps that one (the accounts layer decides whether it may). */
  if (pf_account_status_get_learned_mechanism (status) != PF_AUTH_AUTO)
    pf_account_store_remember_mechanism_async (self->store, pf_account_get_name (account),
                                               pf_account_status_get_learned_mechanism (status),
                                               NULL, on_mechanism_remembered, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: %s is an account name */
    message = g_strdup_printf (_("Fetching %s was cancelled"), pf_account_get_name (account));
  else if (error != NULL)
    /* Translators: %s is an account name */
    message = g_strdup_printf (_("Fetching %s failed"), pf_account_get_name (account));
  else if (count == 0)
    /* Translators: %s is an account name */
    message = g_strdup_printf (_("No new mail for %s"), pf_account_get_name (account));
  else
    /* Translators: %u is a count, %s an account name */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u new message for %s",
                                            "%u new messages for %s", count),
                               count, pf_account_get_name (account));

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_button_label (toast, _("Details"));
      adw_toast_set_action_name (toast, "win.show-account");
      adw_toast_set_action_target (toast, "s", pf_account_get_name (account));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      pf_gui_name_icon_buttons (GTK_WIDGET (self->toast_overlay));
    }
  else
    pf_window_show_toast (self, message);

  if (error == NULL)
    save_last_fetch (self);

  if (error == NULL && count > 0 && !gtk_window_is_active (GTK_WINDOW (self)) &&
      (self->settings == NULL || g_settings_get_boolean (self->settings, "notify-new-mail")))
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *id = g_strdup_printf ("new-mail-%s", pf_account_get_name (account));

      notification = g_notification_new (_("New Mail"));
      g_notification_set_body (notification, message);
      g_notification_set_default_action_and_target (notification, "app.show-account", "s",
                                                    pf_account_get_name (account));
      g_application_send_notification (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                       id, notification);
    }
}

static PfAccountStatus *
find_status (PfWindow   *self,
             const char *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      if (g_strcmp0 (pf_account_get_name (pf_account_status_get_account (status)), name) == 0)
        return status;
    }

  return NULL;
}

/* Keep one PfAccountStatus per account, across reloads of the file, so a
 * running fetch and its progress survive an edit of another account. */
static void
sync_statuses (PfWindow *self)
{
  GListModel *accounts = pf_account_store_get_accounts (self->store);
  guint n = g_list_model_get_n_items (accounts);
  g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (g_object_unref);
  PfAccountStatus *shown = pf_account_page_get_status (self->account_page);
  gboolean shown_kept = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);
      PfAccountStatus *status = find_status (self, pf_account_get_name (account));

      if (status != NULL)
        {
          pf_account_status_set_account (status, account);
          g_ptr_array_add (next, g_object_ref (status));
        }
      else
        {
          status = pf_account_status_new (account);
          g_signal_connect_object (status, "finished", G_CALLBACK (on_status_finished), self, 0);
          g_ptr_array_add (next, status);
        }
      if (status == shown)
        shown_kept = TRUE;
    }

  g_list_store_splice (self->statuses, 0, g_list_model_get_n_items (G_LIST_MODEL (self->statuses)),
                       next->pdata, next->len);
  update_empty_state (self);

  if (shown != NULL && !shown_kept)
    adw_leaflet_set_visible_child_name (self->leaflet, "accounts");
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  return pf_account_row_new (PF_ACCOUNT_STATUS (item));
}

static void
show_account (PfWindow        *self,
              PfAccountStatus *status)
{
  pf_account_page_set_status (self->account_page, status);
  adw_leaflet_set_visible_child_name (self->leaflet, "account");
}

static void
on_account_row_activated (GtkListBox    *list,
                          GtkListBoxRow *row,
                          PfWindow      *self)
{
  if (PF_IS_ACCOUNT_ROW (row))
    show_account (self, pf_account_row_get_status (PF_ACCOUNT_ROW (row)));
}

static void
on_page_go_back (PfWindow *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "accounts");
}

static void
on_account_changed (PfWindow *self)
{
  sync_statuses (self);
}

static void
on_page_edit_account (PfWindow *self,
                      gboolean  focus_password)
{
  PfAccountStatus *status = pf_account_page_get_status (self->account_page);
  PfAccountWindow *editor;

  if (status == NULL)
    return;

  editor = pf_account_window_new (GTK_WINDOW (self), self->store,
                                  pf_account_status_get_account (status));
  g_signal_connect_object (editor, "changed", G_CALLBACK (on_account_changed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  if (focus_password)
    pf_account_window_focus_password (editor);
}

static void
on_account_added (PfSetupWindow *setup,
                  PfAccount     *account,
                  PfWindow      *self)
{
  g_autofree char *message = NULL;
  PfAccountStatus *status;

  sync_statuses (self);

  /* Translators: %s is an account name */
  message = g_strdup_printf (_("Account %s added"), pf_account_get_name (account));
  pf_window_show_toast (self, message);

  status = find_status (self, pf_account_get_name (account));
  if (status != NULL)
    show_account (self, status);
}

static void
open_setup (PfWindow   *self,
            const char *address,
            const char *password)
{
  PfSetupWindow *setup;

  if (self->load_error != NULL)
    {
      /* The store refuses to save over a file it could not read. */
      pf_window_show_toast (self, self->load_error->message);
      return;
    }

  setup = pf_setup_window_new (GTK_WINDOW (self), self->store);
  if (address != NULL)
    pf_setup_window_set_credentials (setup, address, password);
  g_signal_connect_object (setup, "account-added", G_CALLBACK (on_account_added), self, 0);
  gtk_window_present (GTK_WINDOW (setup));
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_setup (PF_WINDOW (widget), NULL, NULL);
}

static void
try_demo_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PfWindow *self = PF_WINDOW (widget);

  open_setup (self, self->demo_address, self->demo_password);
}

static void
fetch_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PfWindow *self = PF_WINDOW (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

      pf_account_status_fetch (status);
    }
}

static void
show_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PfWindow *self = PF_WINDOW (widget);
  PfAccountStatus *status = find_status (self, g_variant_get_string (parameter, NULL));

  if (status != NULL)
    show_account (self, status);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  on_page_go_back (PF_WINDOW (widget));
}

static gboolean
on_fetch_timer (gpointer user_data)
{
  fetch_all_action (GTK_WIDGET (user_data), NULL, NULL);
  return G_SOURCE_CONTINUE;
}

/* The length of one minute of "fetch-interval". Tests set
 * POPFETCH_TEST_SECONDS_PER_MINUTE (1…60) to see periodic fetches without
 * waiting minutes; without it, and in every build without test hooks, a
 * minute has 60 seconds. */
static guint
seconds_per_minute (void)
{
  const char *value = PF_TEST_HOOKS ? g_getenv ("POPFETCH_TEST_SECONDS_PER_MINUTE") : NULL;
  guint64 seconds;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 60, &seconds, NULL))
    return (guint) seconds;
  return 60;
}

static void
update_fetch_timer (PfWindow *self)
{
  guint minutes = self->settings ? g_settings_get_uint (self->settings, "fetch-interval") : 0;

  g_clear_handle_id (&self->fetch_timer, g_source_remove);
  if (minutes > 0)
    self->fetch_timer = g_timeout_add_seconds (minutes * seconds_per_minute (), on_fetch_timer, self);
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PfWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_account_store_load_finish (PF_ACCOUNT_STORE (source), result, &error))
    {
      g_warning ("%s", error->message);
      adw_status_page_set_title (self->empty_page, _("Accounts Could Not Be Read"));
      adw_status_page_set_description (self->empty_page, error->message);
      self->load_error = g_steal_pointer (&error);
    }

  sync_statuses (self);
  load_last_fetch (self);
}

static void
load_demo (PfWindow *self)
{
  const char *path = g_getenv ("POPFETCH_DEMO");
  g_autoptr(GKeyFile) key_file = NULL;
  g_autofree char *subtitle = NULL;

  if (path == NULL || *path == '\0')
    return;

  key_file = g_key_file_new ();
  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, NULL))
    return;

  self->demo_address = g_key_file_get_string (key_file, "demo", "address", NULL);
  self->demo_password = g_key_file_get_string (key_file, "demo", "password", NULL);
  if (self->demo_address == NULL)
    return;

  /* Translators: %s is the demo account's mail address */
  subtitle = g_strdup_printf (_("Set up %s to see Popfetch at work"), self->demo_address);
  adw_action_row_set_subtitle (self->demo_row, subtitle);
  gtk_widget_set_visible (self->demo_group, TRUE);
  gtk_widget_set_visible (self->empty_demo_button, TRUE);
}

static gboolean
pf_window_close_request (GtkWindow *window)
{
  PfWindow *self = PF_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (pf_window_parent_class)->close_request (window);
}

/* After construction: GObject sets "application" only after
 * constructed() has run, so the settings and the help overlay are only
 * known here. */
static void
attach_application (PfWindow      *self,
                    PfApplication *application)
{
  GSettings *settings = pf_application_get_settings (application);
  GtkShortcutsWindow *help_overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self));

  if (help_overlay != NULL)
    pf_gui_name_icon_buttons (GTK_WIDGET (help_overlay));

  if (settings == NULL)
    return;

  self->settings = g_object_ref (settings);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               MAX (360, g_settings_get_int (self->settings, "window-width")),
                               MAX (294, g_settings_get_int (self->settings, "window-height")));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_signal_connect_object (self->settings, "changed::fetch-interval",
                           G_CALLBACK (update_fetch_timer), self, G_CONNECT_SWAPPED);
  update_fetch_timer (self);
}

static void
pf_window_dispose (GObject *object)
{
  PfWindow *self = PF_WINDOW (object);

  g_clear_handle_id (&self->fetch_timer, g_source_remove);
  if (self->statuses != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->statuses));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PfAccountStatus) status = g_list_model_get_item (G_LIST_MODEL (self->statuses), i);

          pf_account_status_cancel (status);
        }
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_WINDOW);
  g_clear_object (&self->statuses);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_error (&self->load_error);
  g_clear_pointer (&self->demo_address, g_free);
  g_clear_pointer (&self->demo_password, g_free);

  G_OBJECT_CLASS (pf_window_parent_class)->dispose (object);
}

static void
pf_window_class_init (PfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pf_window_dispose;
  window_class->close_request = pf_window_close_request;

  g_type_ensure (PF_TYPE_ACCOUNT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, empty_demo_button);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, demo_group);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, demo_row);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, account_page);

  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "win.fetch-all", NULL, fetch_all_action);
  gtk_widget_class_install_action (widget_class, "win.try-demo", NULL, try_demo_action);
  gtk_widget_class_install_action (widget_class, "win.show-account", "s", show_account_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-account", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.fetch-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.fetch-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
pf_window_init (PfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->statuses = g_list_store_new (PF_TYPE_ACCOUNT_STATUS);
  gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (self->statuses),
                           create_account_row, self, NULL);
  g_signal_connect (self->accounts_list, "row-activated", G_CALLBACK (on_account_row_activated), self);
  g_signal_connect_swapped (self->account_page, "go-back", G_CALLBACK (on_page_go_back), self);
  g_signal_connect_swapped (self->account_page, "edit-account", G_CALLBACK (on_page_edit_account), self);
  update_empty_state (self);

  load_demo (self);

  self->store = pf_account_store_new (NULL);
  pf_account_store_load_async (self->store, NULL, on_store_loaded, g_object_ref (self));
}
