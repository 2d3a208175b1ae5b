/* pf-preferences-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-gui-util.h"
#include "pf-preferences-window.h"

struct _PfPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *interval_row;
  GtkSwitch            *notify_switch;
  GtkSwitch            *background_switch;
  GtkSwitch            *metered_switch;
};

G_DEFINE_FINAL_TYPE (PfPreferencesWindow, pf_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* Must match the string list of interval_row in the .ui file. */
static const guint interval_choices[] = { 0, 5, 15, 30, 60, 120 };

guint
pf_preferences_interval_to_index (guint minutes)
{
  guint best = 0;

  /* The nearest choice at or below the stored value, so a value set by
   * hand (gsettings set … 10) shows as the next shorter interval. */
  for (guint i = 0; i < G_N_ELEMENTS (interval_choices); i++)
    if (interval_choices[i] <= minutes)
      best = i;

  return best;
}

guint
pf_preferences_index_to_interval (guint index)
{
  if (index >= G_N_ELEMENTS (interval_choices))
    return 0;
  return interval_choices[index];
}

static void
on_interval_selected (PfPreferencesWindow *self)
{
  guint minutes = pf_preferences_index_to_interval (adw_combo_row_get_selected (self->interval_row));

  if (self->settings != NULL &&
      g_settings_get_uint (self->settings, "fetch-interval") != minutes)
    g_settings_set_uint (self->settings, "fetch-interval", minutes);
}

PfPreferencesWindow *
pf_preferences_window_new (PfApplication *application)
{
  PfPreferencesWindow *self;
  GSettings *settings;

  g_return_val_if_fail (PF_IS_APPLICATION (application), NULL);

  self = g_object_new (PF_TYPE_PREFERENCES_WINDOW, "modal", TRUE, NULL);

  settings = pf_application_get_settings (application);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      adw_combo_row_set_selected (self->interval_row,
                                  pf_preferences_interval_to_index (g_settings_get_uint (settings, "fetch-interval")));
      g_settings_bind (settings, "notify-new-mail", self->notify_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "run-in-background", self->background_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "fetch-on-metered", self->metered_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->interval_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->notify_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->background_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->metered_switch), FALSE);
    }

  g_signal_connect_swapped (self->interval_row, "notify::selected",
                            G_CALLBACK (on_interval_selected), self);

  return self;
}

static void
pf_preferences_window_dispose (GObject *object)
{
  PfPreferencesWindow *self = PF_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pf_preferences_window_parent_class)->dispose (object);
}

static void
pf_preferences_window_class_init (PfPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfPreferencesWindow, interval_row);
  gtk_widget_class_bind_template_child (widget_class, PfPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, PfPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, PfPreferencesWindow, metered_switch);
}

static void
pf_preferences_window_init (PfPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pf_gui_name_icon_buttons (GTK_WIDGET (self));
}
