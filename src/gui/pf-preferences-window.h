/* pf-preferences-window.h
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-application.h"

G_BEGIN_DECLS

#define PF_TYPE_PREFERENCES_WINDOW (pf_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PfPreferencesWindow, pf_preferences_window, PF, PREFERENCES_WINDOW, AdwPreferencesWindow)

PfPreferencesWindow *pf_preferences_window_new (PfApplication *application);

/* Pure: the choices of the interval row and back. */
guint                pf_preferences_interval_to_index (guint minutes);
guint                pf_preferences_index_to_interval (guint index);

G_END_DECLS
