/* pf-application.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-application.h"
#include "pf-gui-util.h"
#include "pf-preferences-window.h"
#include "pf-window.h"

struct _PfApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
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

static void
pf_application_activate (GApplication *app)
{
  PfWindow *window = pf_application_get_main_window (PF_APPLICATION (app));

  if (window == NULL)
    window = pf_window_new (PF_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
}

static void
pf_application_quit (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PfApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows lets running fetches cancel cleanly. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
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
};

static void
pf_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (pf_application_parent_class)->startup (app);

  /* Follow the system's light or dark preference. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
}

static void
pf_application_dispose (GObject *object)
{
  PfApplication *self = PF_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pf_application_parent_class)->dispose (object);
}

static void
pf_application_class_init (PfApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pf_application_dispose;
  app_class->activate = pf_application_activate;
  app_class->startup = pf_application_startup;
}

static void
pf_application_init (PfApplication *self)
{
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Set up POP3 accounts, diagnose failing logins and fetch mail for offline reading."));
}
