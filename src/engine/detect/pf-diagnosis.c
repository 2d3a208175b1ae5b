/* pf-diagnosis.c — the login test: which step failed, and what to do
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-autoconfig.h"
#include "pf-diagnosis.h"
#include "pf-map-resolver.h"

/* ---- Pure parts --------------------------------------------------------- */

const char *
pf_diagnosis_step_to_string (PfDiagnosisStep step)
{
  switch (step)
    {
    case PF_DIAGNOSIS_STEP_NONE:
      return "none";
    case PF_DIAGNOSIS_STEP_LOOKUP:
      return "lookup";
    case PF_DIAGNOSIS_STEP_CONNECT:
      return "connect";
    case PF_DIAGNOSIS_STEP_TLS:
      return "tls";
    case PF_DIAGNOSIS_STEP_STLS:
      return "stls";
    case PF_DIAGNOSIS_STEP_AUTHENTICATION:
      return "authentication";
    case PF_DIAGNOSIS_STEP_MAILBOX:
      return "mailbox";
    default:
      return "unknown";
    }
}

const char *
pf_diagnosis_step_describe (PfDiagnosisStep step)
{
  switch (step)
    {
    case PF_DIAGNOSIS_STEP_NONE:
      return _("Every step worked");
    case PF_DIAGNOSIS_STEP_LOOKUP:
      return _("Looking up the server name");
    case PF_DIAGNOSIS_STEP_CONNECT:
      return _("Connecting to the server");
    case PF_DIAGNOSIS_STEP_TLS:
      return _("Setting up encryption (TLS)");
    case PF_DIAGNOSIS_STEP_STLS:
      return _("Switching to encryption (STLS)");
    case PF_DIAGNOSIS_STEP_AUTHENTICATION:
      return _("Logging in");
    case PF_DIAGNOSIS_STEP_MAILBOX:
      return _("Opening the mailbox");
    default:
      return "";
    }
}

PfDiagnosisStep
pf_diagnosis_step_for_error (const GError *error)
{
  if (error == NULL)
    return PF_DIAGNOSIS_STEP_NONE;

  if (error->domain == G_RESOLVER_ERROR)
    return PF_DIAGNOSIS_STEP_LOOKUP;
  if (error->domain == G_TLS_ERROR)
    return PF_DIAGNOSIS_STEP_TLS;
  if (error->domain != PF_ERROR)
    return PF_DIAGNOSIS_STEP_CONNECT;

  switch ((PfErrorCode) error->code)
    {
    case PF_ERROR_RESOLVE:
      return PF_DIAGNOSIS_STEP_LOOKUP;
    case PF_ERROR_TLS_HANDSHAKE:
    case PF_ERROR_TLS_OUTDATED:
    case PF_ERROR_CERT_UNTRUSTED:
    case PF_ERROR_CERT_EXPIRED:
    case PF_ERROR_CERT_HOST:
    case PF_ERROR_CERT_PIN_MISMATCH:
      return PF_DIAGNOSIS_STEP_TLS;
    case PF_ERROR_STLS_UNAVAILABLE:
    case PF_ERROR_STLS_INJECTION:
      return PF_DIAGNOSIS_STEP_STLS;
    case PF_ERROR_PLAINTEXT_REFUSED:
    case PF_ERROR_AUTH_REJECTED:
    case PF_ERROR_AUTH_MECHANISM_FAILED:
    case PF_ERROR_NO_COMMON_MECHANISM:
    case PF_ERROR_INVALID_INPUT:
    case PF_ERROR_NO_PASSWORD:
      return PF_DIAGNOSIS_STEP_AUTHENTICATION;
    case PF_ERROR_IN_USE:
    case PF_ERROR_LOGIN_DELAY:
    case PF_ERROR_SYS_TEMP:
    case PF_ERROR_SYS_PERM:
      return PF_DIAGNOSIS_STEP_MAILBOX;
    case PF_ERROR_REFUSED:
    case PF_ERROR_TIMEOUT:
    case PF_ERROR_CLOSED:
    case PF_ERROR_SERVER:
    case PF_ERROR_PROTOCOL:
    default:
      return PF_DIAGNOSIS_STEP_CONNECT;
    }
}

G_DEFINE_ENUM_TYPE (PfProviderHint, pf_provider_hint,
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_APP_PASSWORD, "app-password"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_OAUTH2, "oauth2"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_LOGIN_DELAY, "login-delay"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_NO_POP3, "no-pop3"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_POP3_OFF, "pop3-off"),
                    G_DEFINE_ENUM_VALUE (PF_PROVIDER_HINT_WEB_LOGIN, "web-login"))

PfProvider *
pf_provider_for_login (const char *host,
                       const char *address)
{
  PfProvider *provider = NULL;

  if (address != NULL)
    provider = pf_provider_lookup_domain (address);
  if (provider == NULL && host != NULL)
    provider = pf_provider_lookup_server (host);
  return provider;
}

/* The provider's word on a failure, or NONE. */
static PfProviderHint
hint_from_provider (PfProvider   *provider,
                    const GError *error)
{
  PfProviderAuth auth = pf_provider_get_auth (provider);
  gboolean auth_failed = g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED) ||
                         g_error_matches (error, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM);
  gboolean switchable = pf_provider_get_pop3_off_by_default (provider) ||
                        pf_provider_get_pop3_may_switch_off (provider);

  if (error == NULL)
    return PF_PROVIDER_HINT_NONE;
  if (pf_provider_get_pop3 (provider) == PF_PROVIDER_POP3_NO)
    return PF_PROVIDER_HINT_NO_POP3;

  /* What the server said, in the words the provider uses for it. */
  if (error->domain == PF_ERROR)
    {
      switch (pf_provider_match_reply (provider, error->message))
        {
        case PF_PROVIDER_REPLY_APP_PASSWORD:
          return PF_PROVIDER_HINT_APP_PASSWORD;
        case PF_PROVIDER_REPLY_WEB_LOGIN:
          return PF_PROVIDER_HINT_WEB_LOGIN;
        case PF_PROVIDER_REPLY_POP3_OFF:
          return PF_PROVIDER_HINT_POP3_OFF;
        case PF_PROVIDER_REPLY_NONE:
        default:
          break;
        }
    }

  /* A permanent refusal where POP3 has to be switched on first. */
  if (g_error_matches (error, PF_ERROR, PF_ERROR_SYS_PERM) && switchable)
    return PF_PROVIDER_HINT_POP3_OFF;

  if (!auth_failed)
    return PF_PROVIDER_HINT_NONE;
  if ((auth & PF_PROVIDER_AUTH_OAUTH2) && !(auth & (PF_PROVIDER_AUTH_PASSWORD | PF_PROVIDER_AUTH_APP_PASSWORD)))
    return PF_PROVIDER_HINT_OAUTH2;
  if ((auth & PF_PROVIDER_AUTH_APP_PASSWORD) && !(auth & PF_PROVIDER_AUTH_PASSWORD))
    return PF_PROVIDER_HINT_APP_PASSWORD;
  /* GMX and WEB.DE refuse the login itself while POP3 is off. */
  if (switchable)
    return PF_PROVIDER_HINT_POP3_OFF;
  return PF_PROVIDER_HINT_NONE;
}

PfProviderHint
pf_provider_hint_for (const char   *host,
                      const char   *address,
                      const GError *error,
                      gint64        login_delay)
{
  PfProvider *provider;

  if (g_error_matches (error, PF_ERROR, PF_ERROR_LOGIN_DELAY))
    return PF_PROVIDER_HINT_LOGIN_DELAY;

  provider = pf_provider_for_login (host, address);
  if (provider != NULL)
    {
      PfProviderHint hint = hint_from_provider (provider, error);

      if (hint != PF_PROVIDER_HINT_NONE)
        return hint;
    }

  if (login_delay > 0)
    return PF_PROVIDER_HINT_LOGIN_DELAY;
  return PF_PROVIDER_HINT_NONE;
}

static char *
describe_pop3_off (const PfProvider *provider)
{
  const char *name = pf_provider_get_name (provider);
  const char *url = pf_provider_get_enable_url (provider);

  if (pf_provider_get_pop3_may_switch_off (provider) && url != NULL)
    /* Translators: %1$s is a provider's name, %2$s a web address. */
    return g_strdup_printf (_("%1$s may have switched POP3 off for this account: it is off until you switch it on, "
                              "and %1$s may switch it off again when it goes unused for months. "
                              "Switch it on in the account’s settings (see %2$s), then try again."),
                            name, url);
  if (url != NULL)
    /* Translators: %1$s is a provider's name, %2$s a web address. */
    return g_strdup_printf (_("POP3 may be switched off for this account at %1$s. "
                              "Switch it on in the account’s settings (see %2$s), then try again."),
                            name, url);
  /* Translators: %s is a provider's name. */
  return g_strdup_printf (_("POP3 may be switched off for this account at %s. "
                            "Switch it on in the account’s settings, then try again."),
                          name);
}

char *
pf_provider_hint_describe (PfProviderHint    hint,
                           const PfProvider *provider,
                           gint64            login_delay)
{
  switch (hint)
    {
    case PF_PROVIDER_HINT_APP_PASSWORD:
      if (provider != NULL && pf_provider_get_app_password_url (provider) != NULL)
        /* Translators: %1$s is a provider's name, %2$s a web address. */
        return g_strdup_printf (_("%1$s does not accept your normal password for POP3. "
                                  "Create an app password at %2$s and use it here."),
                                pf_provider_get_name (provider), pf_provider_get_app_password_url (provider));
      if (provider != NULL)
        /* Translators: %s is a provider's name. */
        return g_strdup_printf (_("%s does not accept your normal password for POP3. "
                                  "Create an app password in the security settings of your account and use it here."),
                                pf_provider_get_name (provider));
      return g_strdup (_("This provider does not accept your normal password for POP3. "
                         "Create an app password in the security settings of your account and use it here."));
    case PF_PROVIDER_HINT_OAUTH2:
      if (provider != NULL)
        /* Translators: %s is a provider's name, such as "Microsoft 365". */
        return g_strdup_printf (_("%s no longer accepts a password for POP3: "
                                  "only an OAuth2 sign-in works, in a browser window of the provider."),
                                pf_provider_get_name (provider));
      return g_strdup (_("Microsoft accounts no longer accept a password for POP3: "
                         "they need an OAuth2 sign-in instead."));
    case PF_PROVIDER_HINT_NO_POP3:
      if (provider != NULL)
        return pf_provider_describe_pop3 (provider);
      return g_strdup (_("This provider does not offer POP3; use IMAP in a mail client."));
    case PF_PROVIDER_HINT_POP3_OFF:
      if (provider != NULL)
        return describe_pop3_off (provider);
      return g_strdup (_("POP3 may be switched off for this account. "
                         "Switch it on in the account’s settings, then try again."));
    case PF_PROVIDER_HINT_WEB_LOGIN:
      if (provider != NULL)
        /* Translators: %s is a provider's name, such as "Gmail". */
        return g_strdup_printf (_("%s wants you to sign in once on its website before a mail program may log in. "
                                  "Sign in with a web browser, confirm any security check it shows, then try again."),
                                pf_provider_get_name (provider));
      return g_strdup (_("The provider wants you to sign in once on its website before a mail program may log in. "
                         "Sign in with a web browser, confirm any security check it shows, then try again."));
    case PF_PROVIDER_HINT_LOGIN_DELAY:
      /* LOGIN-DELAY counts seconds (RFC 2449 §6.5); under a minute they
       * are said as seconds, else as minutes rounded up, so the advice
       * never makes the wait look shorter than it is. */
      if (login_delay > 0 && login_delay < 60)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "The server allows one login every %lu second: wait that long between checks.",
                                             "The server allows one login every %lu seconds: wait that long between checks.",
                                             (gulong) login_delay),
                                (gulong) login_delay);
      if (login_delay >= 60)
        {
          gint64 minutes = login_delay / 60 + (login_delay % 60 != 0);
          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "The server allows one login every %lu minute: wait that long between checks.",
                                               "The server allows one login every %lu minutes: wait that long between checks.",
                                               (gulong) minutes),
                                  (gulong) minutes);
        }
      return g_strdup (_("The server asks to wait longer between logins: try again later, and check for mail less often."));
    case PF_PROVIDER_HINT_NONE:
    default:
      return NULL;
    }
}

char **
pf_diagnosis_user_candidates (const char *user,
                              const char *address)
{
  GPtrArray *users = g_ptr_array_new ();
  g_autofree char *local = NULL;

  if (user != NULL && *user != '\0')
    g_ptr_array_add (users, g_strdup (user));
  else if (address != NULL && *address != '\0')
    {
      g_ptr_array_add (users, g_strdup (address));
      if (pf_address_split (address, &local, NULL) && strcmp (local, address) != 0)
        g_ptr_array_add (users, g_steal_pointer (&local));
    }
  g_ptr_array_add (users, NULL);
  return (char **) g_ptr_array_free (users, FALSE);
}

/* ---- PfDiagnosis -------------------------------------------------------- */

struct _PfDiagnosis
{
  GObject          parent_instance;
  PfDiagnosisStep  failed_step;
  GError          *error;
  PfExplanation   *explanation;
  PfProviderHint   hint;
  char            *hint_text;
  PfProvider      *provider;
  char            *user;
  PfAuthMechanism  mechanism;
  guint            attempts;
  char            *greeting;
  PfCapabilities  *capabilities;
  PfCertInfo      *cert_info;
  char            *tls_description;
  guint            message_count;
  guint64          mailbox_size;
  GPtrArray       *transcripts;
  GArray          *tried;          /* PfAuthMechanism, one per login sent */
  gboolean         fell_back;      /* logged in with the method after a refused one */
};

G_DEFINE_FINAL_TYPE (PfDiagnosis, pf_diagnosis, G_TYPE_OBJECT)

static void
pf_diagnosis_finalize (GObject *object)
{
  PfDiagnosis *self = PF_DIAGNOSIS (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->explanation, pf_explanation_free);
  g_free (self->hint_text);
  g_clear_pointer (&self->provider, pf_provider_unref);
  g_free (self->user);
  g_free (self->greeting);
  g_clear_pointer (&self->capabilities, pf_capabilities_free);
  g_clear_pointer (&self->cert_info, pf_cert_info_free);
  g_free (self->tls_description);
  g_ptr_array_unref (self->transcripts);
  g_array_unref (self->tried);
  G_OBJECT_CLASS (pf_diagnosis_parent_class)->finalize (object);
}

static void
pf_diagnosis_class_init (PfDiagnosisClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_diagnosis_finalize;
}

static void
pf_diagnosis_init (PfDiagnosis *self)
{
  self->transcripts = g_ptr_array_new_with_free_func (g_object_unref);
  self->tried = g_array_new (FALSE, FALSE, sizeof (PfAuthMechanism));
}

#define GETTER(type, name, field, fallback) \
  type \
  pf_diagnosis_get_##name (PfDiagnosis *self) \
  { \
    g_return_val_if_fail (PF_IS_DIAGNOSIS (self), fallback); \
    return self->field; \
  }

GETTER (PfDiagnosisStep, failed_step, failed_step, PF_DIAGNOSIS_STEP_NONE)
GETTER (const GError *, error, error, NULL)
GETTER (const PfExplanation *, explanation, explanation, NULL)
GETTER (PfProviderHint, hint, hint, PF_PROVIDER_HINT_NONE)
GETTER (const char *, hint_text, hint_text, NULL)
GETTER (PfProvider *, provider, provider, NULL)
GETTER (const char *, user, user, NULL)
GETTER (PfAuthMechanism, mechanism, mechanism, PF_AUTH_AUTO)
GETTER (guint, attempts, attempts, 0)
GETTER (gboolean, fell_back, fell_back, FALSE)
GETTER (const char *, greeting, greeting, NULL)
GETTER (const PfCapabilities *, capabilities, capabilities, NULL)
GETTER (const PfCertInfo *, cert_info, cert_info, NULL)
GETTER (const char *, tls_description, tls_description, NULL)
GETTER (guint, message_count, message_count, 0)
GETTER (guint64, mailbox_size, mailbox_size, 0)
GETTER (GPtrArray *, transcripts, transcripts, NULL)

#undef GETTER

const PfAuthMechanism *
pf_diagnosis_get_mechanisms_tried (PfDiagnosis *self,
                                   guint       *n_tried)
{
  g_return_val_if_fail (PF_IS_DIAGNOSIS (self), NULL);
  g_return_val_if_fail (n_tried != NULL, NULL);

  *n_tried = self->tried->len;
  return (const PfAuthMechanism *) (gpointer) self->tried->data;
}

gboolean
pf_diagnosis_get_success (PfDiagnosis *self)
{
  g_return_val_if_fail (PF_IS_DIAGNOSIS (self), FALSE);
  return self->error == NULL;
}

char *
pf_diagnosis_dup_transcript_text (PfDiagnosis *self)
{
  GString *text;

  g_return_val_if_fail (PF_IS_DIAGNOSIS (self), NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < self->transcripts->len; i++)
    {
      g_autofree char *part = pf_transcript_to_string (self->transcripts->pdata[i]);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, part);
      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* ---- PfLoginTest -------------------------------------------------------- */

struct _PfLoginTest
{
  GObject           parent_instance;
  PfServerSettings *settings;
  char             *address;
  char             *user;
  PfAuthMechanism   mechanism;
};

/* Without a timeout in the settings: shorter than a fetch's, since a
 * person is waiting for the answer. */
#define LOGIN_TEST_DEFAULT_TIMEOUT 15

G_DEFINE_FINAL_TYPE (PfLoginTest, pf_login_test, G_TYPE_OBJECT)

static void
pf_login_test_finalize (GObject *object)
{
  PfLoginTest *self = PF_LOGIN_TEST (object);

  g_clear_pointer (&self->settings, pf_server_settings_unref);
  g_free (self->address);
  g_free (self->user);
  G_OBJECT_CLASS (pf_login_test_parent_class)->finalize (object);
}

static void
pf_login_test_class_init (PfLoginTestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pf_login_test_finalize;
}

static void
pf_login_test_init (PfLoginTest *self)
{
  self->mechanism = PF_AUTH_AUTO;
}

PfLoginTest *
pf_login_test_new (PfServerSettings *settings)
{
  PfLoginTest *self;

  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (PF_TYPE_LOGIN_TEST, NULL);
  self->settings = pf_server_settings_ref (settings);
  return self;
}

PfServerSettings *
pf_login_test_get_settings (PfLoginTest *self)
{
  g_return_val_if_fail (PF_IS_LOGIN_TEST (self), NULL);
  return self->settings;
}

void
pf_login_test_set_address (PfLoginTest *self,
                           const char  *address)
{
  g_return_if_fail (PF_IS_LOGIN_TEST (self));
  g_free (self->address);
  self->address = g_strdup (address);
}

void
pf_login_test_set_user (PfLoginTest *self,
                        const char  *user)
{
  g_return_if_fail (PF_IS_LOGIN_TEST (self));
  g_free (self->user);
  self->user = g_strdup (user);
}

void
pf_login_test_set_mechanism (PfLoginTest     *self,
                             PfAuthMechanism  mechanism)
{
  g_return_if_fail (PF_IS_LOGIN_TEST (self));
  self->mechanism = mechanism;
}

/* One run: resolve once, then one session per user-name form. */
typedef struct
{
  PfDiagnosis   *diagnosis;
  PfCredentials *credentials;
  PfSecret      *secret;      /* asked once, at the first login */
  char         **users;
  guint          next_user;
  char          *connect_address;
  guint16        connect_port;
  PfServerSettings *session_settings;  /* what each session dials */
  PfPop3Client  *client;
  /* After a mechanism's refusal: the one method tried instead, for this
   * user name and the ones after it. */
  PfAuthMechanism fallback;
  gboolean       retry_same_user;
  /* A refused access token was renewed once (see on_authenticated). */
  gboolean       token_renewed;
} LoginRun;

static void
login_run_free (LoginRun *run)
{
  g_clear_object (&run->diagnosis);
  g_clear_object (&run->credentials);
  g_clear_pointer (&run->secret, pf_secret_free);
  g_strfreev (run->users);
  g_free (run->connect_address);
  g_clear_pointer (&run->session_settings, pf_server_settings_unref);
  g_clear_object (&run->client);
  g_free (run);
}

static void start_attempt (GTask *task);

static void
record_session_facts (PfDiagnosis  *diagnosis,
                      PfPop3Client *client,
                      PfSecurity    security)
{
  GTlsCertificate *certificate = pf_pop3_client_get_peer_certificate (client);
  const PfCapabilities *caps = pf_pop3_client_get_capabilities (client);
  const char *greeting = pf_pop3_client_get_greeting (client);

  if (certificate != NULL)
    {
      g_clear_pointer (&diagnosis->cert_info, pf_cert_info_free);
      diagnosis->cert_info = pf_cert_info_new (certificate,
                                               pf_pop3_client_get_peer_certificate_errors (client),
                                               NULL);
    }
  if (caps != NULL)
    {
      g_clear_pointer (&diagnosis->capabilities, pf_capabilities_free);
      diagnosis->capabilities = pf_capabilities_copy (caps);
    }
  /* Text from before TLS on a STARTTLS session is not shown. */
  if (security == PF_SECURITY_STARTTLS)
    greeting = NULL;
  g_free (diagnosis->greeting);
  diagnosis->greeting = g_strdup (greeting);
  g_free (diagnosis->tls_description);
  diagnosis->tls_description = pf_pop3_client_dup_tls_description (client);
}

static void
complete (GTask           *task,
          GError          *error,
          PfDiagnosisStep  step)
{
  PfLoginTest *self = g_task_get_source_object (task);
  LoginRun *run = g_task_get_task_data (task);
  PfDiagnosis *diagnosis = run->diagnosis;
  gint64 login_delay = diagnosis->capabilities != NULL ? diagnosis->capabilities->login_delay : -1;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  if (error != NULL)
    {
      diagnosis->failed_step = step;
      diagnosis->error = error;
      diagnosis->explanation = pf_error_explain (error);
    }
  {
    const char *host = pf_server_settings_get_effective_identity (self->settings);
    PfProvider *provider = pf_provider_for_login (host, self->address);

    if (provider != NULL)
      diagnosis->provider = pf_provider_ref (provider);
    diagnosis->hint = pf_provider_hint_for (host, self->address, diagnosis->error, login_delay);
  }
  diagnosis->hint_text = pf_provider_hint_describe (diagnosis->hint, diagnosis->provider, login_delay);
  g_task_return_pointer (task, g_object_ref (diagnosis), g_object_unref);
}

static void
on_quit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* The login worked; a failing QUIT changes nothing for the diagnosis. */
  pf_pop3_client_quit_finish (PF_POP3_CLIENT (source), result, NULL);
  complete (task, NULL, PF_DIAGNOSIS_STEP_NONE);
}

static void
on_stat (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pf_pop3_client_stat_finish (run->client, result, &run->diagnosis->message_count,
                                   &run->diagnosis->mailbox_size, &error))
    {
      PfDiagnosisStep step = pf_diagnosis_step_for_error (error);

      pf_pop3_client_close (run->client);
      complete (task, error, step == PF_DIAGNOSIS_STEP_CONNECT ? PF_DIAGNOSIS_STEP_MAILBOX : step);
      return;
    }
  pf_pop3_client_quit_async (run->client, g_task_get_cancellable (task), on_quit, g_object_ref (task));
}

static void
on_authenticated (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfLoginTest *self = g_task_get_source_object (task);
  LoginRun *run = g_task_get_task_data (task);
  GError *error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;
  gboolean ok;

  ok = pf_pop3_client_authenticate_finish (run->client, result, &used, &error);

  /* The mechanism actually sent (a -PLUS, say), never a guess. */
  if (used != PF_AUTH_AUTO)
    g_array_append_val (run->diagnosis->tried, used);
  run->diagnosis->mechanism = used != PF_AUTH_AUTO ? used
                              : run->fallback != PF_AUTH_AUTO ? run->fallback : self->mechanism;
  if (ok)
    {
      run->diagnosis->fell_back = run->fallback != PF_AUTH_AUTO;
      /* Logged in: no further attempt needs it (PfSecret wipes it). */
      g_clear_pointer (&run->secret, pf_secret_free);
      pf_pop3_client_stat_async (run->client, g_task_get_cancellable (task), on_stat, g_object_ref (task));
      return;
    }

  /* A refused access token renewed: the same user name tries again. */
  if (pf_pop3_client_renew_refused_token (run->client, run->credentials, &run->secret,
                                          &run->token_renewed, error))
    {
      g_clear_error (&error);
      run->retry_same_user = TRUE;
      start_attempt (g_steal_pointer (&task));
      return;
    }

  /* A refusal that may be the method's, not the password's (a -PLUS the
   * server binds differently, an APOP it cannot check): one other method,
   * on a new connection, for the same user name. Only when the account
   * left the method to Popfetch. */
  if (g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED) &&
      self->mechanism == PF_AUTH_AUTO && run->fallback == PF_AUTH_AUTO)
    {
      run->fallback = pf_pop3_client_choose_fallback (run->client, used);
      if (run->fallback != PF_AUTH_AUTO)
        {
          pf_transcript_add_info (pf_pop3_client_get_transcript (run->client),
                                  "%s was refused; trying %s on a new connection",
                                  pf_auth_mechanism_to_string (used),
                                  pf_auth_mechanism_to_string (run->fallback));
          pf_pop3_client_close (run->client);
          g_clear_error (&error);
          run->retry_same_user = TRUE;
          start_attempt (g_steal_pointer (&task));
          return;
        }
    }
  pf_pop3_client_close (run->client);

  /* Only a refused login (the password's, or a method the server cannot
   * check for this name) moves on to the next user-name form: anything
   * else would fail the same way, and each try may count against the
   * account's lockout. */
  if ((g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED) ||
       g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED)) &&
      run->users[run->next_user] != NULL)
    {
      g_clear_error (&error);
      start_attempt (g_steal_pointer (&task));
      return;
    }

  {
    PfDiagnosisStep step = pf_diagnosis_step_for_error (error);

    if (step == PF_DIAGNOSIS_STEP_CONNECT && !g_error_matches (error, PF_ERROR, PF_ERROR_TIMEOUT) &&
        !g_error_matches (error, PF_ERROR, PF_ERROR_CLOSED))
      step = PF_DIAGNOSIS_STEP_AUTHENTICATION;
    complete (task, error, step);
  }
}

static void log_in (GTask *task);

static void
on_secret (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->secret = pf_credentials_get_secret_finish (PF_CREDENTIALS (source), result, &error);
  if (run->secret == NULL)
    {
      pf_pop3_client_close (run->client);
      complete (task, error, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                             ? PF_DIAGNOSIS_STEP_NONE : PF_DIAGNOSIS_STEP_AUTHENTICATION);
      return;
    }
  log_in (g_steal_pointer (&task));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfLoginTest *self = g_task_get_source_object (task);
  LoginRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  pf_pop3_client_connect_finish (run->client, result, &error);
  record_session_facts (run->diagnosis, run->client,
                        pf_server_settings_get_security (self->settings));
  if (error != NULL)
    {
      pf_pop3_client_close (run->client);
      complete (task, error, pf_diagnosis_step_for_error (error));
      return;
    }

  if (run->secret == NULL)
    {
      /* Asked only now that a login is due, and once for every user-name
       * form and the retry with another method; kept, wiped when freed,
       * until a login succeeds or the run ends. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      pf_credentials_get_secret_async (run->credentials, cancellable, on_secret,
                                       g_steal_pointer (&task));
      return;
    }
  log_in (g_steal_pointer (&task));
}

/* The session is up and the secret known: try the next user-name form. */
static void
log_in (GTask *task)
{
  PfLoginTest *self = g_task_get_source_object (task);
  LoginRun *run = g_task_get_task_data (task);
  PfAuthMechanism mechanism = PF_AUTH_AUTO;
  GError *error = NULL;
  const char *user;

  if (run->retry_same_user)
    user = run->users[run->next_user - 1];
  else
    user = run->users[run->next_user++];
  run->retry_same_user = FALSE;
  g_free (run->diagnosis->user);
  run->diagnosis->user = g_strdup (user);
  run->diagnosis->attempts++;
  if (!pf_pop3_client_choose_for_secret (run->client,
                                         run->fallback != PF_AUTH_AUTO ? run->fallback : self->mechanism,
                                         run->secret, &mechanism, &error))
    {
      pf_pop3_client_close (run->client);
      complete (task, error, PF_DIAGNOSIS_STEP_AUTHENTICATION);
      g_object_unref (task);
      return;
    }
  pf_pop3_client_authenticate_async (run->client, user, pf_secret_get_value (run->secret),
                                     mechanism, g_task_get_cancellable (task), on_authenticated, task);
}

static void
start_attempt (GTask *task)
{
  LoginRun *run = g_task_get_task_data (task);

  g_clear_object (&run->client);
  run->client = pf_pop3_client_new_for_settings (run->session_settings);
  g_ptr_array_add (run->diagnosis->transcripts,
                   g_object_ref (pf_pop3_client_get_transcript (run->client)));
  pf_pop3_client_connect_async (run->client, g_task_get_cancellable (task), on_connected, task);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfLoginTest *self = g_task_get_source_object (task);
  LoginRun *run = g_task_get_task_data (task);
  const char *host = pf_server_settings_get_host (self->settings);
  guint16 port = pf_server_settings_get_port (self->settings);
  GError *error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_error_new (PF_ERROR, PF_ERROR_RESOLVE,
                               _("The name “%s” does not resolve."), host);
        }
      complete (task, error, PF_DIAGNOSIS_STEP_LOOKUP);
      return;
    }
  run->connect_address = pf_resolver_pick_address (addresses);
  g_resolver_free_addresses (addresses);

  run->connect_port = pf_port_map_lookup_for_host (pf_server_settings_get_port_map (self->settings),
                                                   host, port);
  if (run->connect_port == 0)
    {
      complete (task, g_error_new (PF_ERROR, PF_ERROR_REFUSED,
                                   _("Nothing accepts connections on %s port %u."),
                                   host, port),
                PF_DIAGNOSIS_STEP_CONNECT);
      return;
    }
  run->session_settings = pf_server_settings_copy_for_address (self->settings, run->connect_address,
                                                               run->connect_port);
  if (pf_server_settings_get_timeout (run->session_settings) == 0)
    pf_server_settings_set_timeout (run->session_settings, LOGIN_TEST_DEFAULT_TIMEOUT);
  start_attempt (g_steal_pointer (&task));
}

void
pf_login_test_run_async (PfLoginTest         *self,
                         PfCredentials       *credentials,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = NULL;
  LoginRun *run;

  g_return_if_fail (PF_IS_LOGIN_TEST (self));
  g_return_if_fail (PF_IS_CREDENTIALS (credentials));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_login_test_run_async);

  run = g_new0 (LoginRun, 1);
  run->diagnosis = g_object_new (PF_TYPE_DIAGNOSIS, NULL);
  run->credentials = g_object_ref (credentials);
  run->users = pf_diagnosis_user_candidates (self->user, self->address);
  g_task_set_task_data (task, run, (GDestroyNotify) login_run_free);

  if (run->users[0] == NULL)
    {
      complete (task,
                g_error_new_literal (PF_ERROR, PF_ERROR_INVALID_INPUT,
                                     _("There is no user name or address to log in with.")),
                PF_DIAGNOSIS_STEP_AUTHENTICATION);
      return;
    }

  resolver = pf_server_settings_get_resolver (self->settings) != NULL
             ? g_object_ref (pf_server_settings_get_resolver (self->settings))
             : g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, pf_server_settings_get_host (self->settings),
                                   cancellable, on_resolved, g_steal_pointer (&task));
}

PfDiagnosis *
pf_login_test_run_finish (PfLoginTest   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PF_IS_LOGIN_TEST (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_login_test_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
