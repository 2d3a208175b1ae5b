/* pf-application.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-application.h"
#include "pf-window.h"

struct _PfApplication
{
  AdwApplication parent_instance;
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

static void
pf_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (pf_window_new (PF_APPLICATION (app)));
  gtk_window_present (window);
}

static void
pf_application_quit (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", pf_application_quit, NULL, NULL, NULL },
};

static void
pf_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (pf_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
pf_application_class_init (PfApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = pf_application_activate;
  app_class->startup = pf_application_startup;
}

static void
pf_application_init (PfApplication *self)
{
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Set up POP3 accounts, diagnose failing logins and fetch mail for offline reading."));
}
