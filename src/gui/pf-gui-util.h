/* pf-gui-util.h — small helpers the app's widgets share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Give the buttons that libadwaita and GTK build inside their widgets (the
 * password peek, a toast's close button, an entry row's apply button, the
 * About window's version) an accessible name: from their icon, or from the
 * label widget inside them; a button with a mnemonic label (dialog
 * responses, toast buttons) is named once instead of twice. Buttons of
 * other icons are left alone. */
void        pf_gui_name_icon_buttons (GtkWidget  *root);

/* The confirmation a user must give before "no encryption": responses
 * "cancel" (the default) and "plaintext". */
AdwMessageDialog *pf_gui_plaintext_dialog_new (GtkWindow *parent);

/* Pure: the accessible name for an icon-only button, or NULL. */
const char *pf_gui_icon_button_name  (const char *icon_name);

G_END_DECLS
