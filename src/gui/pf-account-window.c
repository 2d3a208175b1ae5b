/* pf-account-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-window.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-keyring.h"
#include "pf-oauth-sign-in.h"
#include "pf-oauth2.h"
#include "pf-setup-window.h"

struct _PfAccountWindow
{
  AdwPreferencesWindow parent_instance;

  PfAccountStore  *store;
  PfAccount       *account;       /* as saved */
  GCancellable    *cancellable;
  gboolean         setting_up;

  AdwEntryRow     *name_row;
  AdwEntryRow     *host_row;
  GtkSpinButton   *port_spin;
  AdwComboRow     *security_row;
  AdwEntryRow     *user_row;
  AdwComboRow     *mechanism_row;
  AdwComboRow     *policy_row;
  GtkSwitch       *delete_on_server_switch;
  AdwActionRow    *days_row;
  GtkSpinButton   *days_spin;
  GtkSpinButton   *size_spin;
  GtkWidget       *password_group;
  AdwPasswordEntryRow *password_row;
  AdwActionRow    *pin_row;
  GtkWidget       *sign_in_group;
  AdwActionRow    *sign_in_row;
  PfOAuthSignIn   *sign_in_again;
};

G_DEFINE_FINAL_TYPE (PfAccountWindow, pf_account_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define MB (G_GUINT64_CONSTANT (1000) * 1000)

guint64
pf_account_window_mb_to_bytes (guint megabytes)
{
  return (guint64) megabytes * MB;
}

guint
pf_account_window_bytes_to_mb (guint64 bytes)
{
  /* Round up: a limit never shows as 0 (no limit) when one is set. */
  return (guint) MIN ((bytes + MB - 1) / MB, G_MAXUINT);
}

static void
toast (PfAccountWindow *self,
       const char      *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  pf_gui_name_icon_buttons (GTK_WIDGET (self));
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PfAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A keyring error, or a journal that could not follow a new name, comes
   * after the settings were saved: say it, and the list still shows the
   * change. */
  if (!pf_account_store_update_finish (PF_ACCOUNT_STORE (source), result, &error))
    toast (self, error->message);
  if (error == NULL || pf_account_store_error_is_after_save (error))
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
save_changes (PfAccountWindow *self)
{
  g_autoptr(PfAccount) edited = NULL;
  g_autofree char *host = NULL;
  const char *old_name;

  if (self->setting_up || self->account == NULL)
    return;

  edited = pf_account_copy (self->account);
  host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));
  pf_account_set_name (edited, gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  pf_account_set_host (edited, host);
  pf_account_set_port (edited, gtk_spin_button_get_value_as_int (self->port_spin));
  pf_account_set_security (edited, pf_gui_combo_row_get_value (self->security_row));
  pf_account_set_allow_plaintext (edited, pf_gui_combo_row_get_value (self->security_row) == PF_SECURITY_NONE);
  pf_account_set_user (edited, gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  pf_account_set_mechanism (edited, pf_gui_combo_row_get_value (self->mechanism_row));
  pf_account_set_policy (edited, pf_gui_combo_row_get_value (self->policy_row));
  pf_account_set_delete_after_days (edited, gtk_spin_button_get_value_as_int (self->days_spin));
  pf_account_set_delete_on_server (edited, gtk_switch_get_active (self->delete_on_server_switch));
  pf_account_set_max_size (edited, pf_account_window_mb_to_bytes (gtk_spin_button_get_value_as_int (self->size_spin)));

  /* The accounts layer applies the rules of an edit (the pinned
   * certificate, moving the password in the keyring, and the delivery
   * journal along with a new name) and changes the
   * store at once; a refused edit leaves it as it was. */
  old_name = pf_account_get_name (self->account);
  pf_account_store_update_async (self->store, old_name, edited, NULL, on_saved, g_object_ref (self));
  if (pf_account_store_lookup (self->store, pf_account_get_name (edited)) != edited)
    return;

  g_set_object (&self->account, edited);
  if (pf_account_get_auth (edited) == PF_ACCOUNT_AUTH_OAUTH2)
    pf_oauth_sign_in_set_account (self->sign_in_again, edited);
  gtk_window_set_title (GTK_WINDOW (self), pf_account_get_name (edited));
  gtk_widget_set_visible (GTK_WIDGET (self->pin_row), pf_account_get_pinned_fingerprint (edited) != NULL);
}

static void
update_policy_rows (PfAccountWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->days_row),
                            pf_gui_combo_row_get_value (self->policy_row) == PF_FETCH_DELETE_AFTER_DAYS);
}

static void
on_policy_changed (PfAccountWindow *self)
{
  update_policy_rows (self);
  save_changes (self);
}

static void
on_field_applied (PfAccountWindow *self)
{
  save_changes (self);
}

static void
on_security_taken (gpointer user_data,
                   guint    security)
{
  save_changes (user_data);
}

static void
on_security_changed (PfAccountWindow *self)
{
  if (!self->setting_up)
    pf_gui_security_row_changed (self->security_row, on_security_taken, self);
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PfAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_keyring_store_finish (result, &error))
    toast (self, error->message);
  else
    toast (self, _("Password changed"));
}

static void
on_password_applied (PfAccountWindow *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*password == '\0')
    return;

  pf_keyring_store_async (pf_account_get_name (self->account),
                          pf_account_get_host (self->account),
                          pf_account_get_user (self->account),
                          password, NULL, on_password_stored, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static gboolean
is_goa (PfAccount *account)
{
  return g_strcmp0 (pf_account_get_oauth2_source (account), PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0;
}

/* ---- How an OAuth2 account signs in ---------------------------------------- */

static void
on_signed_in_again_saved (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PfAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_oauth_sign_in_save_finish (PF_OAUTH_SIGN_IN (source), result, &error))
    {
      toast (self, error->message);
      return;
    }
  toast (self, _("Signed in again"));
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The same sign-in as the account page's Sign In Again: the new refresh
 * token replaces the old one in the keyring. */
static void
on_signed_in_again (PfAccountWindow *self)
{
  pf_oauth_sign_in_save_async (self->sign_in_again, self->account, NULL,
                               on_signed_in_again_saved, g_object_ref (self));
}

static void
on_sign_in_again_failed (PfAccountWindow *self,
                         const GError    *error)
{
  g_autoptr(PfExplanation) explanation = pf_account_explain_error (self->account, error);

  toast (self, explanation->title);
}

/* Where the sign-in of an OAuth2 account comes from, in words: it takes
 * the place of the password controls, which mean nothing there. */
static void
show_sign_in (PfAccountWindow *self)
{
  PfAccount *account = self->account;
  gboolean oauth2 = pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2;
  const char *source = pf_account_get_oauth2_source (account);
  const PfOAuth2Provider *provider = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  gtk_widget_set_visible (self->password_group, !oauth2);
  gtk_widget_set_visible (GTK_WIDGET (self->mechanism_row), !oauth2);
  gtk_widget_set_visible (self->sign_in_group, oauth2);
  if (!oauth2)
    return;

  if (source != NULL && !is_goa (account))
    provider = pf_oauth2_lookup_provider (source);

  if (is_goa (account))
    {
      title = g_strdup (_("GNOME Online Accounts sign-in"));
      subtitle = g_strdup (_("Manage this sign-in in Settings → Online Accounts."));
    }
  else if (provider != NULL && g_strcmp0 (provider->name, "microsoft") == 0)
    title = g_strdup (_("Signed in with Microsoft"));
  else if (provider != NULL && g_strcmp0 (provider->name, "google") == 0)
    title = g_strdup (_("Signed in with Google"));
  else if (provider != NULL)
    /* Translators: %s is an OAuth2 provider, such as “Yahoo” */
    title = g_strdup_printf (_("Signed in with %s"), provider->display_name);
  else
    {
      title = g_strdup (_("Signed in through your organization’s app registration"));
      /* Translators: the two addresses of an organization's own OAuth2 sign-in */
      subtitle = g_strdup_printf (_("Sign-in page: %s\nToken endpoint: %s"),
                                  pf_account_get_oauth2_authorize_url (account) ?: _("not set"),
                                  pf_account_get_oauth2_token_url (account) ?: _("not set"));
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->sign_in_row), title);
  adw_action_row_set_subtitle (self->sign_in_row, subtitle ? subtitle : "");
  /* GNOME Online Accounts renews its own sign-in, in Settings. */
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_again), !is_goa (account));
  pf_oauth_sign_in_set_account (self->sign_in_again, account);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PfAccountWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The account goes even when the keyring is away; say so. */
  if (!pf_account_store_remove_finish (PF_ACCOUNT_STORE (source), result, &error))
    g_warning ("%s", error->message);

  g_signal_emit (self, signals[CHANGED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PfAccountWindow  *self)
{
  if (g_strcmp0 (response, "remove") != 0)
    return;

  /* The accounts layer keeps a password another account still uses. */
  pf_account_store_remove_async (self->store, pf_account_get_name (self->account),
                                 NULL, on_removed, g_object_ref (self));
}

static void
on_remove_clicked (PfAccountWindow *self)
{
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;

  /* Translators: %s is an account name */
  heading = g_strdup_printf (_("Remove %s?"), pf_account_get_name (self->account));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  if (pf_account_get_auth (self->account) != PF_ACCOUNT_AUTH_OAUTH2)
    adw_message_dialog_set_body (dialog,
                                 _("The account’s settings and its password in the keyring are removed. "
                                   "Messages already downloaded stay in the mail folder."));
  else if (is_goa (self->account))
    adw_message_dialog_set_body (dialog,
                                 _("The account’s settings are removed; its sign-in stays in Settings → "
                                   "Online Accounts. Messages already downloaded stay in the mail folder."));
  else
    adw_message_dialog_set_body (dialog,
                                 _("The account’s settings and its sign-in in the keyring are removed. "
                                   "Messages already downloaded stay in the mail folder."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("Cancel"),
                                    "remove", _("Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  pf_gui_name_icon_buttons (GTK_WIDGET (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_forget_pin_clicked (PfAccountWindow *self)
{
  pf_account_set_pinned_fingerprint (self->account, NULL);
  self->setting_up = FALSE;
  save_changes (self);
}

static void
show_account (PfAccountWindow *self)
{
  PfAccount *account = self->account;
  const char *pin = pf_account_get_pinned_fingerprint (account);

  self->setting_up = TRUE;
  gtk_window_set_title (GTK_WINDOW (self), pf_account_get_name (account));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), pf_account_get_name (account));
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), pf_account_get_host (account) ?: "");
  gtk_spin_button_set_value (self->port_spin, pf_account_get_port (account));
  pf_gui_security_row_set (self->security_row, pf_account_get_security (account));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), pf_account_get_user (account) ?: "");
  pf_gui_combo_row_set_value (self->mechanism_row, pf_account_get_mechanism (account));
  pf_gui_combo_row_set_value (self->policy_row, pf_account_get_policy (account));
  gtk_spin_button_set_value (self->days_spin, MAX (1, pf_account_get_delete_after_days (account)));
  gtk_switch_set_active (self->delete_on_server_switch, pf_account_get_delete_on_server (account));
  gtk_spin_button_set_value (self->size_spin, pf_account_window_bytes_to_mb (pf_account_get_max_size (account)));
  gtk_widget_set_visible (GTK_WIDGET (self->pin_row), pin != NULL);
  if (pin != NULL)
    adw_action_row_set_subtitle (self->pin_row, pin);
  update_policy_rows (self);
  show_sign_in (self);
  self->setting_up = FALSE;
}

PfAccountWindow *
pf_account_window_new (GtkWindow      *parent,
                       PfAccountStore *store,
                       PfAccount      *account)
{
  PfAccountWindow *self;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (PF_IS_ACCOUNT (account), NULL);

  self = g_object_new (PF_TYPE_ACCOUNT_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->account = pf_account_copy (account);
  show_account (self);

  return self;
}

/* Scrolls the page so that @widget is in view (centred when it was not). */
static void
scroll_into_view (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double x, y, height, page;

  if (scrolled == NULL || !gtk_widget_translate_coordinates (widget, scrolled, 0, 0, &x, &y))
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  height = gtk_widget_get_height (widget);
  page = gtk_adjustment_get_page_size (adjustment);
  if (y >= 0 && y + height <= page)
    return;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - (page - height) / 2);
}

static gboolean
focus_password_now (gpointer user_data)
{
  PfAccountWindow *self = user_data;

  /* An OAuth2 account has no password: its Sign In Again stands there. */
  if (pf_account_get_auth (self->account) == PF_ACCOUNT_AUTH_OAUTH2)
    {
      gtk_widget_child_focus (GTK_WIDGET (self->sign_in_again), GTK_DIR_TAB_FORWARD);
      scroll_into_view (self->sign_in_group);
      return G_SOURCE_REMOVE;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  scroll_into_view (GTK_WIDGET (self->password_row));
  return G_SOURCE_REMOVE;
}

static void
on_mapped_focus_password (PfAccountWindow *self)
{
  g_signal_handlers_disconnect_by_func (self, on_mapped_focus_password, NULL);
  /* After the first layout (idles of low priority run after it): the row
   * must have its place for the page to scroll to it. */
  g_idle_add_full (G_PRIORITY_LOW, focus_password_now, g_object_ref (self), g_object_unref);
}

/* The password row is far down the window: focus it and scroll it into
 * view, once the window is shown and laid out. */
void
pf_account_window_focus_password (PfAccountWindow *self)
{
  g_return_if_fail (PF_IS_ACCOUNT_WINDOW (self));

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    on_mapped_focus_password (self);
  else
    g_signal_connect (self, "map", G_CALLBACK (on_mapped_focus_password), NULL);
}

static void
pf_account_window_dispose (GObject *object)
{
  PfAccountWindow *self = PF_ACCOUNT_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pf_account_window_parent_class)->dispose (object);
}

static void
pf_account_window_class_init (PfAccountWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_account_window_dispose;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (PF_TYPE_OAUTH_SIGN_IN);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-account-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, security_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, mechanism_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, policy_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, delete_on_server_switch);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, days_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, days_spin);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, size_spin);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, password_group);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, pin_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, sign_in_group);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, sign_in_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountWindow, sign_in_again);
  gtk_widget_class_bind_template_callback (widget_class, on_field_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_policy_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_security_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_forget_pin_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_signed_in_again);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_again_failed);
}

static void
pf_account_window_init (PfAccountWindow *self)
{
  self->setting_up = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  pf_gui_combo_row_set_enum (self->security_row, PF_TYPE_SECURITY, pf_gui_security_label);
  pf_gui_combo_row_set_enum (self->policy_row, PF_TYPE_FETCH_POLICY, pf_gui_policy_label);
  pf_gui_mechanism_row_init (self->mechanism_row);
  pf_gui_name_icon_buttons (GTK_WIDGET (self));
  self->setting_up = FALSE;
}
