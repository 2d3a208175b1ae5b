/* pf-application.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-application.h"
#include "pf-autostart.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-preferences-window.h"
#include "pf-window.h"

struct _PfApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  PfScheduler    *scheduler;
  GCancellable   *cancellable;

  gboolean        start_hidden; /* --background: no window this time */
  gboolean        held;         /* running on without a window */
  gboolean        quitting;
};

G_DEFINE_FINAL_TYPE (PfApplication, pf_application, ADW_TYPE_APPLICATION)

PfApplication *
pf_application_new (void)
{
  return g_object_new (PF_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/popfetch/Popfetch",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/* The schema is installed with the app; a build run uninstalled may lack
 * it, and GSettings aborts on an unknown schema, so look it up first. */
GSettings *
pf_application_get_settings (PfApplication *self)
{
  g_return_val_if_fail (PF_IS_APPLICATION (self), NULL);

  if (self->settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      if (schema != NULL)
        self->settings = g_settings_new_full (schema, NULL, NULL);
      else
        g_debug ("GSettings schema %s not installed; preferences are not kept", APP_ID);
    }

  return self->settings;
}

static PfWindow *
pf_application_get_main_window (PfApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (PF_IS_WINDOW (l->data))
      return l->data;

  return PF_IS_WINDOW (window) ? PF_WINDOW (window) : NULL;
}

PfScheduler *
pf_application_get_scheduler (PfApplication *self)
{
  g_return_val_if_fail (PF_IS_APPLICATION (self), NULL);

  if (self->scheduler == NULL)
    self->scheduler = pf_scheduler_new (pf_application_get_settings (self));
  return self->scheduler;
}

static gboolean
runs_in_background (PfApplication *self)
{
  GSettings *settings = pf_application_get_settings (self);

  return settings != NULL && g_settings_get_boolean (settings, "run-in-background");
}

/* With "Fetch in the background" on, Popfetch keeps running when its
 * last window closes; turned off, it ends with its last window (or at
 * once, if none is open). */
static void
update_hold (PfApplication *self)
{
  gboolean want = runs_in_background (self) && !self->quitting;

  if (want && !self->held)
    g_application_hold (G_APPLICATION (self));
  else if (!want && self->held)
    g_application_release (G_APPLICATION (self));
  self->held = want;
}

static void
on_autostart_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PfApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_autostart_set_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      PfWindow *window = pf_application_get_main_window (self);

      g_warning ("Starting at login: %s", error->message);
      if (window != NULL)
        pf_window_show_toast (window, error->message);
    }
}

static void
on_run_in_background_changed (PfApplication *self)
{
  /* Starting at login follows the switch, both ways. */
  pf_autostart_set_async (runs_in_background (self), self->cancellable,
                          on_autostart_set, g_object_ref (self));
  update_hold (self);
}

static gboolean
window_is_active (PfApplication *self)
{
  PfWindow *window = pf_application_get_main_window (self);

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) &&
         gtk_window_is_active (GTK_WINDOW (window));
}

static void
on_fetch_finished (PfScheduler     *scheduler,
                   PfAccountStatus *status,
                   guint            count,
                   const GError    *error,
                   gboolean         periodic,
                   PfApplication   *self)
{
  const char *name = pf_account_get_name (pf_account_status_get_account (status));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  if (error != NULL || count == 0 || window_is_active (self) ||
      (self->settings != NULL && !g_settings_get_boolean (self->settings, "notify-new-mail")))
    return;

  /* Translators: %u is a count, %s an account name */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u new message for %s",
                                       "%u new messages for %s", count),
                          count, name);
  id = g_strdup_printf ("new-mail-%s", name);
  notification = g_notification_new (_("New Mail"));
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-account", "s", name);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* A periodic fetch failed in a way worth an interruption: say which
 * account and what went wrong; a click opens its diagnosis. */
static void
on_needs_attention (PfScheduler     *scheduler,
                    PfAccountStatus *status,
                    const GError    *error,
                    PfApplication   *self)
{
  const char *name = pf_account_get_name (pf_account_status_get_account (status));
  g_autoptr(PfExplanation) explanation = pf_error_explain (error);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;

  if (window_is_active (self))
    return;

  /* Translators: %s is an account name */
  title = g_strdup_printf (_("Fetching %s failed"), name);
  id = g_strdup_printf ("failed-%s", name);
  notification = g_notification_new (title);
  g_notification_set_body (notification, explanation->what);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-account", "s", name);
  g_notification_add_button_with_target (notification, _("Details"), "app.show-account", "s", name);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
pf_application_activate (GApplication *app)
{
  PfApplication *self = PF_APPLICATION (app);
  PfWindow *window;

  if (self->start_hidden)
    {
      /* popfetch --background: fetch on the interval, show nothing. */
      self->start_hidden = FALSE;
      return;
    }

  window = pf_application_get_main_window (self);
  if (window == NULL)
    window = pf_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
}

/* The first time the window closes with the app staying behind, say so
 * once: the user may not expect a program without a window to run on. */
static void
pf_application_window_removed (GtkApplication *app,
                               GtkWindow      *window)
{
  PfApplication *self = PF_APPLICATION (app);

  GTK_APPLICATION_CLASS (pf_application_parent_class)->window_removed (app, window);

  if (!PF_IS_WINDOW (window) || self->quitting || !runs_in_background (self) ||
      g_settings_get_boolean (self->settings, "background-notice-shown"))
    return;

  {
    g_autoptr(GNotification) notification = g_notification_new (_("Popfetch Is Running in the Background"));

    g_notification_set_body (notification,
                             _("New mail is still fetched while the window is closed. To stop Popfetch, open it and choose Quit in the main menu."));
    g_notification_set_default_action (notification, "app.activate");
    g_application_send_notification (G_APPLICATION (self), "background", notification);
    g_settings_set_boolean (self->settings, "background-notice-shown", TRUE);
  }
}

static void
pf_application_activate_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

/* popfetch --background: start without a window (at login, say); when
 * Popfetch already runs, leave it as it is. */
static int
pf_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PfApplication *self = PF_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_contains (options, "background"))
    return -1;

  if (!runs_in_background (self))
    {
      g_printerr ("%s\n", _("Fetching in the background is off in Popfetch’s preferences."));
      return 0;
    }
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (g_application_get_is_remote (app))
    return 0;

  self->start_hidden = TRUE;
  return -1;
}

static void
pf_application_quit (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PfApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Quit ends a background run too. */
  self->quitting = TRUE;
  update_hold (self);

  /* Closing the windows and the scheduler lets running fetches cancel
   * cleanly. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
  if (self->scheduler != NULL)
    pf_scheduler_cancel_all (self->scheduler);
  g_application_quit (G_APPLICATION (self));
}

static void
pf_application_about (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  PfApplication *self = user_data;
  static const char *developers[] = { "The Popfetch authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", pf_application_get_main_window (self),
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("Popfetch"),
                        "developer-name", _("The Popfetch authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Set up POP3 accounts, find out why a login fails, and fetch mail into a local Maildir for offline reading."),
                        "website", "https://github.com/popfetch/popfetch",
                        "issue-url", "https://github.com/popfetch/popfetch/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Popfetch authors",
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  pf_gui_name_icon_buttons (about);
  gtk_window_present (GTK_WINDOW (about));
}

static void
pf_application_preferences (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  PfApplication *self = user_data;
  PfPreferencesWindow *prefs;

  prefs = pf_preferences_window_new (self);
  gtk_window_set_transient_for (GTK_WINDOW (prefs),
                                GTK_WINDOW (pf_application_get_main_window (self)));
  gtk_window_present (GTK_WINDOW (prefs));
}

/* The action of a new-mail notification: the window, on that account. */
static void
pf_application_show_account (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PfApplication *self = user_data;
  PfWindow *window = pf_application_get_main_window (self);

  if (window == NULL)
    window = pf_window_new (self);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.show-account", parameter);
}

static const GActionEntry app_actions[] = {
  { "quit", pf_application_quit, NULL, NULL, NULL },
  { "show-account", pf_application_show_account, "s", NULL, NULL },
  { "about", pf_application_about, NULL, NULL, NULL },
  { "preferences", pf_application_preferences, NULL, NULL, NULL },
  { "activate", pf_application_activate_action, NULL, NULL, NULL },
};

static void
pf_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  PfApplication *self = PF_APPLICATION (app);

  G_APPLICATION_CLASS (pf_application_parent_class)->startup (app);

  /* Follow the system's light or dark preference. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);

  /* The accounts live as long as the app, window or not. */
  g_signal_connect_object (pf_application_get_scheduler (self), "fetch-finished",
                           G_CALLBACK (on_fetch_finished), self, 0);
  g_signal_connect_object (self->scheduler, "needs-attention",
                           G_CALLBACK (on_needs_attention), self, 0);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::run-in-background",
                             G_CALLBACK (on_run_in_background_changed), self, G_CONNECT_SWAPPED);
  update_hold (self);
}

static void
pf_application_dispose (GObject *object)
{
  PfApplication *self = PF_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pf_application_parent_class)->dispose (object);
}

static void
pf_application_class_init (PfApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = pf_application_dispose;
  app_class->activate = pf_application_activate;
  app_class->startup = pf_application_startup;
  app_class->handle_local_options = pf_application_handle_local_options;
  gtk_app_class->window_removed = pf_application_window_removed;
}

static void
pf_application_init (PfApplication *self)
{
  static const GOptionEntry options[] = {
    { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start without a window and fetch mail in the background"), NULL },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Set up POP3 accounts, diagnose failing logins and fetch mail for offline reading."));
}
