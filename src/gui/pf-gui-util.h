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

/* Runs with each security choice the user takes on a security row. */
typedef void (*PfGuiSecurityTaken) (gpointer user_data,
                                    guint    security);

/* Call from a security row's notify::selected handler: a choice other than
 * PF_SECURITY_NONE is taken at once; PF_SECURITY_NONE only once the user
 * confirms pf_gui_plaintext_dialog_new(), and declining puts the choice
 * taken before back (without calling @taken). */
void        pf_gui_security_row_changed (AdwComboRow        *row,
                                         PfGuiSecurityTaken  taken,
                                         gpointer            user_data);

/* Shows @security on @row as the account's own setting, not a choice:
 * no confirmation, and the choice to go back to when one is declined. */
void        pf_gui_security_row_set     (AdwComboRow        *row,
                                         guint               security);

/* The translated name of an enum value, for a combo row. */
typedef const char *(*PfGuiEnumLabel) (int value);

/* Feed @row from the values of the enum @type (an AdwEnumListModel, in the
 * enum's order), each shown as @label names it: the row's choices are the
 * enum's, with no index table to keep in step with a .ui file. */
void        pf_gui_combo_row_set_enum    (AdwComboRow    *row,
                                          GType           type,
                                          PfGuiEnumLabel  label);
/* The enum value chosen on such a row, and choosing one (the row's model
 * may hold only some of the enum's values, in any order). */
int         pf_gui_combo_row_get_value   (AdwComboRow    *row);
void        pf_gui_combo_row_set_value   (AdwComboRow    *row,
                                          int             value);

/* The translated names of security, policy and login method values. */
const char *pf_gui_security_label    (int security);
const char *pf_gui_policy_label      (int policy);
const char *pf_gui_mechanism_label   (int mechanism);
/* Whether a login method is one to choose for a password account. */
gboolean    pf_gui_mechanism_is_offered (int mechanism);
/* Feed a login-method row from PfAuthMechanism: the methods a password
 * account may choose, "automatic" first, then strongest first. */
void        pf_gui_mechanism_row_init (AdwComboRow *row);

/* Pure: the accessible name for an icon-only button, or NULL. */
const char *pf_gui_icon_button_name  (const char *icon_name);

G_END_DECLS
