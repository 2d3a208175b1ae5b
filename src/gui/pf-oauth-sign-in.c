/* pf-oauth-sign-in.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-goa.h"
#include "pf-keyring.h"
#include "pf-oauth2.h"
#include "pf-oauth2-credentials.h"
#include "pf-gui-util.h"
#include "pf-oauth-sign-in.h"
#include "pf-provider.h"

typedef enum
{
  SOURCE_NONE,
  SOURCE_GOA,
  SOURCE_BROWSER,
} Source;

struct _PfOAuthSignIn
{
  AdwBin          parent_instance;

  char           *address;
  PfAccount      *account;          /* "Sign In Again" for this account */
  GPtrArray      *goa_accounts;     /* PfGoaAccount, once GOA answered */
  GCancellable   *goa_cancellable;
  GCancellable   *cancellable;      /* the browser sign-in */
  gboolean        replaces_password;
  gboolean        busy;
  gboolean        password_chosen;
  PfProvider     *detected;         /* found by detection, for this address */

  /* What the last sign-in gave. */
  Source          source;
  char           *goa_account_id;
  PfCredentials  *credentials;
  PfOAuth2Config *config;           /* the browser sign-in's settings … */
  PfOAuth2Tokens *tokens;           /* … and what it gave */

  GtkStack       *stack;
  GtkButton      *goa_button;
  GtkLabel       *goa_label;
  GtkButton      *provider_button;
  GtkLabel       *message_label;
  GtkButton      *password_button;
  GtkWidget      *registration_group;
  AdwExpanderRow *registration_row;
  AdwEntryRow    *authorize_url_row;
  AdwEntryRow    *token_url_row;
  AdwEntryRow    *client_id_row;
  AdwEntryRow    *scope_row;
  GtkButton      *registration_button;
  GtkSpinner     *spinner;
  GtkLabel       *waiting_label;
  GtkButton      *cancel_button;
};

G_DEFINE_FINAL_TYPE (PfOAuthSignIn, pf_oauth_sign_in, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_REPLACES_PASSWORD,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNED_IN,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- what to offer ------------------------------------------------------- */

static void
set_replaces_password (PfOAuthSignIn *self,
                       gboolean       replaces)
{
  if (self->replaces_password == replaces)
    return;
  self->replaces_password = replaces;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLACES_PASSWORD]);
}

/* The keyboard focus goes back to the offer the user took. */
static void
focus_offer (PfOAuthSignIn *self)
{
  GtkWidget *offers[] = {
    GTK_WIDGET (self->provider_button),
    GTK_WIDGET (self->registration_button),
    GTK_WIDGET (self->goa_button),
  };

  /* The organization's Sign In only when its fields are open. */
  if (!adw_expander_row_get_expanded (self->registration_row))
    offers[1] = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (offers); i++)
    if (offers[i] != NULL && gtk_widget_is_visible (offers[i]) && gtk_widget_grab_focus (offers[i]))
      return;
  gtk_widget_child_focus (GTK_WIDGET (self->stack), GTK_DIR_TAB_FORWARD);
}

static void
set_busy (PfOAuthSignIn *self,
          gboolean       busy)
{
  GtkRoot *root;
  GtkWidget *focus;
  gboolean had_focus;

  if (self->busy == busy)
    return;
  /* A spinner takes the offer's place and back: the focus must follow,
   * never stay on a control that is gone from the screen. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  had_focus = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self));
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_stack_set_visible_child_name (self->stack, busy ? "waiting" : "offers");
  if (busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  else if (had_focus)
    focus_offer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
address_is_plausible (const char *address)
{
  const char *at = address ? strrchr (address, '@') : NULL;

  return at != NULL && at != address && at[1] != '\0' && strchr (address, ' ') == NULL;
}

/* The OAuth2 provider entry the address's provider signs in with, or NULL. */
static const char *
provider_oauth2 (PfProvider *provider)
{
  if (provider == NULL || (pf_provider_get_auth (provider) & PF_PROVIDER_AUTH_OAUTH2) == 0)
    return NULL;
  return pf_provider_get_oauth2 (provider);
}

/* Whether this build can sign in to the OAuth2 provider entry by itself. */
static gboolean
has_client_id (const char *oauth2)
{
  const PfOAuth2Provider *entry = pf_oauth2_lookup_provider (oauth2);

  return entry != NULL && entry->client_id != NULL && *entry->client_id != '\0';
}

static char *
sign_in_label (PfProvider *provider,
               const char *oauth2)
{
  if (g_strcmp0 (oauth2, "microsoft") == 0)
    return g_strdup (_("Sign in with Microsoft"));
  if (g_strcmp0 (oauth2, "google") == 0)
    return g_strdup (_("Sign in with Google"));
  /* Translators: %s is a mail provider, such as “Yahoo Mail” */
  return g_strdup_printf (_("Sign in with %s"), pf_provider_get_name (provider));
}

static char *
no_client_id_message (PfProvider *provider)
{
  const char *name = pf_provider_get_name (provider);

  if (pf_provider_get_auth (provider) & PF_PROVIDER_AUTH_APP_PASSWORD)
    /* Translators: %s is a mail provider, such as “Gmail” */
    return g_strdup_printf (_("This copy of Popfetch cannot sign in to %s by itself: it was built "
                              "without a client ID for it. Add the account in Settings → Online "
                              "Accounts and set it up again, or enter an app password of %s below."),
                            name, name);
  /* Translators: %s is a mail provider, such as “Outlook.com” */
  return g_strdup_printf (_("This copy of Popfetch cannot sign in to %s by itself: it was built "
                            "without a client ID for it. Add the account in Settings → Online "
                            "Accounts and set it up again."),
                          name);
}

static void
update_offers (PfOAuthSignIn *self)
{
  PfGoaAccount *goa = NULL;
  PfProvider *provider = NULL;
  const char *oauth2 = NULL;
  gboolean can_browse = FALSE;
  gboolean plausible;

  if (self->account != NULL)
    {
      /* GOA keeps its own sign-in: it is renewed in Settings, not here. */
      gboolean goa_account = g_strcmp0 (pf_account_get_oauth2_source (self->account),
                                        PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0;

      gtk_button_set_label (self->provider_button, _("Sign In Again"));
      gtk_widget_set_visible (GTK_WIDGET (self->provider_button), !goa_account);
      gtk_widget_set_visible (GTK_WIDGET (self->goa_button), FALSE);
      gtk_label_set_label (self->message_label,
                           _("Sign in to this account again in Settings → Online Accounts, "
                             "then fetch again."));
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), goa_account);
      gtk_widget_set_visible (GTK_WIDGET (self->password_button), FALSE);
      gtk_widget_set_visible (self->registration_group, FALSE);
      return;
    }

  plausible = address_is_plausible (self->address);
  if (plausible)
    {
      provider = pf_provider_lookup_domain (self->address);
      if (provider_oauth2 (provider) == NULL && self->detected != NULL)
        provider = self->detected;
      oauth2 = provider_oauth2 (provider);
      if (self->goa_accounts != NULL)
        goa = pf_goa_find_by_address (self->goa_accounts, self->address);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->goa_button), goa != NULL);
  if (goa != NULL)
    {
      /* Translators: %s is a mail address */
      g_autofree char *label = g_strdup_printf (_("Use your GNOME Online Accounts sign-in for %s"),
                                                goa->address);

      gtk_label_set_label (self->goa_label, label);
      /* A button with a wrapping label child is not named by it. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->goa_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  if (oauth2 != NULL && has_client_id (oauth2))
    {
      g_autofree char *label = sign_in_label (provider, oauth2);

      gtk_button_set_label (self->provider_button, label);
      can_browse = TRUE;
    }
  else if (oauth2 != NULL && goa == NULL)
    {
      g_autofree char *message = no_client_id_message (provider);

      gtk_label_set_label (self->message_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->provider_button), can_browse);

  set_replaces_password (self, !self->password_chosen && (goa != NULL || can_browse));
  gtk_widget_set_visible (GTK_WIDGET (self->password_button), self->replaces_password);
  gtk_widget_set_visible (self->registration_group, plausible && !self->password_chosen);
}

static void
on_goa_listed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PfOAuthSignIn) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *accounts;

  accounts = pf_goa_list_mail_accounts_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (accounts == NULL)
    {
      g_debug ("GNOME Online Accounts could not be asked: %s", error->message);
      accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_goa_account_free);
    }
  g_clear_pointer (&self->goa_accounts, g_ptr_array_unref);
  self->goa_accounts = accounts;
  g_clear_object (&self->goa_cancellable);
  update_offers (self);
}

static void
forget_sign_in (PfOAuthSignIn *self)
{
  self->source = SOURCE_NONE;
  g_clear_pointer (&self->goa_account_id, g_free);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->config, pf_oauth2_config_free);
  g_clear_pointer (&self->tokens, pf_oauth2_tokens_free);
}

/* ---- the sign-ins --------------------------------------------------------- */

static void
on_goa_clicked (PfOAuthSignIn *self)
{
  PfGoaAccount *goa;

  if (self->goa_accounts == NULL)
    return;
  goa = pf_goa_find_by_address (self->goa_accounts, self->address);
  if (goa == NULL)
    return;

  forget_sign_in (self);
  self->source = SOURCE_GOA;
  self->goa_account_id = g_strdup (goa->id);
  self->credentials = pf_goa_credentials_new (goa->id);
  g_signal_emit (self, signals[SIGNED_IN], 0);
}

/* The browser of the desktop, through the display's launch context (and
 * inside Flatpak, which GIO notices by itself, the OpenURI portal). */
static gboolean
open_in_browser (const char  *uri,
                 gpointer     user_data,
                 GError     **error)
{
  PfOAuthSignIn *self = user_data;
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  return g_app_info_launch_default_for_uri (uri, G_APP_LAUNCH_CONTEXT (context), error);
}

typedef struct
{
  PfOAuthSignIn  *self;
  PfOAuth2Config *config;
} BrowserRun;

static void
browser_run_free (BrowserRun *run)
{
  g_object_unref (run->self);
  pf_oauth2_config_free (run->config);
  g_free (run);
}

static void
on_authorized (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BrowserRun *run = user_data;
  PfOAuthSignIn *self = run->self;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  PfOAuth2Credentials *credentials;

  tokens = pf_oauth2_authorize_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      browser_run_free (run);
      return;
    }
  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (tokens == NULL)
    {
      g_signal_emit (self, signals[FAILED], 0, error);
      browser_run_free (run);
      return;
    }

  forget_sign_in (self);
  self->source = SOURCE_BROWSER;
  self->config = g_steal_pointer (&run->config);
  credentials = pf_oauth2_credentials_new (self->config,
                                           self->account ? pf_account_get_name (self->account)
                                                         : self->address,
                                           self->account ? pf_account_get_user (self->account)
                                                         : self->address);
  pf_oauth2_credentials_set_tokens (credentials, tokens);
  self->credentials = PF_CREDENTIALS (credentials);
  self->tokens = g_steal_pointer (&tokens);
  browser_run_free (run);
  g_signal_emit (self, signals[SIGNED_IN], 0);
}

static void
start_browser (PfOAuthSignIn  *self,
               PfOAuth2Config *config)
{
  BrowserRun *run;
  g_autoptr(GError) error = NULL;

  if (!pf_oauth2_config_validate (config, TRUE, FALSE, &error))
    {
      pf_oauth2_config_free (config);
      g_signal_emit (self, signals[FAILED], 0, error);
      return;
    }

  pf_oauth_sign_in_cancel (self);
  self->cancellable = g_cancellable_new ();
  gtk_label_set_label (self->waiting_label,
                       _("Continue in your browser. Popfetch waits until the sign-in page "
                         "sends you back."));
  set_busy (self, TRUE);

  run = g_new0 (BrowserRun, 1);
  run->self = g_object_ref (self);
  run->config = config;
  pf_oauth2_authorize_async (run->config,
                             self->account ? pf_account_get_address (self->account) : self->address,
                             open_in_browser, self, 0, self->cancellable,
                             on_authorized, run);
}

/* The provider whose sign-in is offered: the address's, else the one
 * detection found. */
static PfProvider *
offered_provider (PfOAuthSignIn *self)
{
  PfProvider *provider = pf_provider_lookup_domain (self->address);

  if (provider_oauth2 (provider) == NULL && self->detected != NULL)
    return self->detected;
  return provider;
}

static void
on_provider_clicked (PfOAuthSignIn *self)
{
  g_autoptr(GError) error = NULL;
  PfOAuth2Config *config;

  if (self->account != NULL)
    config = pf_account_dup_oauth2_config (self->account, &error);
  else
    config = pf_oauth2_config_new_for_provider (provider_oauth2 (offered_provider (self)), &error);
  if (config == NULL)
    {
      g_signal_emit (self, signals[FAILED], 0, error);
      return;
    }
  start_browser (self, config);
}

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
on_registration_clicked (PfOAuthSignIn *self)
{
  PfOAuth2Config *config = pf_oauth2_config_new ();

  config->authorize_url = entry_text (self->authorize_url_row);
  config->token_url = entry_text (self->token_url_row);
  config->client_id = entry_text (self->client_id_row);
  config->scope = entry_text (self->scope_row);
  start_browser (self, config);
}

/* Enter in a field of the organization's sign-in goes on to the next
 * empty one, and signs in from the last. */
static void
on_registration_entry_activated (PfOAuthSignIn *self)
{
  AdwEntryRow *rows[] = { self->authorize_url_row, self->token_url_row, self->client_id_row, self->scope_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = entry_text (rows[i]);

      if (*text == '\0')
        {
          gtk_widget_grab_focus (GTK_WIDGET (rows[i]));
          return;
        }
    }
  on_registration_clicked (self);
}

static void
on_password_clicked (PfOAuthSignIn *self)
{
  self->password_chosen = TRUE;
  update_offers (self);
}

static void
on_cancel_clicked (PfOAuthSignIn *self)
{
  pf_oauth_sign_in_cancel (self);
  focus_offer (self);
}

/* ---- public ----------------------------------------------------------------- */

GtkWidget *
pf_oauth_sign_in_new (void)
{
  return g_object_new (PF_TYPE_OAUTH_SIGN_IN, NULL);
}

void
pf_oauth_sign_in_set_address (PfOAuthSignIn *self,
                              const char    *address)
{
  g_return_if_fail (PF_IS_OAUTH_SIGN_IN (self));

  if (g_strcmp0 (self->address, address) == 0)
    return;
  g_free (self->address);
  self->address = g_strdup (address);
  self->password_chosen = FALSE;
  self->detected = NULL;
  update_offers (self);
}

gboolean
pf_oauth_sign_in_provider_needs_oauth2 (PfProvider *provider)
{
  PfProviderAuth auth;

  if (provider == NULL)
    return FALSE;
  auth = pf_provider_get_auth (provider);
  return (auth & PF_PROVIDER_AUTH_OAUTH2) != 0 &&
         (auth & (PF_PROVIDER_AUTH_PASSWORD | PF_PROVIDER_AUTH_APP_PASSWORD)) == 0;
}

gboolean
pf_oauth_sign_in_offer_provider (PfOAuthSignIn *self,
                                 PfProvider    *provider)
{
  g_return_val_if_fail (PF_IS_OAUTH_SIGN_IN (self), FALSE);

  if (!pf_oauth_sign_in_provider_needs_oauth2 (provider))
    return FALSE;
  /* The table lives as long as the process. */
  self->detected = provider;
  self->password_chosen = FALSE;
  update_offers (self);
  return TRUE;
}

gboolean
pf_oauth_sign_in_get_replaces_password (PfOAuthSignIn *self)
{
  g_return_val_if_fail (PF_IS_OAUTH_SIGN_IN (self), FALSE);
  return self->replaces_password;
}

gboolean
pf_oauth_sign_in_get_busy (PfOAuthSignIn *self)
{
  g_return_val_if_fail (PF_IS_OAUTH_SIGN_IN (self), FALSE);
  return self->busy;
}

void
pf_oauth_sign_in_cancel (PfOAuthSignIn *self)
{
  g_return_if_fail (PF_IS_OAUTH_SIGN_IN (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
}

void
pf_oauth_sign_in_set_account (PfOAuthSignIn *self,
                              PfAccount     *account)
{
  g_return_if_fail (PF_IS_OAUTH_SIGN_IN (self));
  g_return_if_fail (account == NULL || PF_IS_ACCOUNT (account));

  if (self->account == account)
    return;
  pf_oauth_sign_in_cancel (self);
  g_set_object (&self->account, account);
  update_offers (self);
}

PfCredentials *
pf_oauth_sign_in_dup_credentials (PfOAuthSignIn *self)
{
  g_return_val_if_fail (PF_IS_OAUTH_SIGN_IN (self), NULL);
  return self->credentials ? g_object_ref (self->credentials) : NULL;
}

static void
pf_oauth_sign_in_dispose (GObject *object)
{
  PfOAuthSignIn *self = PF_OAUTH_SIGN_IN (object);

  if (self->goa_cancellable != NULL)
    g_cancellable_cancel (self->goa_cancellable);
  g_clear_object (&self->goa_cancellable);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  forget_sign_in (self);
  g_clear_pointer (&self->goa_accounts, g_ptr_array_unref);
  g_clear_object (&self->account);
  g_clear_pointer (&self->address, g_free);

  G_OBJECT_CLASS (pf_oauth_sign_in_parent_class)->dispose (object);
}

/* A closed window ends the wait for the browser at once, and with it the
 * loopback listener; the running sign-in holds a reference, so dispose
 * alone would come only when it ends by itself. */
static void
pf_oauth_sign_in_unroot (GtkWidget *widget)
{
  pf_oauth_sign_in_cancel (PF_OAUTH_SIGN_IN (widget));
  GTK_WIDGET_CLASS (pf_oauth_sign_in_parent_class)->unroot (widget);
}

static void
pf_oauth_sign_in_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PfOAuthSignIn *self = PF_OAUTH_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_REPLACES_PASSWORD:
      g_value_set_boolean (value, self->replaces_password);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_oauth_sign_in_class_init (PfOAuthSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_oauth_sign_in_dispose;
  object_class->get_property = pf_oauth_sign_in_get_property;
  widget_class->unroot = pf_oauth_sign_in_unroot;

  properties[PROP_REPLACES_PASSWORD] =
    g_param_spec_boolean ("replaces-password", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-oauth-sign-in.ui");
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, stack);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, goa_button);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, goa_label);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, provider_button);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, message_label);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, password_button);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, registration_group);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, registration_row);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, authorize_url_row);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, token_url_row);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, scope_row);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, registration_button);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, spinner);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, PfOAuthSignIn, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_goa_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_provider_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_registration_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_registration_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
pf_oauth_sign_in_init (PfOAuthSignIn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* GOA is asked once: its accounts change rarely, and the answer decides
   * only what to offer. */
  self->goa_cancellable = g_cancellable_new ();
  pf_goa_list_mail_accounts_async (self->goa_cancellable, on_goa_listed, g_object_ref (self));
  update_offers (self);
}

void
pf_oauth_sign_in_apply (PfOAuthSignIn *self,
                        PfAccount     *account)
{
  g_return_if_fail (PF_IS_OAUTH_SIGN_IN (self));
  g_return_if_fail (PF_IS_ACCOUNT (account));
  g_return_if_fail (self->source != SOURCE_NONE);

  pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
  /* The server offers XOAUTH2 or OAUTHBEARER; the engine takes either. */
  pf_account_set_mechanism (account, PF_AUTH_AUTO);
  if (self->source == SOURCE_GOA)
    {
      pf_account_set_oauth2_source (account, PF_ACCOUNT_OAUTH2_SOURCE_GOA);
      pf_account_set_goa_account_id (account, self->goa_account_id);
      return;
    }

  pf_account_set_goa_account_id (account, NULL);
  pf_account_set_oauth2_source (account, self->config->provider);
  if (self->config->provider != NULL)
    return;
  /* An organization's own registration: the account keeps all of it. */
  pf_account_set_oauth2_authorize_url (account, self->config->authorize_url);
  pf_account_set_oauth2_token_url (account, self->config->token_url);
  pf_account_set_oauth2_client_id (account, self->config->client_id);
  pf_account_set_oauth2_scope (account, self->config->scope);
}

gboolean
pf_oauth_sign_in_error_needs_sign_in (const GError *error)
{
  return g_error_matches (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN);
}

static void
on_refresh_token_stored (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pf_oauth2_keyring_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_oauth_sign_in_save_async (PfOAuthSignIn       *self,
                             PfAccount           *account,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PF_IS_OAUTH_SIGN_IN (self));
  g_return_if_fail (PF_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_oauth_sign_in_save_async);

  /* GOA keeps its own sign-in; a provider that gave no refresh token
   * leaves nothing to keep. */
  if (self->source != SOURCE_BROWSER || self->tokens == NULL || self->tokens->refresh_token == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  pf_oauth2_keyring_store_async (pf_account_get_name (account), self->config,
                                 pf_account_get_user (account), self->tokens->refresh_token,
                                 cancellable, on_refresh_token_stored, g_steal_pointer (&task));
}

gboolean
pf_oauth_sign_in_save_finish (PfOAuthSignIn  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
