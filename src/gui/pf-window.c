/* pf-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-page.h"
#include "pf-account-row.h"
#include "pf-account-status.h"
#include "pf-account-store.h"
#include "pf-account-window.h"
#include "pf-gui-util.h"
#include "pf-setup-window.h"
#include "pf-window.h"

struct _PfWindow
{
  AdwApplicationWindow parent_instance;

  PfScheduler     *scheduler;
  GSettings       *settings;

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
  gboolean empty = self->scheduler == NULL ||
                   g_list_model_get_n_items (pf_scheduler_get_statuses (self->scheduler)) == 0;

  gtk_stack_set_visible_child_name (self->main_stack, empty ? "empty" : "accounts");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fetch-all", !empty);
}

/* Every fetch ends in a toast while the window is open; a failed one
 * offers the account's diagnosis. The app sends the notifications. */
static void
on_fetch_finished (PfScheduler     *scheduler,
                   PfAccountStatus *status,
                   guint            count,
                   const GError    *error,
                   gboolean         periodic,
                   PfWindow        *self)
{
  PfAccount *account = pf_account_status_get_account (status);
  g_autofree char *message = NULL;

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
}

static PfAccountStatus *
find_status (PfWindow   *self,
             const char *name)
{
  return self->scheduler != NULL ? pf_scheduler_find_status (self->scheduler, name) : NULL;
}

/* The accounts changed (edited, added, removed): the scheduler keeps one
 * status per account; a page on a removed one goes back to the list. */
static void
sync_statuses (PfWindow *self)
{
  PfAccountStatus *shown = pf_account_page_get_status (self->account_page);

  pf_scheduler_sync (self->scheduler);
  update_empty_state (self);

  if (shown != NULL && !g_list_store_find (G_LIST_STORE (pf_scheduler_get_statuses (self->scheduler)),
                                           shown, NULL))
    adw_leaflet_set_visible_child_name (self->leaflet, "accounts");
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  PfWindow *self = user_data;

  return pf_account_row_new (PF_ACCOUNT_STATUS (item), self->scheduler);
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

  editor = pf_account_window_new (GTK_WINDOW (self), pf_scheduler_get_store (self->scheduler),
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

  if (pf_scheduler_get_load_error (self->scheduler) != NULL)
    {
      /* The store refuses to save over a file it could not read. */
      pf_window_show_toast (self, pf_scheduler_get_load_error (self->scheduler)->message);
      return;
    }

  setup = pf_setup_window_new (GTK_WINDOW (self), pf_scheduler_get_store (self->scheduler));
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

  /* A few at a time, never two of one mailbox: the scheduler's queue. */
  pf_scheduler_fetch_all (self->scheduler);
}

static void
fetch_account_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PfWindow *self = PF_WINDOW (widget);
  PfAccountStatus *status = find_status (self, g_variant_get_string (parameter, NULL));

  if (status != NULL)
    pf_scheduler_fetch (self->scheduler, status);
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

static void
on_scheduler_loaded (PfWindow *self)
{
  const GError *error = pf_scheduler_get_load_error (self->scheduler);

  if (error != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Accounts Could Not Be Read"));
      adw_status_page_set_description (self->empty_page, error->message);
    }
  update_empty_state (self);
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

  self->scheduler = g_object_ref (pf_application_get_scheduler (application));
  gtk_list_box_bind_model (self->accounts_list, pf_scheduler_get_statuses (self->scheduler),
                           create_account_row, self, NULL);
  g_signal_connect_object (self->scheduler, "fetch-finished", G_CALLBACK (on_fetch_finished), self, 0);
  g_signal_connect_object (pf_scheduler_get_statuses (self->scheduler), "items-changed",
                           G_CALLBACK (update_empty_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scheduler, "loaded", G_CALLBACK (on_scheduler_loaded),
                           self, G_CONNECT_SWAPPED);
  if (pf_scheduler_get_loaded (self->scheduler))
    on_scheduler_loaded (self);

  if (settings == NULL)
    return;

  self->settings = g_object_ref (settings);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               MAX (360, g_settings_get_int (self->settings, "window-width")),
                               MAX (294, g_settings_get_int (self->settings, "window-height")));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
pf_window_dispose (GObject *object)
{
  PfWindow *self = PF_WINDOW (object);

  /* The fetches belong to the app: they run on after the window closes
   * when Popfetch stays in the background, and end with the app. */
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_WINDOW);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->settings);
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
  gtk_widget_class_install_action (widget_class, "win.fetch-account", "s", fetch_account_action);
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

  g_signal_connect (self->accounts_list, "row-activated", G_CALLBACK (on_account_row_activated), self);
  g_signal_connect_swapped (self->account_page, "go-back", G_CALLBACK (on_page_go_back), self);
  g_signal_connect_swapped (self->account_page, "edit-account", G_CALLBACK (on_page_edit_account), self);
  update_empty_state (self);

  load_demo (self);
}
