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
#include "pf-setup-window.h"

struct _PfSetupWindow
{
  AdwWindow          parent_instance;

  PfAccountStore    *store;
  PfAccount         *draft;
  char              *password;
  GCancellable      *cancellable;
  PfDemo            *demo;
  PfDetector        *detector;
  PfLoginTest       *login_test;
  PfDiagnosis       *diagnosis;
  GHashTable        *detect_rows;     /* PfLookup or PfProbe → AdwActionRow */
  char              *back_page;
  gboolean           try_user_forms;   /* detected settings: try address, then local part */

  AdwToastOverlay   *toast_overlay;
  GtkStack          *stack;
  GtkButton         *back_button;

  /* credentials */
  AdwEntryRow       *address_row;
  AdwPasswordEntryRow *password_row;
  GtkButton         *find_button;

  /* detecting */
  GtkListBox        *detect_list;
  GtkLabel          *detect_status;

  /* settings found */
  GtkListBox        *recommended_list;
  GtkListBox        *others_list;
  AdwPreferencesGroup *others_group;

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

/* Must match the string list of mechanism_row in the .ui file. */
static const PfAuthMechanism mechanism_choices[] = {
  PF_AUTH_AUTO,
  PF_AUTH_SCRAM_SHA_256,
  PF_AUTH_SCRAM_SHA_1,
  PF_AUTH_CRAM_MD5,
  PF_AUTH_APOP,
  PF_AUTH_PLAIN,
  PF_AUTH_LOGIN,
  PF_AUTH_USER,
};

guint
pf_setup_mechanism_to_index (PfAuthMechanism mechanism)
{
  for (guint i = 0; i < G_N_ELEMENTS (mechanism_choices); i++)
    if (mechanism_choices[i] == mechanism)
      return i;
  return 0;
}

PfAuthMechanism
pf_setup_index_to_mechanism (guint index)
{
  if (index >= G_N_ELEMENTS (mechanism_choices))
    return PF_AUTH_AUTO;
  return mechanism_choices[index];
}

static void
wipe_password (PfSetupWindow *self)
{
  g_clear_pointer (&self->password, pf_keyring_password_free);
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

  if (*password == '\0')
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      toast (self, _("Enter the password of the account"));
      return FALSE;
    }

  wipe_password (self);
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
  adw_combo_row_set_selected (self->mechanism_row,
                              pf_setup_mechanism_to_index (pf_account_get_mechanism (self->draft)));
}

/* Read the edit page into the draft. */
static gboolean
read_draft (PfSetupWindow  *self,
            GError        **error)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));
  PfSecurity security = adw_combo_row_get_selected (self->security_row);

  pf_account_set_name (self->draft, name);
  pf_account_set_host (self->draft, host);
  pf_account_set_port (self->draft, gtk_spin_button_get_value_as_int (self->port_spin));
  pf_account_set_security (self->draft, security);
  pf_account_set_allow_plaintext (self->draft, security == PF_SECURITY_NONE);
  pf_account_set_user (self->draft, gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  pf_account_set_mechanism (self->draft,
                            pf_setup_index_to_mechanism (adw_combo_row_get_selected (self->mechanism_row)));

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
  pf_keyring_store_async (pf_account_get_name (self->draft),
                          pf_account_get_host (self->draft),
                          pf_account_get_user (self->draft),
                          self->password,
                          self->cancellable,
                          on_keyring_stored,
                          g_object_ref (self));
}

static void
on_keyring_stored (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (!pf_keyring_store_finish (result, &error))
    {
      test_failed (self, error);
      return;
    }

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

  /* The user-name form that worked is the one to keep. */
  if (pf_diagnosis_get_user (diagnosis) != NULL)
    pf_account_set_user (self->draft, pf_diagnosis_get_user (diagnosis));
  gtk_label_set_label (self->testing_label, _("Logged in. Saving the account…"));
  save_account (self);
}

static void
start_login_test (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  PfAccount *draft = self->draft;

  cancel_running (self);
  g_clear_object (&self->diagnosis);

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

  self->login_test = pf_login_test_new (pf_account_get_host (draft),
                                        (guint16) pf_account_get_port (draft),
                                        pf_account_get_security (draft));
  pf_login_test_set_address (self->login_test, pf_account_get_address (draft));
  if (pf_account_get_user (draft) != NULL && *pf_account_get_user (draft) != '\0' &&
      !self->try_user_forms)
    pf_login_test_set_user (self->login_test, pf_account_get_user (draft));
  pf_login_test_set_mechanism (self->login_test, pf_account_get_mechanism (draft));
  pf_login_test_set_allow_plaintext_auth (self->login_test, pf_account_get_allow_plaintext (draft));
  if (pf_account_get_pinned_fingerprint (draft) != NULL)
    pf_login_test_set_pinned_fingerprint (self->login_test, pf_account_get_pinned_fingerprint (draft));
  if (self->demo != NULL && !pf_demo_apply_to_login_test (self->demo, self->login_test, &error))
    g_warning ("Demo settings not applied: %s", error->message);

  self->cancellable = g_cancellable_new ();
  /* Translators: %s is a server name, %u a port number */
  status = g_strdup_printf (_("Connecting to %s, port %u…"),
                            pf_account_get_host (draft),
                            pf_account_get_port (draft));
  gtk_label_set_label (self->testing_label, status);
  show_page (self, "testing", NULL);

  pf_login_test_run_async (self->login_test, self->password, self->cancellable,
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

static const char *
lookup_title (PfLookup *lookup)
{
  switch (pf_lookup_get_kind (lookup))
    {
    case PF_LOOKUP_AUTOCONFIG:
      return _("Provider configuration");
    case PF_LOOKUP_ISPDB:
      return _("Thunderbird ISP database");
    case PF_LOOKUP_SRV:
      return _("DNS service records (SRV)");
    case PF_LOOKUP_MX:
      return _("Mail exchanger (MX)");
    default:
      return _("Lookup");
    }
}

static const char *
security_name (PfSecurity security)
{
  switch (security)
    {
    case PF_SECURITY_TLS:
      return _("TLS");
    case PF_SECURITY_STARTTLS:
      return _("STARTTLS");
    case PF_SECURITY_NONE:
    default:
      return _("no encryption");
    }
}

static char *
probe_title (PfProbe *probe)
{
  /* Translators: server name, port, encryption: "pop.example.com, port 995, TLS" */
  return g_strdup_printf (_("%s, port %u, %s"), pf_probe_get_host (probe),
                          pf_probe_get_port (probe), security_name (pf_probe_get_security (probe)));
}

/* A word on how safe a probe's result is, and the style class to show it. */
static const char *
probe_badge (PfProbe     *probe,
             const char **css_class)
{
  switch (pf_probe_get_verdict (probe))
    {
    case PF_PROBE_VERDICT_SECURE:
      *css_class = "success";
      return _("Encrypted, certificate valid");
    case PF_PROBE_VERDICT_PINNED:
      *css_class = "success";
      return _("Encrypted, certificate trusted by you");
    case PF_PROBE_VERDICT_CERT_INVALID:
      *css_class = "warning";
      return _("Encrypted, but the certificate is not trusted");
    case PF_PROBE_VERDICT_PLAINTEXT:
      *css_class = "error";
      return _("Not encrypted: the password would be readable");
    case PF_PROBE_VERDICT_STLS_MISSING:
      *css_class = "error";
      return _("Encryption refused by the server");
    case PF_PROBE_VERDICT_STLS_INJECTION:
      *css_class = "error";
      return _("Attack detected: data injected during STARTTLS");
    case PF_PROBE_VERDICT_TLS_OUTDATED:
      *css_class = "error";
      return _("Outdated, insecure encryption (older than TLS 1.2)");
    case PF_PROBE_VERDICT_FAILED:
      *css_class = "dim-label";
      return _("Not reachable");
    case PF_PROBE_VERDICT_PENDING:
    default:
      *css_class = "dim-label";
      return _("Checking…");
    }
}

static GtkWidget *
detect_row_new (PfSetupWindow *self,
                gpointer       key,
                const char    *title,
                const char    *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Working"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), spinner);
  g_object_set_data (G_OBJECT (row), "prefix", spinner);
  gtk_list_box_append (self->detect_list, row);
  g_hash_table_insert (self->detect_rows, key, row);

  return row;
}

static void
detect_row_finish (PfSetupWindow *self,
                   gpointer       key,
                   const char    *icon_name,
                   const char    *css_class,
                   const char    *result)
{
  GtkWidget *row = g_hash_table_lookup (self->detect_rows, key);
  GtkWidget *prefix;
  GtkWidget *icon;

  if (row == NULL)
    return;

  prefix = g_object_get_data (G_OBJECT (row), "prefix");
  if (prefix != NULL)
    adw_action_row_remove (ADW_ACTION_ROW (row), prefix);
  icon = gtk_image_new_from_icon_name (icon_name);
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, result, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), "prefix", icon);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), result);
}

static char *
error_reason (const GError *error)
{
  g_autoptr(PfExplanation) explanation = NULL;

  if (error == NULL)
    return g_strdup ("");
  explanation = pf_error_explain (error);
  return g_strdup (explanation->title);
}

static void
on_detector_progress (PfDetector      *detector,
                      PfDetectorEvent  event,
                      GObject         *object,
                      PfSetupWindow   *self)
{
  switch (event)
    {
    case PF_DETECTOR_EVENT_LOOKUP_STARTED:
      detect_row_new (self, object, lookup_title (PF_LOOKUP (object)),
                      pf_lookup_get_query (PF_LOOKUP (object)));
      break;

    case PF_DETECTOR_EVENT_LOOKUP_FINISHED:
      {
        PfLookup *lookup = PF_LOOKUP (object);
        const char * const *hosts = pf_lookup_get_hosts (lookup);
        g_autofree char *result = NULL;

        if (hosts != NULL && hosts[0] != NULL)
          {
            g_autofree char *joined = g_strjoinv (", ", (char **) hosts);

            /* Translators: %s is a list of server names */
            result = g_strdup_printf (_("Found %s"), joined);
            detect_row_finish (self, object, "emblem-ok-symbolic", "success", result);
          }
        else
          {
            g_autofree char *reason = error_reason (pf_lookup_get_error (lookup));

            /* Translators: %s says why, e.g. "The server name was not found" */
            result = *reason ? g_strdup_printf (_("Nothing found: %s"), reason)
                             : g_strdup (_("Nothing found"));
            detect_row_finish (self, object, "action-unavailable-symbolic", "dim-label", result);
          }
      }
      break;

    case PF_DETECTOR_EVENT_PROBE_STARTED:
      {
        g_autofree char *title = probe_title (PF_PROBE (object));

        if (g_hash_table_lookup (self->detect_rows, object) == NULL)
          detect_row_new (self, object, title, _("Connecting…"));
      }
      break;

    case PF_DETECTOR_EVENT_PROBE_FINISHED:
      {
        PfProbe *probe = PF_PROBE (object);
        const char *css_class = NULL;
        const char *badge = probe_badge (probe, &css_class);
        g_autofree char *reason = error_reason (pf_probe_get_error (probe));
        g_autofree char *result = NULL;
        const char *icon;

        /* Translators: a verdict and its reason: "Not reachable: Connection refused" */
        result = *reason ? g_strdup_printf (_("%s: %s"), badge, reason) : g_strdup (badge);
        switch (pf_probe_get_verdict (probe))
          {
          case PF_PROBE_VERDICT_SECURE:
          case PF_PROBE_VERDICT_PINNED:
            icon = "channel-secure-symbolic";
            break;
          case PF_PROBE_VERDICT_FAILED:
            icon = "action-unavailable-symbolic";
            break;
          default:
            icon = "dialog-warning-symbolic";
            break;
          }
        detect_row_finish (self, object, icon, css_class, result);
      }
      break;

    case PF_DETECTOR_EVENT_RECOMMENDED:
      {
        g_autofree char *title = probe_title (PF_PROBE (object));
        g_autofree char *status = NULL;

        /* Translators: %s describes a server, "pop.example.com, port 995, TLS" */
        status = g_strdup_printf (_("Recommended so far: %s"), title);
        gtk_label_set_label (self->detect_status, status);
      }
      break;

    default:
      break;
    }
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

static void on_probe_toggled (GtkCheckButton *button,
                              PfSetupWindow  *self);

static GtkWidget *
settings_row_new (PfSetupWindow  *self,
                  PfProbe        *probe,
                  GtkCheckButton *group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *badge;
  g_autofree char *title = probe_title (probe);
  const char *css_class = NULL;
  const char *badge_text = probe_badge (probe, &css_class);
  g_autofree char *subtitle = NULL;
  PfAuthMechanism mechanism = pf_probe_get_best_mechanism (probe);

  if (mechanism != PF_AUTH_AUTO)
    /* Translators: %s is an authentication mechanism such as SCRAM-SHA-256 */
    subtitle = g_strdup_printf (_("Login with %s"), pf_auth_mechanism_to_string (mechanism));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
  /* The row names its activatable check by the title ("labelled-by"):
   * a label of its own as well would make it read out twice. */
  g_object_set_data_full (G_OBJECT (check), "probe", g_object_ref (probe), g_object_unref);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  badge = gtk_label_new (badge_text);
  gtk_label_set_wrap (GTK_LABEL (badge), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (badge), 18);
  gtk_label_set_justify (GTK_LABEL (badge), GTK_JUSTIFY_RIGHT);
  gtk_widget_add_css_class (badge, "caption-heading");
  gtk_widget_add_css_class (badge, css_class);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);

  g_signal_connect (check, "toggled", G_CALLBACK (on_probe_toggled), self);

  return row;
}

static void
on_plaintext_probe_response (AdwMessageDialog *dialog,
                             const char       *response,
                             PfSetupWindow    *self)
{
  GtkCheckButton *check = g_object_get_data (G_OBJECT (dialog), "check");
  GtkCheckButton *previous = g_object_get_data (G_OBJECT (dialog), "previous");

  if (g_strcmp0 (response, "plaintext") == 0)
    {
      apply_probe (self, g_object_get_data (G_OBJECT (check), "probe"));
      return;
    }

  if (previous != NULL)
    gtk_check_button_set_active (previous, TRUE);
  else
    gtk_check_button_set_active (check, FALSE);
}

static void
on_probe_toggled (GtkCheckButton *button,
                  PfSetupWindow  *self)
{
  PfProbe *probe = g_object_get_data (G_OBJECT (button), "probe");
  AdwMessageDialog *dialog;

  if (!gtk_check_button_get_active (button))
    {
      g_object_set_data (G_OBJECT (self), "last-check", button);
      return;
    }

  if (pf_probe_get_security (probe) != PF_SECURITY_NONE)
    {
      apply_probe (self, probe);
      return;
    }

  dialog = pf_gui_plaintext_dialog_new (GTK_WINDOW (self));
  g_object_set_data (G_OBJECT (dialog), "check", button);
  g_object_set_data (G_OBJECT (dialog), "previous", g_object_get_data (G_OBJECT (self), "last-check"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_plaintext_probe_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
probe_is_choice (PfProbe *probe)
{
  switch (pf_probe_get_verdict (probe))
    {
    case PF_PROBE_VERDICT_SECURE:
    case PF_PROBE_VERDICT_PINNED:
    case PF_PROBE_VERDICT_CERT_INVALID:
    case PF_PROBE_VERDICT_PLAINTEXT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
show_detected (PfSetupWindow *self,
               GPtrArray     *probes)
{
  PfProbe *recommended = pf_detector_get_recommended (self->detector);
  GtkCheckButton *group = NULL;
  guint others = 0;

  clear_list (self->recommended_list);
  clear_list (self->others_list);
  g_object_set_data (G_OBJECT (self), "last-check", NULL);

  if (recommended != NULL)
    {
      GtkWidget *row = settings_row_new (self, recommended, NULL);

      group = GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
      gtk_list_box_append (self->recommended_list, row);
      gtk_check_button_set_active (group, TRUE);
      apply_probe (self, recommended);
    }
  else
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No secure server found"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Choose one of the other options, or enter the settings your provider gives you."));
      gtk_list_box_append (self->recommended_list, row);
      guess_settings (self);
    }

  for (guint i = 0; i < probes->len; i++)
    {
      PfProbe *probe = g_ptr_array_index (probes, i);
      GtkWidget *row;

      if (probe == recommended || !probe_is_choice (probe))
        continue;
      row = settings_row_new (self, probe, group);
      if (group == NULL)
        group = GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)));
      gtk_list_box_append (self->others_list, row);
      others++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->others_group), others > 0);

  show_page (self, "settings", "credentials");
}

static void
on_detected (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PfSetupWindow) self = user_data;
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GError) error = NULL;

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
  show_detected (self, probes);
}

static void
start_detection (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  cancel_running (self);
  clear_list (self->detect_list);
  g_hash_table_remove_all (self->detect_rows);

  self->detector = pf_detector_new ();
  if (self->demo != NULL && !pf_demo_apply_to_detector (self->demo, self->detector, &error))
    g_warning ("Demo settings not applied: %s", error->message);
  g_signal_connect (self->detector, "progress", G_CALLBACK (on_detector_progress), self);

  /* Translators: %s is a domain name */
  status = g_strdup_printf (_("Asking where %s keeps its mail, then trying each server found."),
                            address_domain (pf_account_get_address (self->draft)));
  gtk_label_set_label (self->detect_status, status);

  self->cancellable = g_cancellable_new ();
  show_page (self, "detecting", NULL);
  pf_detector_run_async (self->detector, pf_account_get_address (self->draft), self->cancellable,
                         on_detected, g_object_ref (self));
}

static void
on_find_clicked (PfSetupWindow *self)
{
  if (!read_credentials (self))
    return;

  start_detection (self);
}

static void
on_manual_clicked (PfSetupWindow *self)
{
  if (!read_credentials (self))
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
  g_clear_object (&self->diagnosis);
  g_clear_pointer (&self->demo, pf_demo_free);
  g_clear_pointer (&self->detect_rows, g_hash_table_unref);
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

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, find_button);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, detect_list);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, detect_status);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, recommended_list);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, others_list);
  gtk_widget_class_bind_template_child (widget_class, PfSetupWindow, others_group);
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
  gtk_widget_class_bind_template_callback (widget_class, on_find_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_manual_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_settings_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_security_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_certificate_trust);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pf_setup_window_init (PfSetupWindow *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->draft = pf_account_new ("");
  pf_account_set_port (self->draft, 995);
  self->detect_rows = g_hash_table_new (NULL, NULL);
  self->demo = pf_demo_load_from_environment (&error);
  if (error != NULL)
    g_warning ("POPFETCH_DEMO: %s", error->message);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->find_button));
  pf_diagnosis_view_set_fix_widget (self->diagnosis_view, GTK_WIDGET (self->fix_group));
  pf_gui_name_icon_buttons (GTK_WIDGET (self));
}
