/* pf-setup-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pf-certificate-view.h"
#include "pf-demo.h"
#include "pf-detector.h"
#include "pf-diagnosis.h"
#include "pf-diagnosis-view.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-keyring.h"
#include "pf-provider-hints.h"
#include "pf-oauth-sign-in.h"
#include "pf-setup-choice-page.h"
#include "pf-setup-detect-page.h"
#include "pf-setup-window.h"

struct _PfSetupWindow
{
  AdwWindow          parent_instance;

  PfAccountStore    *store;
  PfAccount         *draft;
  char              *password;
  PfCredentials     *oauth_credentials;  /* signed in with OAuth2 instead */
  GCancellable      *cancellable;
  PfDemo            *demo;
  PfDetector        *detector;
  PfLoginTest       *login_test;
  PfDiagnosis       *diagnosis;
  char              *back_page;
  gboolean           try_user_forms;   /* detected settings: try address, then local part */

  AdwToastOverlay   *toast_overlay;
  GtkStack          *stack;
  GtkButton         *back_button;

  /* credentials */
  AdwEntryRow       *address_row;
  AdwPasswordEntryRow *password_row;
  PfProviderHints   *provider_hints;
  GtkButton         *find_button;
  GtkButton         *manual_button;
  PfOAuthSignIn     *oauth_sign_in;

  /* detecting, and the settings found */
  PfSetupDetectPage *detect_page;
  PfSetupChoicePage *choice_page;

  /* edit */
  AdwEntryRow       *name_row;
  AdwEntryRow       *host_row;
  GtkSpinButton     *port_spin;
  AdwComboRow       *security_row;
  AdwEntryRow       *user_row;
  AdwComboRow       *mechanism_row;
  GtkButton         *test_button;

  /* testing */
  GtkLabel          *testing_label;

  /* diagnosis */
  PfDiagnosisView   *diagnosis_view;
  AdwPreferencesGroup *fix_group;
  AdwPasswordEntryRow *fix_password_row;
  PfFixField         fix_field;

  /* certificate */
  PfCertificateView *certificate_view;
};

G_DEFINE_FINAL_TYPE (PfSetupWindow, pf_setup_window, ADW_TYPE_WINDOW)

enum {
  ACCOUNT_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
wipe_password (PfSetupWindow *self)
{
  g_clear_pointer (&self->password, pf_wipe_string);
}

static void
show_page (PfSetupWindow *self,
           const char    *name,
           const char    *back_page)
{
  g_free (self->back_page);
  self->back_page = g_strdup (back_page);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), back_page != NULL);
  gtk_stack_set_visible_child_name (self->stack, name);
}

static void
toast (PfSetupWindow *self,
       const char    *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  pf_gui_name_icon_buttons (GTK_WIDGET (self->toast_overlay));
}

static void
cancel_running (PfSetupWindow *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->detector);
  g_clear_object (&self->login_test);
}

static const char *
address_domain (const char *address)
{
  const char *at = strrchr (address, '@');

  return at ? at + 1 : "";
}

static gboolean
read_credentials (PfSetupWindow *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *at = strrchr (address, '@');

  if (at == NULL || at == address || at[1] == '\0' || strchr (address, ' ') != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
      toast (self, _("Enter a mail address such as name@example.com"));
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");

  if (*password == '\0' && self->oauth_credentials == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      toast (self, _("Enter the password of the account"));
      return FALSE;
    }

  wipe_password (self);
  if (self->oauth_credentials == NULL)
    self->password = g_strdup (password);
  pf_account_set_address (self->draft, address);
  if (pf_account_get_name (self->draft) == NULL || *pf_account_get_name (self->draft) == '\0' ||
      gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), address);

  return TRUE;
}

/* Fill the edit page from the draft. */
static void
show_draft (PfSetupWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), pf_account_get_host (self->draft) ?: "");
  gtk_spin_button_set_value (self->port_spin, pf_account_get_port (self->draft));
  /* not a user choice: no dialog */
  pf_gui_security_row_set (self->security_row, pf_account_get_security (self->draft));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), pf_account_get_user (self->draft) ?: "");
  pf_gui_combo_row_set_value (self->mechanism_row, pf_account_get_mechanism (self->draft));
}

/* Read the edit page into the draft. */
static gboolean
read_draft (PfSetupWindow  *self,
            GError        **error)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));
  PfSecurity security = pf_gui_combo_row_get_value (self->security_row);

  pf_account_set_name (self->draft, name);
  pf_account_set_host (self->draft, host);
  pf_account_set_port (self->draft, gtk_spin_button_get_value_as_int (self->port_spin));
  pf_account_set_security (self->draft, security);
  pf_account_set_allow_plaintext (self->draft, security == PF_SECURITY_NONE);
  pf_account_set_user (self->draft, gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  pf_account_set_mechanism (self->draft,
                            pf_gui_combo_row_get_value (self->mechanism_row));

  return pf_account_validate (self->draft, error);
}

static void
focus_fix_field (PfSetupWindow *self,
                 PfFixField     field)
{
  GtkWidget *widget = NULL;

  switch (field)
    {
    case PF_FIX_HOST:
      widget = GTK_WIDGET (self->host_row);
      break;
    case PF_FIX_PORT:
      widget = GTK_WIDGET (self->port_spin);
      break;
    case PF_FIX_SECURITY:
      widget = GTK_WIDGET (self->security_row);
      break;
    case PF_FIX_USER:
      widget = GTK_WIDGET (self->user_row);
      break;
    case PF_FIX_MECHANISM:
      widget = GTK_WIDGET (self->mechanism_row);
      break;
    case PF_FIX_PASSWORD:
    case PF_FIX_NONE:
    default:
      break;
    }

  if (widget != NULL)
    gtk_widget_grab_focus (widget);
}

static gboolean
grab_focus_idle (gpointer data)
{
  g_autoptr(GtkWidget) widget = data;

  if (gtk_widget_get_mapped (widget))
    gtk_widget_grab_focus (widget);
  return G_SOURCE_REMOVE;
}

/* Focus @widget once the page that holds it is on screen. */
static void
focus_later (PfSetupWindow *self,
             GtkWidget     *widget)
{
  gtk_widget_grab_focus (widget);
  g_idle_add_full (G_PRIORITY_LOW, grab_focus_idle, g_object_ref (widget), NULL);
}

static void
show_diagnosis (PfSetupWindow *self,
                const GError  *error)
{
  g_autofree char *transcript = NULL;

  if (self->diagnosis != NULL)
    transcript = pf_diagnosis_dup_transcript_text (self->diagnosis);

  pf_diagnosis_view_set_error (self->diagnosis_view, error, transcript);
  self->fix_field = pf_gui_fix_for_error (error);

  gtk_widget_set_visible (GTK_WIDGET (self->fix_group), self->fix_field == PF_FIX_PASSWORD);
  show_page (self, "diagnosis", "edit");

  if (self->fix_field == PF_FIX_PASSWORD)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->fix_password_row), "");
      focus_later (self, GTK_WIDGET (self->fix_password_row));
    }
}

static void
show_certificate (PfSetupWindow *self)
{
  pf_certificate_view_set_info (self->certificate_view,
                                pf_diagnosis_get_cert_info (self->diagnosis),
                                pf_account_get_host (self->draft));
  show_page (self, "certificate", NULL);
  /* Cancel is the default: Enter must never pin a certificate. */
  gtk_window_set_default_widget (GTK_WINDOW (self),
                                 pf_certificate_view_get_cancel_button (self->certificate_view));
  focus_later (self, pf_certificate_view_get_cancel_button (self->certificate_view));
}

static gboolean
is_certificate_error (const GError *error)
{
  return g_error_matches (error, PF_ERROR, PF_ERROR_CERT_UNTRUSTED) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_EXPIRED) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_HOST) ||
         g_error_matches (error, PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH) ||
         g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_failed (PfSetupWindow *self,
             const GError  *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);

  /* A pin mismatch is never offered for trust here: the user pinned a
   * different certificate, and replacing it silently is what pins prevent. */
  if (is_certificate_error (error) &&
      !g_error_matches (error, PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH) &&
      self->diagnosis != NULL &&
      pf_diagnosis_get_cert_info (self->diagnosis) != NULL)
    {
      show_certificate (self);
      return;
    }

  show_diagnosis (self, error);
}

static void
on_keyring_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data);
static void
on_oauth_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data);

static void
on_store_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  PfAccount *account;

  if (!pf_account_store_save_finish (PF_ACCOUNT_STORE (source), result, &error))
    {
      pf_account_store_remove (self->store, pf_account_get_name (self->draft));
      show_diagnosis (self, error);
      return;
    }

  account = pf_account_store_lookup (self->store, pf_account_get_name (self->draft));
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account ? account : self->draft);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_account (PfSetupWindow *self)
{
  gtk_label_set_label (self->testing_label, _("Saving the account…"));
  if (self->oauth_credentials != NULL)
    {
      pf_oauth_sign_in_save_async (self->oauth_sign_in, self->draft, self->cancellable,
                                   on_oauth_saved, g_object_ref (self));
      return;
    }
  pf_keyring_store_async (pf_account_get_name (self->draft),
                          pf_account_get_host (self->draft),
                          pf_account_get_user (self->draft),
                          self->password,
                          self->cancellable,
                          on_keyring_stored,
                          g_object_ref (self));
}

static void add_account (PfSetupWindow *self);

static void
on_oauth_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_oauth_sign_in_save_finish (PF_OAUTH_SIGN_IN (source), result, &error))
    {
      test_failed (self, error);
      return;
    }
  add_account (self);
}

static void
on_keyring_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_keyring_store_finish (result, &error))
    {
      test_failed (self, error);
      return;
    }
  add_account (self);
}

static void
add_account (PfSetupWindow *self)
{
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = pf_account_copy (self->draft);
  if (!pf_account_store_add (self->store, account, &error))
    {
      test_failed (self, error);
      return;
    }

  pf_account_store_save_async (self->store, self->cancellable, on_store_saved, g_object_ref (self));
}

static void
on_login_tested (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(PfDiagnosis) diagnosis = NULL;
  g_autoptr(GError) error = NULL;

  diagnosis = pf_login_test_run_finish (PF_LOGIN_TEST (source), result, &error);
  if (diagnosis == NULL)
    {
      test_failed (self, error);
      return;
    }

  g_set_object (&self->diagnosis, diagnosis);
  if (!pf_diagnosis_get_success (diagnosis))
    {
      test_failed (self, pf_diagnosis_get_error (diagnosis));
      return;
    }

  /* The user-name form that worked is the one to keep, and the sign-in
   * method that worked after the server refused the first one. */
  pf_account_learn_from_login_test (self->draft, diagnosis);
  gtk_label_set_label (self->testing_label, _("Logged in. Saving the account…"));
  save_account (self);
}

static void
start_login_test (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  g_autofree char *status = NULL;
  PfAccount *draft = self->draft;

  cancel_running (self);
  g_clear_object (&self->diagnosis);

  if (self->oauth_credentials == NULL && self->password == NULL)
    {
      show_page (self, "credentials", NULL);
      return;
    }
  if (!read_draft (self, &error))
    {
      show_page (self, "edit", "credentials");
      toast (self, error->message);
      return;
    }
  if (pf_account_store_lookup (self->store, pf_account_get_name (draft)) != NULL)
    {
      show_page (self, "edit", "credentials");
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      toast (self, _("An account with this name exists already. Choose another name."));
      return;
    }

  /* The accounts layer's road, as for a saved account (and with the same
   * POPFETCH_DEMO mapping). */
  self->login_test = pf_account_create_login_test (draft, &error);
  if (self->login_test == NULL)
    {
      show_page (self, "edit", "credentials");
      toast (self, error->message);
      return;
    }
  if (pf_account_get_user (draft) == NULL || *pf_account_get_user (draft) == '\0' ||
      self->try_user_forms)
    pf_login_test_set_user (self->login_test, NULL);

  self->cancellable = g_cancellable_new ();
  /* Translators: %s is a server name, %u a port number */
  status = g_strdup_printf (_("Connecting to %s, port %u…"),
                            pf_account_get_host (draft),
                            pf_account_get_port (draft));
  gtk_label_set_label (self->testing_label, status);
  show_page (self, "testing", NULL);

  credentials = self->oauth_credentials != NULL ? g_object_ref (self->oauth_credentials)
                                                : pf_credentials_new_for_password (self->password);
  pf_login_test_run_async (self->login_test, credentials, self->cancellable,
                           on_login_tested, g_object_ref (self));
}

/* Settings guessed from the address when the user sets up by hand: the
 * usual host name, implicit TLS, the full address as user name. */
static void
guess_settings (PfSetupWindow *self)
{
  const char *address = pf_account_get_address (self->draft);
  g_autofree char *host = g_strconcat ("pop.", address_domain (address), NULL);

  if (pf_account_get_host (self->draft) == NULL)
    {
      pf_account_set_host (self->draft, host);
      pf_account_set_port (self->draft, 995);
      pf_account_set_security (self->draft, PF_SECURITY_TLS);
      pf_account_set_user (self->draft, address);
    }
  show_draft (self);
}

static void
apply_probe (PfSetupWindow *self,
             PfProbe       *probe)
{
  const char *hint = pf_probe_get_username_hint (probe);

  pf_account_set_host (self->draft, pf_probe_get_host (probe));
  pf_account_set_port (self->draft, pf_probe_get_port (probe));
  pf_account_set_security (self->draft, pf_probe_get_security (probe));
  pf_account_set_allow_plaintext (self->draft, pf_probe_get_security (probe) == PF_SECURITY_NONE);
  pf_account_set_mechanism (self->draft, PF_AUTH_AUTO);
  pf_account_set_user (self->draft, hint ? hint : pf_account_get_address (self->draft));
  /* Without a hint from the provider, try the full address, then the
   * local part: one attempt each. */
  self->try_user_forms = hint == NULL;
  show_draft (self);
}

static void
on_probe_chosen (PfSetupWindow *self,
                 PfProbe       *probe)
{
  apply_probe (self, probe);
}

static void
on_detected (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) no_pop3 = NULL;
  PfProbe *recommended;

  probes = pf_detector_run_finish (PF_DETECTOR (source), result, &error);
  if (probes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          show_page (self, "credentials", NULL);
          toast (self, error->message);
        }
      return;
    }
  if (PF_DETECTOR (source) != self->detector)
    return;

  g_clear_object (&self->cancellable);
  /* A provider without POP3 known only by the domain's MX (a company
   * domain at Proton): said where the address was typed, and no way on. */
  no_pop3 = pf_detector_dup_no_pop3_error (self->detector);
  if (no_pop3 != NULL)
    {
      pf_provider_hints_set_provider (self->provider_hints, pf_detector_get_provider (self->detector));
      show_page (self, "credentials", NULL);
      return;
    }
  /* A company domain hosted where only OAuth2 signs in (found by its MX):
   * the password typed cannot work, the sign-in offer can. */
  if (self->oauth_credentials == NULL &&
      pf_oauth_sign_in_offer_provider (self->oauth_sign_in, pf_detector_get_provider (self->detector)))
    {
      show_page (self, "credentials", NULL);
      toast (self, _("This mail provider accepts no password: sign in with its own sign-in page."));
      return;
    }
  recommended = pf_detector_get_recommended (self->detector);
  pf_setup_choice_page_set_provider (self->choice_page, pf_detector_get_provider (self->detector));
  pf_setup_choice_page_show (self->choice_page, recommended, probes);
  if (recommended != NULL)
    apply_probe (self, recommended);
  else
    guess_settings (self);
  show_page (self, "settings", "credentials");
}

static void
start_detection (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;

  cancel_running (self);

  self->detector = pf_detector_new ();
  if (self->demo != NULL && !pf_demo_apply_to_detector (self->demo, self->detector, &error))
    g_warning ("Demo settings not applied: %s", error->message);
  pf_setup_detect_page_follow (self->detect_page, self->detector,
                               address_domain (pf_account_get_address (self->draft)));

  self->cancellable = g_cancellable_new ();
  show_page (self, "detecting", NULL);
  pf_detector_run_async (self->detector, pf_account_get_address (self->draft), self->cancellable,
                         on_detected, g_object_ref (self));
}

/* The provider table is asked as the address is typed: a provider
 * without POP3 is said at once, before any password or probe. */
static void
on_address_changed (PfSetupWindow *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));

  pf_provider_hints_set_provider (self->provider_hints, pf_provider_lookup_domain (address));
  /* A sign-in made for another address no longer applies. */
  g_clear_object (&self->oauth_credentials);
  pf_oauth_sign_in_set_address (self->oauth_sign_in, address);
}

static void
on_blocks_setup_changed (PfSetupWindow *self)
{
  gboolean blocked = pf_provider_hints_get_blocks_setup (self->provider_hints);

  gtk_widget_set_sensitive (GTK_WIDGET (self->find_button), !blocked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->manual_button), !blocked);
}

static void
on_find_clicked (PfSetupWindow *self)
{
  /* The password road: an earlier OAuth2 sign-in no longer applies. */
  g_clear_object (&self->oauth_credentials);
  if (pf_provider_hints_get_blocks_setup (self->provider_hints) || !read_credentials (self))
    return;

  start_detection (self);
}

/* Signed in through GNOME Online Accounts or the browser: on to the
 * server settings, with that sign-in instead of a password. */
static void
on_oauth_signed_in (PfSetupWindow *self)
{
  g_set_object (&self->oauth_credentials, NULL);
  self->oauth_credentials = pf_oauth_sign_in_dup_credentials (self->oauth_sign_in);
  if (!read_credentials (self))
    return;
  pf_oauth_sign_in_apply (self->oauth_sign_in, self->draft);
  start_detection (self);
}

static void
on_oauth_failed (PfSetupWindow *self,
                 const GError  *error)
{
  show_diagnosis (self, error);
  /* Back to the sign-in, not to settings that were never found. */
  show_page (self, "diagnosis", "credentials");
}

static void
on_manual_clicked (PfSetupWindow *self)
{
  g_clear_object (&self->oauth_credentials);
  if (pf_provider_hints_get_blocks_setup (self->provider_hints) || !read_credentials (self))
    return;

  guess_settings (self);
  show_page (self, "edit", "credentials");
  gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
}

static void
on_test_clicked (PfSetupWindow *self)
{
  start_login_test (self);
}

static void
on_cancel_test_clicked (PfSetupWindow *self)
{
  gboolean detecting = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "detecting") == 0;

  cancel_running (self);
  if (detecting)
    show_page (self, "credentials", NULL);
  else
    show_page (self, "edit", "credentials");
}

static void
on_retry_clicked (PfSetupWindow *self)
{
  if (self->fix_field == PF_FIX_PASSWORD)
    {
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->fix_password_row));

      if (*password == '\0')
        {
          gtk_widget_grab_focus (GTK_WIDGET (self->fix_password_row));
          return;
        }
      wipe_password (self);
      self->password = g_strdup (password);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
      gtk_editable_set_text (GTK_EDITABLE (self->fix_password_row), "");
    }

  start_login_test (self);
}

static void
on_edit_settings_clicked (PfSetupWindow *self)
{
  show_page (self, "edit", "credentials");
  focus_fix_field (self, self->fix_field);
}

static void
on_back_clicked (PfSetupWindow *self)
{
  g_autofree char *back = g_strdup (self->back_page);

  cancel_running (self);
  if (back == NULL)
    return;
  show_page (self, back, g_str_equal (back, "credentials") ? NULL : "credentials");
}

static void
on_certificate_cancel (PfSetupWindow *self)
{
  cancel_running (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), NULL);
  show_page (self, "edit", "credentials");
}

static void
on_certificate_trust (PfSetupWindow *self)
{
  /* Only this certificate, for this account: its fingerprint, nothing else. */
  pf_account_set_pinned_fingerprint (self->draft,
                                     pf_certificate_view_get_fingerprint (self->certificate_view));
  gtk_window_set_default_widget (GTK_WINDOW (self), NULL);
  toast (self, _("This certificate is now trusted for this account only"));
  start_login_test (self);
}

static void
on_security_taken (gpointer user_data,
                   guint    security)
{
  PfSetupWindow *self = user_data;
  guint port = gtk_spin_button_get_value_as_int (self->port_spin);

  /* Follow the usual port unless the user typed another one. */
  if (security == PF_SECURITY_TLS && port == 110)
    gtk_spin_button_set_value (self->port_spin, 995);
  else if (security != PF_SECURITY_TLS && port == 995)
    gtk_spin_button_set_value (self->port_spin, 110);
}

static void
on_security_selected (PfSetupWindow *self)
{
  pf_gui_security_row_changed (self->security_row, on_security_taken, self);
}

void
pf_setup_window_set_credentials (PfSetupWindow *self,
                                 const char    *address,
                                 const char    *password)
{
  g_return_if_fail (PF_IS_SETUP_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address ? address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password ? password : "");
}

void
pf_setup_window_show_error (PfSetupWindow *self,
                            const GError  *error)
{
  g_return_if_fail (PF_IS_SETUP_WINDOW (self));
  g_return_if_fail (error != NULL);

  test_failed (self, error);
}

PfSetupWindow *
pf_setup_window_new (GtkWindow      *parent,
                     PfAccountStore *store)
{
  PfSetupWindow *self;

  g_return_val_if_fail (PF_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (PF_TYPE_SETUP_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->store = g_object_ref (store);

  return self;
}

static void
pf_setup_window_dispose (GObject *object)
{
  PfSetupWindow *self = PF_SETUP_WINDOW (object);

  cancel_running (self);
  wipe_password (self);
  g_clear_object (&self->oauth_credentials);
  g_clear_object (&self->diagnosis);
  g_clear_pointer (&self->demo, pf_demo_free);
  g_clear_object (&self->store);
  g_clear_object (&self->draft);
  g_clear_pointer (&self->back_page, g_free);

  G_OBJECT_CLASS (pf_setup_window_parent_class)->dispose (object);
}

static void
pf_setup_window_class_init (PfSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_setup_window_dispose;

  signals[ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PF_TYPE_ACCOUNT);

  g_type_ensure (PF_TYPE_DIAGNOSIS_VIEW);
  g_type_ensure (PF_TYPE_CERTIFICATE_VIEW);
  g_type_ensure (PF_TYPE_SETUP_DETECT_PAGE);
  g_type_ensure (PF_TYPE_SETUP_CHOICE_PAGE);
  g_type_ensure (PF_TYPE_PROVIDER_HINTS);
  g_type_ensure (PF_TYPE_OAUTH_SIGN_IN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, provider_hints);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, find_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, manual_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, oauth_sign_in);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, detect_page);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, choice_page);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, security_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, mechanism_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, test_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, testing_label);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, diagnosis_view);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, fix_group);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, fix_password_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, certificate_view);
  gtk_widget_class_bind_template_callback (widget_class, on_address_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_blocks_setup_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_find_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_manual_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_oauth_signed_in);
  gtk_widget_class_bind_template_callback (widget_class, on_oauth_failed);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_settings_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_security_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_trust);
  gtk_widget_class_bind_template_callback (widget_class, on_probe_chosen);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pf_setup_window_init (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  pf_gui_combo_row_set_enum (self->security_row, PF_TYPE_SECURITY, pf_gui_security_label);
  pf_gui_mechanism_row_init (self->mechanism_row);

  self->draft = pf_account_new ("");
  pf_account_set_port (self->draft, 995);
  self->demo = pf_demo_load_from_environment (&error);
  if (error != NULL)
    g_warning ("POPFETCH_DEMO: %s", error->message);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->find_button));
  pf_diagnosis_view_set_fix_widget (self->diagnosis_view, GTK_WIDGET (self->fix_group));
  /* Where an OAuth2 sign-in is offered, it stands in for the password. */
  g_object_bind_property (self->oauth_sign_in, "replaces-password", self->password_row, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self->oauth_sign_in, "replaces-password", self->find_button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (self->oauth_sign_in, "busy", self->find_button, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  pf_gui_name_icon_buttons (GTK_WIDGET (self));
}
