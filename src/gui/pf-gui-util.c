/* pf-gui-util.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-fetcher.h"
#include "pf-gui-util.h"
#include "pf-pop3-client.h"

AdwMessageDialog *
pf_gui_plaintext_dialog_new (GtkWindow *parent)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Send Your Password Unencrypted?"), NULL));
  adw_message_dialog_set_body (dialog,
                               _("Without encryption your password and your mail cross the network "
                                 "readable. Anyone on the same network, or on the way to the server, "
                                 "can read them and take over the account. Choose this only for a "
                                 "server on your own computer or a network you fully control."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("Keep Encryption"),
                                    "plaintext", _("Send Unencrypted"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "plaintext", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  pf_gui_name_icon_buttons (GTK_WIDGET (dialog));

  return dialog;
}

/* What a security row keeps: the choice taken last (plus one: 0 is unset)
 * and whether the row is being set rather than chosen. */
#define SECURITY_TAKEN "pf-gui-security-taken"
#define SECURITY_SETTING "pf-gui-security-setting"

typedef struct
{
  AdwComboRow        *row;
  PfGuiSecurityTaken  taken;
  gpointer            user_data;
} SecurityChoice;

static void
security_choice_free (gpointer data,
                      GClosure *closure)
{
  SecurityChoice *choice = data;

  g_clear_weak_pointer (&choice->row);
  g_free (choice);
}

void
pf_gui_security_row_set (AdwComboRow *row,
                         guint        security)
{
  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  g_object_set_data (G_OBJECT (row), SECURITY_TAKEN, GUINT_TO_POINTER (security + 1));
  g_object_set_data (G_OBJECT (row), SECURITY_SETTING, GINT_TO_POINTER (TRUE));
  pf_gui_combo_row_set_value (row, security);
  g_object_set_data (G_OBJECT (row), SECURITY_SETTING, NULL);
}

static void
on_plaintext_confirmed (AdwMessageDialog *dialog,
                        const char       *response,
                        SecurityChoice   *choice)
{
  guint previous;

  if (choice->row == NULL)
    return;

  if (g_strcmp0 (response, "plaintext") == 0)
    {
      g_object_set_data (G_OBJECT (choice->row), SECURITY_TAKEN, GUINT_TO_POINTER (PF_SECURITY_NONE + 1));
      choice->taken (choice->user_data, PF_SECURITY_NONE);
      return;
    }

  previous = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (choice->row), SECURITY_TAKEN));
  pf_gui_security_row_set (choice->row, previous > 0 ? previous - 1 : PF_SECURITY_TLS);
}

void
pf_gui_security_row_changed (AdwComboRow        *row,
                             PfGuiSecurityTaken  taken,
                             gpointer            user_data)
{
  guint security;
  AdwMessageDialog *dialog;
  SecurityChoice *choice;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));
  g_return_if_fail (taken != NULL);

  if (g_object_get_data (G_OBJECT (row), SECURITY_SETTING) != NULL)
    return;

  security = pf_gui_combo_row_get_value (row);
  if (security != PF_SECURITY_NONE)
    {
      g_object_set_data (G_OBJECT (row), SECURITY_TAKEN, GUINT_TO_POINTER (security + 1));
      taken (user_data, security);
      return;
    }

  choice = g_new0 (SecurityChoice, 1);
  g_set_weak_pointer (&choice->row, row);
  choice->taken = taken;
  choice->user_data = user_data;
  dialog = pf_gui_plaintext_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (row))));
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_plaintext_confirmed),
                         choice, security_choice_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

const char *
pf_gui_icon_button_name (const char *icon_name)
{
  if (icon_name == NULL)
    return NULL;
  if (g_str_equal (icon_name, "view-reveal-symbolic") || g_str_equal (icon_name, "view-conceal-symbolic"))
    return _("Show Password");
  if (g_str_equal (icon_name, "window-close-symbolic"))
    return _("Close");
  if (g_str_equal (icon_name, "object-select-symbolic"))
    return _("Apply");
  if (g_str_equal (icon_name, "edit-find-symbolic"))
    return _("Search");
  if (g_str_equal (icon_name, "go-previous-symbolic"))
    return _("Back");
  return NULL;
}

static void
on_toast_overlay_children_changed (GtkWidget  *overlay,
                                   guint       position,
                                   guint       removed,
                                   guint       added,
                                   GListModel *children)
{
  if (added > 0)
    pf_gui_name_icon_buttons (overlay);
}

/* A toast added while another one shows gets its widget only when its
 * turn comes: name its buttons then. */
static void
watch_toast_overlay (GtkWidget *overlay)
{
  GListModel *children;

  if (g_object_get_data (G_OBJECT (overlay), "pf-toast-children") != NULL)
    return;

  children = gtk_widget_observe_children (overlay);
  g_signal_connect_object (children, "items-changed",
                           G_CALLBACK (on_toast_overlay_children_changed), overlay, G_CONNECT_SWAPPED);
  g_object_set_data_full (G_OBJECT (overlay), "pf-toast-children", children, g_object_unref);
}

void
pf_gui_name_icon_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (ADW_IS_TOAST_OVERLAY (root))
    watch_toast_overlay (root);

  if (GTK_IS_BUTTON (root))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (root));
      const char *icon = NULL;

      if (GTK_IS_IMAGE (child))
        icon = gtk_image_get_icon_name (GTK_IMAGE (child));
      else if (child == NULL || GTK_IS_IMAGE (gtk_widget_get_first_child (root)))
        icon = gtk_button_get_icon_name (GTK_BUTTON (root));
      if (pf_gui_icon_button_name (icon) != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        pf_gui_icon_button_name (icon), -1);
      /* GTK 4.8 names a button from its own label only, not from a label
       * widget put inside it (the About window's version button). */
      else if (GTK_IS_LABEL (child) && gtk_button_get_label (GTK_BUTTON (root)) == NULL &&
               *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_label_get_text (GTK_LABEL (child)), -1);
      /* A mnemonic label (a message dialog's responses, a toast's button)
       * makes GTK 4.8 name its button twice, "Remove Remove": once from the
       * button's label and once from the label that is "labelled-by". */
      else if (GTK_IS_LABEL (child) &&
               gtk_label_get_mnemonic_widget (GTK_LABEL (child)) == root &&
               *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        {
          gtk_accessible_reset_relation (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
          gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          gtk_label_get_text (GTK_LABEL (child)), -1);
        }
    }

  /* A menu button with neither label nor icon (the section menu of the
   * shortcuts window) shows only an arrow: its inner button needs a name. */
  if (GTK_IS_MENU_BUTTON (root) &&
      gtk_menu_button_get_label (GTK_MENU_BUTTON (root)) == NULL &&
      gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (root)) == NULL &&
      GTK_IS_BUTTON (gtk_widget_get_first_child (root)))
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (root)),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Menu"), -1);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    pf_gui_name_icon_buttons (child);
}

static char *
enum_item_label (AdwEnumListItem *item,
                 gpointer         user_data)
{
  PfGuiEnumLabel label = (PfGuiEnumLabel) user_data;

  return g_strdup (label (adw_enum_list_item_get_value (item)));
}

void
pf_gui_combo_row_set_enum (AdwComboRow    *row,
                           GType           type,
                           PfGuiEnumLabel  label)
{
  g_autoptr(AdwEnumListModel) model = NULL;
  GtkExpression *expression;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));
  g_return_if_fail (G_TYPE_IS_ENUM (type));
  g_return_if_fail (label != NULL);

  model = adw_enum_list_model_new (type);
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (enum_item_label), (gpointer) label, NULL);
  adw_combo_row_set_expression (row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

int
pf_gui_combo_row_get_value (AdwComboRow *row)
{
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (ADW_IS_COMBO_ROW (row), 0);

  item = g_list_model_get_item (adw_combo_row_get_model (row), adw_combo_row_get_selected (row));
  g_return_val_if_fail (ADW_IS_ENUM_LIST_ITEM (item), 0);
  return adw_enum_list_item_get_value (ADW_ENUM_LIST_ITEM (item));
}

void
pf_gui_combo_row_set_value (AdwComboRow *row,
                            int          value)
{
  GListModel *model;
  guint n;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  /* The model may be the enum's values filtered and sorted: look. */
  model = adw_combo_row_get_model (row);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwEnumListItem) item = g_list_model_get_item (model, i);

      if (adw_enum_list_item_get_value (item) == value)
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }
}

const char *
pf_gui_security_label (int security)
{
  switch ((PfSecurity) security)
    {
    case PF_SECURITY_TLS:
      return _("TLS");
    case PF_SECURITY_STARTTLS:
      return _("STARTTLS");
    case PF_SECURITY_NONE:
      return _("None (unsafe)");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
pf_gui_policy_label (int policy)
{
  switch ((PfFetchPolicy) policy)
    {
    case PF_FETCH_KEEP:
      return _("Keep on the server");
    case PF_FETCH_DELETE:
      return _("Delete from the server");
    case PF_FETCH_DELETE_AFTER_DAYS:
      return _("Delete after some days");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
pf_gui_mechanism_label (int mechanism)
{
  switch ((PfAuthMechanism) mechanism)
    {
    case PF_AUTH_AUTO:
      return _("Automatic (strongest offered)");
    case PF_AUTH_USER:
      return _("USER/PASS");
    default:
      return pf_auth_mechanism_to_string ((PfAuthMechanism) mechanism);
    }
}

gboolean
pf_gui_mechanism_is_offered (int mechanism)
{
  /* -PLUS is chosen by "automatic" when the connection allows a binding;
   * the OAuth2 mechanisms take a token, not the password this row is for. */
  switch ((PfAuthMechanism) mechanism)
    {
    case PF_AUTH_SCRAM_SHA_1_PLUS:
    case PF_AUTH_SCRAM_SHA_256_PLUS:
    case PF_AUTH_XOAUTH2:
    case PF_AUTH_OAUTHBEARER:
      return FALSE;
    default:
      return TRUE;
    }
}

static gboolean
keep_offered_mechanism (gpointer item,
                        gpointer user_data)
{
  return pf_gui_mechanism_is_offered (adw_enum_list_item_get_value (item));
}

/* "Automatic" first, then strongest first: the enum runs weakest first. */
static int
compare_mechanisms (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  int first = adw_enum_list_item_get_value ((AdwEnumListItem *) a);
  int second = adw_enum_list_item_get_value ((AdwEnumListItem *) b);

  if (first == PF_AUTH_AUTO || second == PF_AUTH_AUTO)
    return first == PF_AUTH_AUTO ? (second == PF_AUTH_AUTO ? 0 : -1) : 1;
  return second - first;
}

void
pf_gui_mechanism_row_init (AdwComboRow *row)
{
  g_autoptr(AdwEnumListModel) values = NULL;
  GtkFilterListModel *offered;
  GtkSortListModel *sorted;
  GtkExpression *expression;

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  values = adw_enum_list_model_new (PF_TYPE_AUTH_MECHANISM);
  offered = gtk_filter_list_model_new (G_LIST_MODEL (g_steal_pointer (&values)),
                                       GTK_FILTER (gtk_custom_filter_new (keep_offered_mechanism, NULL, NULL)));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (offered),
                                    GTK_SORTER (gtk_custom_sorter_new (compare_mechanisms, NULL, NULL)));
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (enum_item_label),
                                            (gpointer) pf_gui_mechanism_label, NULL);
  adw_combo_row_set_expression (row, expression);
  gtk_expression_unref (expression);
  adw_combo_row_set_model (row, G_LIST_MODEL (sorted));
  g_object_unref (sorted);
}
